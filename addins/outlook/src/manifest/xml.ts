/**
 * The XML add-in-only manifest (reaches every Outlook: web, Windows classic and new, Mac, iOS, Android).
 * VersionOverrides 1.0 carries the commands for older clients; 1.1 adds the runtimes and event-based
 * activation. Element order follows Microsoft's schema (checked in the tests).
 */
import { escapeHtml as x } from '@visio/shared/html';
import { iconQuery, xmlVersion, type AddinRelease } from './release.js';
import {
  ADDIN_ID,
  ADDIN_PATH,
  COMMANDS,
  DESCRIPTION,
  FILES,
  GROUP_LABEL,
  ICON_SIZES,
  LAUNCH_EVENTS,
  MEETING_ICON_SIZES,
  MOBILE_ICON_SCALES,
  NAME,
  PROVIDER,
  type Label,
  type Surface,
} from './source.js';

const SURFACE_POINTS: Record<Surface, string> = {
  appointmentOrganizer: 'AppointmentOrganizerCommandSurface',
  messageCompose: 'MessageComposeCommandSurface',
  appointmentAttendee: 'AppointmentAttendeeCommandSurface',
  messageRead: 'MessageReadCommandSurface',
};

function localized(element: string, label: Label, attribute = 'DefaultValue'): string {
  return `<${element} ${attribute}="${x(label.fr)}"><Override Locale="en-US" Value="${x(label.en)}"/></${element}>`;
}

function resString(id: string, label: Label): string {
  return `<bt:String id="${id}" DefaultValue="${x(label.fr)}"><bt:Override Locale="en-US" Value="${x(label.en)}"/></bt:String>`;
}

function icons(): string {
  return `<Icon><bt:Image size="16" resid="Icon.16"/><bt:Image size="32" resid="Icon.32"/><bt:Image size="80" resid="Icon.80"/></Icon>`;
}

// SupportsPinning exists only in the 1.1 schema: the 1.0 ShowTaskpane action holds SourceLocation alone.
function control(surface: Surface, c: (typeof COMMANDS)[number], v11: boolean): string {
  const pinning = v11 ? '<SupportsPinning>true</SupportsPinning>' : '';
  const action = c.functionName
    ? `<Action xsi:type="ExecuteFunction"><FunctionName>${c.functionName}</FunctionName></Action>`
    : `<Action xsi:type="ShowTaskpane"><SourceLocation resid="Taskpane.Url"/>${pinning}</Action>`;
  return (
    `<Control xsi:type="Button" id="${c.id}.${surface}"><Label resid="${c.id}.Label"/>` +
    `<Supertip><Title resid="${c.id}.Label"/><Description resid="${c.id}.Tip"/></Supertip>${icons()}${action}</Control>`
  );
}

function desktopPoints(v11: boolean): string {
  return (Object.keys(SURFACE_POINTS) as Surface[])
    .map((surface) => {
      const controls = COMMANDS.filter((c) => c.surfaces.includes(surface))
        .map((c) => control(surface, c, v11))
        .join('');
      return `<ExtensionPoint xsi:type="${SURFACE_POINTS[surface]}"><OfficeTab id="TabDefault"><Group id="visio.${surface}"><Label resid="Group.Label"/>${controls}</Group></OfficeTab></ExtensionPoint>`;
    })
    .join('');
}

function mobilePoints(): string {
  const add = COMMANDS.find((c) => c.id === 'addVisioMeeting')!;
  const join = COMMANDS.find((c) => c.id === 'joinVisioMeeting')!;
  const iconList = (prefix: string) =>
    `<Icon xsi:type="bt:MobileIconList">${MOBILE_ICON_SCALES.map(({ size, scale }) => `<bt:Image size="${size}" scale="${scale}" resid="${prefix}.${size * scale}"/>`).join('')}</Icon>`;
  const mobileIcons = iconList('Icon');
  return (
    // The online-meeting surface: Outlook mobile shows it in the meeting form's online-meeting switch. Microsoft
    // asks for one function command and grayscale (#919191) icons there.
    `<ExtensionPoint xsi:type="MobileOnlineMeetingCommandSurface"><Control xsi:type="MobileButton" id="${add.id}.mobile"><Label resid="${add.id}.Label"/>${iconList('MeetingIcon')}<Action xsi:type="ExecuteFunction"><FunctionName>${add.functionName}</FunctionName></Action></Control></ExtensionPoint>` +
    `<ExtensionPoint xsi:type="MobileMessageReadCommandSurface"><Group id="visio.mobileRead"><Label resid="Group.Label"/><Control xsi:type="MobileButton" id="${join.id}.mobile"><Label resid="${join.id}.Label"/>${mobileIcons}<Action xsi:type="ExecuteFunction"><FunctionName>${join.functionName}</FunctionName></Action></Control></Group></ExtensionPoint>`
  );
}

function resources(base: string, query: string, mobile: boolean): string {
  const image = (id: string, file: string) => `<bt:Image id="${id}" DefaultValue="${x(`${base}/${file}${query}`)}"/>`;
  const images = [...ICON_SIZES.map((s) => image(`Icon.${s}`, FILES.icon(s))), ...(mobile ? MEETING_ICON_SIZES.map((s) => image(`MeetingIcon.${s}`, FILES.meetingIcon(s))) : [])].join('');
  const urls = [
    `<bt:Url id="Commands.Url" DefaultValue="${x(`${base}/${FILES.commandsPage}`)}"/>`,
    `<bt:Url id="CommandsJs.Url" DefaultValue="${x(`${base}/${FILES.commandsScript}`)}"/>`,
    `<bt:Url id="Taskpane.Url" DefaultValue="${x(`${base}/${FILES.taskpane}`)}"/>`,
  ].join('');
  const short = [resString('Group.Label', GROUP_LABEL), ...COMMANDS.map((c) => resString(`${c.id}.Label`, c.label))].join('');
  const long = COMMANDS.map((c) => resString(`${c.id}.Tip`, c.tip)).join('');
  return `<Resources><bt:Images>${images}</bt:Images><bt:Urls>${urls}</bt:Urls><bt:ShortStrings>${short}</bt:ShortStrings><bt:LongStrings>${long}</bt:LongStrings></Resources>`;
}

export function renderXmlManifest(publicUrl: string, release: AddinRelease): string {
  const origin = publicUrl.replace(/\/+$/, '');
  const base = `${origin}${ADDIN_PATH}`;
  const query = iconQuery(release);
  const launch = LAUNCH_EVENTS.map((e) => `<LaunchEvent Type="${e.xml}" FunctionName="${e.functionName}"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0" xmlns:mailappor="http://schemas.microsoft.com/office/mailappversionoverrides/1.0" xsi:type="MailApp">
<Id>${ADDIN_ID}</Id>
<Version>${xmlVersion(release)}</Version>
<ProviderName>${x(PROVIDER)}</ProviderName>
<DefaultLocale>fr-FR</DefaultLocale>
${localized('DisplayName', NAME)}
${localized('Description', DESCRIPTION)}
<IconUrl DefaultValue="${x(`${base}/${FILES.icon(64)}${query}`)}"/>
<HighResolutionIconUrl DefaultValue="${x(`${base}/${FILES.icon(128)}${query}`)}"/>
<SupportUrl DefaultValue="${x(`${origin}/`)}"/>
<AppDomains><AppDomain>${x(origin)}</AppDomain></AppDomains>
<Hosts><Host Name="Mailbox"/></Hosts>
<Requirements><Sets><Set Name="Mailbox" MinVersion="1.1"/></Sets></Requirements>
<FormSettings><Form xsi:type="ItemRead"><DesktopSettings><SourceLocation DefaultValue="${x(`${base}/${FILES.taskpane}`)}"/><RequestedHeight>250</RequestedHeight></DesktopSettings></Form><Form xsi:type="ItemEdit"><DesktopSettings><SourceLocation DefaultValue="${x(`${base}/${FILES.taskpane}`)}"/></DesktopSettings></Form></FormSettings>
<Permissions>ReadWriteItem</Permissions>
<Rule xsi:type="RuleCollection" Mode="Or"><Rule xsi:type="ItemIs" ItemType="Appointment" FormType="Edit"/><Rule xsi:type="ItemIs" ItemType="Message" FormType="Edit"/><Rule xsi:type="ItemIs" ItemType="Appointment" FormType="Read"/><Rule xsi:type="ItemIs" ItemType="Message" FormType="Read"/></Rule>
<DisableEntityHighlighting>false</DisableEntityHighlighting>
<VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides" xsi:type="VersionOverridesV1_0">
<Requirements><bt:Sets DefaultMinVersion="1.3"><bt:Set Name="Mailbox"/></bt:Sets></Requirements>
<Hosts><Host xsi:type="MailHost"><DesktopFormFactor><FunctionFile resid="Commands.Url"/>${desktopPoints(false)}</DesktopFormFactor></Host></Hosts>
${resources(base, query, false)}
<VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.1" xsi:type="VersionOverridesV1_1">
<Requirements><bt:Sets DefaultMinVersion="1.3"><bt:Set Name="Mailbox"/></bt:Sets></Requirements>
<Hosts><Host xsi:type="MailHost">
<Runtimes><Runtime resid="Commands.Url"><Override type="javascript" resid="CommandsJs.Url"/></Runtime></Runtimes>
<DesktopFormFactor><SupportsSharedFolders>true</SupportsSharedFolders><FunctionFile resid="Commands.Url"/>${desktopPoints(true)}<ExtensionPoint xsi:type="LaunchEvent"><LaunchEvents>${launch}</LaunchEvents><SourceLocation resid="Commands.Url"/></ExtensionPoint></DesktopFormFactor>
<MobileFormFactor><FunctionFile resid="Commands.Url"/>${mobilePoints()}</MobileFormFactor>
</Host></Hosts>
${resources(base, query, true)}
</VersionOverrides>
</VersionOverrides>
</OfficeApp>
`;
}
