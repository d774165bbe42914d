/**
 * The policy files an administrator installs, for one gateway: every managed value comes from the shared
 * schema (@visio/shared/managed-settings), every URL from the gateway's public address. Pure: the routes
 * serve these strings as they are, and the real-program tests install the same strings.
 */
import { managedValues, type DeploymentContext, type ManagedValue } from '@visio/shared/managed-settings';
import { UPDATE_MANIFEST_PATHS } from '@visio/shared/update-urls';

export interface DeploymentIds extends DeploymentContext {
  /** Chromium extension id (from the signing key). */
  chromiumId: string;
  firefoxId: string;
  thunderbirdId: string;
}

export const DEPLOY_PATHS = {
  chromiumPolicy: '/deploy/chromium-policy.json',
  chromeReg: '/deploy/chrome-policy.reg',
  edgeReg: '/deploy/edge-policy.reg',
  chromiumReg: '/deploy/chromium-policy.reg',
  firefoxPolicies: '/deploy/firefox-policies.json',
  thunderbirdPolicies: '/deploy/thunderbird-policies.json',
  chromiumUpdates: UPDATE_MANIFEST_PATHS.chromium,
  chromiumCrx: '/deploy/chromium/visio.crx',
  firefoxUpdates: UPDATE_MANIFEST_PATHS.firefox,
  firefoxXpi: '/deploy/firefox/visio.xpi',
  thunderbirdUpdates: UPDATE_MANIFEST_PATHS.thunderbird,
  thunderbirdXpi: '/deploy/thunderbird/visio.xpi',
} as const;

/** Where each Chromium-family browser reads managed policies on Linux (one JSON file per folder). */
export const LINUX_POLICY_DIRS = {
  chromium: '/etc/chromium/policies/managed/',
  chrome: '/etc/opt/chrome/policies/managed/',
  edge: '/etc/opt/edge/policies/managed/',
} as const;

/** Registry key of each browser's machine policies on Windows (Group Policy writes the same values). */
export const WINDOWS_POLICY_KEYS = {
  chrome: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome',
  edge: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge',
  chromium: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Chromium',
} as const;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function chromiumExtensionSettings(ids: DeploymentIds) {
  const updateUrl = `${ids.gatewayUrl}${DEPLOY_PATHS.chromiumUpdates}`;
  // override_update_url: later updates come from the gateway too, whatever the package says.
  return { [ids.chromiumId]: { installation_mode: 'force_installed', update_url: updateUrl, override_update_url: true } };
}

/** Linux managed policy (same file for Chromium, Chrome and Edge). */
export function chromiumPolicy(ids: DeploymentIds): string {
  return json({
    ExtensionSettings: chromiumExtensionSettings(ids),
    '3rdparty': { extensions: { [ids.chromiumId]: managedValues('chromium', ids) } },
  });
}

const regString = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const regValue = (value: string | boolean) => (typeof value === 'boolean' ? `dword:${value ? '00000001' : '00000000'}` : regString(value));

/** The Windows registry equivalent, for one browser's policy key. */
export function chromiumRegistry(ids: DeploymentIds, browser: keyof typeof WINDOWS_POLICY_KEYS): string {
  const root = WINDOWS_POLICY_KEYS[browser];
  const lines = ['Windows Registry Editor Version 5.00', '', `[${root}]`, `"ExtensionSettings"=${regString(JSON.stringify(chromiumExtensionSettings(ids)))}`, ''];
  const policyKey = `${root}\\3rdparty\\extensions\\${ids.chromiumId}\\policy`;
  lines.push(`[${policyKey}]`);
  const lists: string[] = [];
  for (const [key, value] of Object.entries(managedValues('chromium', ids))) {
    // Chromium reads a list from a subkey whose values are named 1, 2, 3…
    if (Array.isArray(value)) lists.push('', `[${policyKey}\\${key}]`, ...value.map((item, i) => `"${i + 1}"=${regString(item)}`));
    else lines.push(`"${key}"=${regValue(value)}`);
  }
  lines.push(...lists);
  // .reg files are read as UTF-16 or ANSI with CRLF line ends; every value here is ASCII.
  return `${lines.join('\r\n')}\r\n`;
}

function mozillaPolicies(id: string, installUrl: string, settings: Record<string, ManagedValue>): string {
  return json({
    policies: {
      ExtensionSettings: { [id]: { installation_mode: 'force_installed', install_url: installUrl } },
      '3rdparty': { Extensions: { [id]: settings } },
    },
  });
}

export function firefoxPolicies(ids: DeploymentIds): string {
  return mozillaPolicies(ids.firefoxId, `${ids.gatewayUrl}${DEPLOY_PATHS.firefoxXpi}`, managedValues('firefox', ids));
}

export function thunderbirdPolicies(ids: DeploymentIds): string {
  return mozillaPolicies(ids.thunderbirdId, `${ids.gatewayUrl}${DEPLOY_PATHS.thunderbirdXpi}`, managedValues('thunderbird', ids));
}

const xmlAttr = (value: string) => value.replace(/&/g, '&amp;').replace(/'/g, '&apos;').replace(/</g, '&lt;');

/** Chromium's update manifest (the gupdate protocol 2.0 response). */
export function gupdateManifest(appId: string, version: string, codebase: string): string {
  return `<?xml version='1.0' encoding='UTF-8'?>
<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>
  <app appid='${xmlAttr(appId)}'>
    <updatecheck codebase='${xmlAttr(codebase)}' version='${xmlAttr(version)}' />
  </app>
</gupdate>
`;
}

/**
 * Firefox and Thunderbird update manifest (updates.json, extensionworkshop.com "Updating your extension"):
 * update_hash ("sha256:" and the package's hex digest) is required when update_link is not https, and lets
 * the browser check the download either way.
 */
export function mozillaUpdates(id: string, version: string, updateLink: string, sha256Hex: string): string {
  return json({ addons: { [id]: { updates: [{ version, update_link: updateLink, update_hash: `sha256:${sha256Hex}` }] } } });
}
