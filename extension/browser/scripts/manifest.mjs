// The one manifest, and what differs per browser. Used by the build and by the tests (same source).
export const GECKO_ID = 'visio@numerique.gouv.fr';

// Pages load only their own files; they talk to the gateway and the instance, which the agent or the
// administrator configures, so https anywhere and plain http on loopback only (the gateway's local mode).
const CSP =
  "default-src 'self'; script-src 'self'; object-src 'none'; style-src 'self'; img-src 'self' data: blob:; " +
  "connect-src https: http://127.0.0.1:* http://localhost:*; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const icons = { 16: 'icons/icon-16.png', 32: 'icons/icon-32.png', 48: 'icons/icon-48.png', 128: 'icons/icon-128.png' };

// updateUrl: the gateway's update manifest, written only in a build for a self-hosted deployment.
export function manifest(target, version, updateUrl) {
  const m = {
    manifest_version: 3,
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'fr',
    version,
    icons,
    action: { default_popup: 'popup.html', default_title: '__MSG_actionTitle__', default_icon: icons },
    options_ui: { page: 'options.html', open_in_tab: true },
    permissions: ['storage', 'contextMenus', 'notifications', 'alarms', 'scripting', 'clipboardWrite', 'identity'],
    // No site access at install: every calendar (Outlook and Google included) is asked for from the options
    // page, one origin at a time, and its content script registered at run time.
    optional_host_permissions: ['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*'],
    commands: {
      'create-meeting': { suggested_key: { default: 'Alt+Shift+V' }, description: '__MSG_commandCreate__' },
      _execute_action: { suggested_key: { default: 'Alt+Shift+K' } },
    },
    content_security_policy: { extension_pages: CSP },
  };
  if (target === 'chromium') {
    m.minimum_chrome_version = '116';
    m.background = { service_worker: 'background.js' };
    m.permissions.push('offscreen');
    m.storage = { managed_schema: 'managed-schema.json' };
    if (updateUrl) m.update_url = updateUrl;
  } else {
    m.background = { scripts: ['background.js'] };
    m.browser_specific_settings = { gecko: { id: GECKO_ID, strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } } };
    if (updateUrl) m.browser_specific_settings.gecko.update_url = updateUrl;
  }
  return m;
}
