// A build for a self-hosted deployment (VISIO_DEPLOY_GATEWAY_URL=https://<gateway> npm run build): the
// packages name the gateway's update manifests, so browsers look for new versions there. Without it, the
// build names none (a store, or the administrator's policy, decides where updates come from).
import { updateManifestUrl } from '@visio/shared/update-urls';

/** The update URLs to write, or undefined when the build is not for a deployment; throws on a bad address. */
export function deploymentUpdateUrls(gatewayUrl) {
  if (!gatewayUrl) return undefined;
  return { chromium: updateManifestUrl(gatewayUrl, 'chromium'), firefox: updateManifestUrl(gatewayUrl, 'firefox') };
}
