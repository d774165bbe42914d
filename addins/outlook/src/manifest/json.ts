/**
 * The unified (JSON) manifest for Microsoft 365, generated from the same source as the XML one. Labels use
 * localization keys: French in the manifest, English in the `en-us.json` localization file beside it.
 */
import { iconQuery, unifiedVersion, type AddinRelease } from './release.js';
import { ADDIN_ID, ADDIN_PATH, COMMANDS, MOBILE_ICON_SCALES, DESCRIPTION, FILES, GROUP_LABEL, LAUNCH_EVENTS, NAME, PROVIDER, SHORT_DESCRIPTION, type Surface } from './source.js';

export const JSON_MANIFEST_VERSION = '1.24';
export const LOCALIZATION_FILES = { fr: 'fr-fr.json', en: 'en-us.json' } as const;

const CONTEXTS: Record<Surface, string> = {
  appointmentOrganizer: 'meetingDetailsOrganizer',
  messageCompose: 'mailCompose',
  appointmentAttendee: 'meetingDetailsAttendee',
  messageRead: 'mailRead',
};

const key = (name: string) => `[[${name}]]`;

export function renderJsonManifest(publicUrl: string, release: AddinRelease): Record<string, unknown> {
  const origin = publicUrl.replace(/\/+$/, '');
  const base = `${origin}${ADDIN_PATH}`;
  const icon = (size: number) => ({ size, url: `${base}/${FILES.icon(size)}${iconQuery(release)}` });
  const buttonIcons = [icon(16), icon(32), icon(80)];
  const functions = COMMANDS.filter((c) => c.functionName);
  const pane = COMMANDS.find((c) => c.functionName === null)!;
  const mobileIcons = (file: (size: number) => string) => MOBILE_ICON_SCALES.flatMap(({ size, scale }) => ({ size, scale, url: `${base}/${file(size * scale)}${iconQuery(release)}` }));
  const mobileButton = (c: (typeof COMMANDS)[number], file: (size: number) => string) => ({
    id: `${c.id}.mobile`,
    type: 'mobileButton',
    label: key(`${c.id}Label`),
    icons: mobileIcons(file),
    actionId: c.functionName!,
  });
  const add = COMMANDS.find((c) => c.id === 'addVisioMeeting')!;
  const join = COMMANDS.find((c) => c.id === 'joinVisioMeeting')!;
  // Mobile, as in the XML manifest: the online-meeting surface (one function command, grayscale icons) and Join
  // on received items. Microsoft 365 generates the XML manifest mobile Outlook reads from these.
  const mobile = [
    { contexts: ['onlineMeetingDetailsOrganizer'], command: add, file: FILES.meetingIcon },
    { contexts: ['mailRead'], command: join, file: FILES.icon },
  ].map(({ contexts, command, file }) => ({
    requirements: { formFactors: ['mobile'] },
    contexts,
    tabs: [{ builtInTabId: 'TabDefault', customMobileRibbonGroups: [{ id: `visio.mobile.${contexts[0]}`, label: key('groupLabel'), controls: [mobileButton(command, file)] }] }],
  }));
  const ribbons = (Object.keys(CONTEXTS) as Surface[]).map((surface) => ({
    requirements: { formFactors: ['desktop'] },
    contexts: [CONTEXTS[surface]],
    tabs: [
      {
        builtInTabId: 'TabDefault',
        groups: [
          {
            id: `visio.${surface}`,
            label: key('groupLabel'),
            icons: buttonIcons,
            controls: COMMANDS.filter((c) => c.surfaces.includes(surface)).map((c) => ({
              id: `${c.id}.${surface}`,
              type: 'button',
              label: key(`${c.id}Label`),
              icons: buttonIcons,
              supertip: { title: key(`${c.id}Label`), description: key(`${c.id}Tip`) },
              actionId: c.functionName ?? c.id,
            })),
          },
        ],
      },
    ],
  }));
  return {
    $schema: `https://developer.microsoft.com/json-schemas/teams/v${JSON_MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: JSON_MANIFEST_VERSION,
    version: unifiedVersion(release),
    id: ADDIN_ID,
    localizationInfo: { defaultLanguageTag: 'fr-fr', defaultLanguageFile: LOCALIZATION_FILES.fr, additionalLanguages: [{ languageTag: 'en-us', file: LOCALIZATION_FILES.en }] },
    developer: { name: PROVIDER, websiteUrl: `${origin}/`, privacyUrl: `${origin}/`, termsOfUseUrl: `${origin}/` },
    name: { short: NAME.fr, full: NAME.fr },
    description: { short: SHORT_DESCRIPTION.fr, full: DESCRIPTION.fr },
    icons: { outline: FILES.outlineIcon, color: FILES.colorIcon },
    accentColor: '#000091',
    validDomains: [new URL(origin).host],
    authorization: { permissions: { resourceSpecific: [{ name: 'MailboxItem.ReadWrite.User', type: 'Delegated' }] } },
    extensions: [
      {
        requirements: { scopes: ['mail'], capabilities: [{ name: 'Mailbox', minVersion: '1.3' }] },
        runtimes: [
          {
            id: 'CommandsRuntime',
            type: 'general',
            code: { page: `${base}/${FILES.commandsPage}`, script: `${base}/${FILES.commandsScript}` },
            lifetime: 'short',
            actions: [
              ...functions.map((c) => ({ id: c.functionName!, type: 'executeFunction' })),
              ...[...new Set(LAUNCH_EVENTS.map((e) => e.functionName))].map((id) => ({ id, type: 'executeFunction' })),
            ],
          },
          {
            id: 'TaskpaneRuntime',
            type: 'general',
            code: { page: `${base}/${FILES.taskpane}` },
            lifetime: 'short',
            actions: [{ id: pane.id, type: 'openPage', pinnable: true }],
          },
        ],
        ribbons: [...ribbons, ...mobile],
        autoRunEvents: [
          {
            requirements: { capabilities: [{ name: 'Mailbox', minVersion: '1.10' }] },
            events: LAUNCH_EVENTS.map((e) => ({ type: e.json, actionId: e.functionName })),
          },
        ],
        // What Microsoft 365 needs to generate the XML manifest for clients without the unified one (Mac, mobile).
        alternates: [
          { alternateIcons: { icon: { size: 64, url: `${base}/${FILES.icon(64)}${iconQuery(release)}` }, highResolutionIcon: { size: 64, url: `${base}/${FILES.icon(128)}${iconQuery(release)}` } } },
        ],
      },
    ],
  };
}

/** The strings of `[[key]]` placeholders, in French (manifest) or English (localization file). */
export function localizationKeys(lang: 'fr' | 'en'): Record<string, string> {
  const keys: Record<string, string> = { [key('groupLabel')]: GROUP_LABEL[lang] };
  for (const c of COMMANDS) {
    keys[key(`${c.id}Label`)] = c.label[lang];
    keys[key(`${c.id}Tip`)] = c.tip[lang];
  }
  return keys;
}

export function renderJsonLocalization(lang: 'fr' | 'en'): Record<string, unknown> {
  return {
    $schema: `https://developer.microsoft.com/json-schemas/teams/v${JSON_MANIFEST_VERSION}/MicrosoftTeams.Localization.schema.json`,
    'name.short': NAME[lang],
    'name.full': NAME[lang],
    'description.short': SHORT_DESCRIPTION[lang],
    'description.full': DESCRIPTION[lang],
    localizationKeys: localizationKeys(lang),
  };
}
