/**
 * Where a gateway serves the update manifest of each package it hosts. A build made for a deployment writes
 * these URLs into the packages (Chromium `update_url`, Firefox `browser_specific_settings.gecko.update_url`),
 * and the gateway's routes serve the same paths, so the two cannot drift.
 */
import { normalizeServiceUrl } from './service-url.js';

export const UPDATE_MANIFEST_PATHS = {
  chromium: '/deploy/chromium/updates.xml',
  firefox: '/deploy/firefox/updates.json',
  thunderbird: '/deploy/thunderbird/updates.json',
} as const;
export type HostedPackage = keyof typeof UPDATE_MANIFEST_PATHS;

/** The update manifest URL of one package on a gateway; throws a readable error for an unusable gateway URL. */
export function updateManifestUrl(gatewayUrl: string, pkg: HostedPackage): string {
  const base = normalizeServiceUrl(gatewayUrl);
  if (!base) throw new Error(`Not a usable gateway address (https, or http on 127.0.0.1/localhost; no query, fragment or credentials): ${gatewayUrl}`);
  return `${base}${UPDATE_MANIFEST_PATHS[pkg]}`;
}
