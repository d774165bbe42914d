// @ts-check
/**
 * The web calendars the extension enriches: the one table read by the build (one content script each,
 * `src/content/<id>.ts` → `content/<id>.js`, and the options page's choices), the settings and the
 * background. Plain JavaScript so that scripts/build.mjs reads it without a compiler.
 * `matches`: a public calendar at fixed addresses (ticked in the options, the browser asks for them);
 * without it, a self-hosted one whose origin the agent grants. Adding a calendar is one row here
 * (and its content module, fixture and tests: CONTRIBUTING.md).
 */
export const CALENDARS = /** @type {const} */ ([
  { id: 'outlook', name: 'Outlook (web)', matches: ['https://outlook.office.com/*', 'https://outlook.office365.com/*', 'https://outlook.live.com/*'] },
  { id: 'google', name: 'Google Agenda', matches: ['https://calendar.google.com/*'] },
  { id: 'nextcloud', name: 'Nextcloud' },
  { id: 'sogo', name: 'SOGo' },
  { id: 'zimbra', name: 'Zimbra' },
  { id: 'roundcube', name: 'Roundcube' },
]);
