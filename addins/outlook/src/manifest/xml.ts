/**
 * The XML add-in-only manifest (reaches every Outlook: web, Windows classic and new, Mac, iOS, Android).
 * VersionOverrides 1.0 carries the commands for older clients; 1.1 adds the runtimes and event-based
 * activation. Element order follows Microsoft's schema (checked in the tests).
 */
import { escapeHtml as x } from '@visio/shared/html';
import { ADDIN_ID, ADDIN_PATH, COMMANDS, DESCRIPTION, FILES, GROUP_LABEL, ICON_SIZES, LAUNCH_EVENTS, NAME, PROVIDER, type Label, type Surface } from './source.js';

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

function control(surface: Surface, c: (typeof COMMANDS)[number]): string {
  const action = c.functionName
    ? `<Action xsi:type="ExecuteFunction"><FunctionName>${c.functionName}</FunctionName></Action>`
    : `<Action xsi:type="ShowTaskpane"><SourceLocation resid="Taskpane.Url"/><SupportsPinning>true</SupportsPinning></Action>`;
  return (
    `<Control xsi:type="Button" id="${c.id}.${surface}"><Label resid="${c.id}.Label"/>` +
    `<Supertip><Title resid="${c.id}.Label"/><Description resid="${c.id}.Tip"/></Supertip>${icons()}${action}</Control>`
  );
}

function desktopPoints(): string {
  return (Object.keys(SURFACE_POINTS) as Surface[])
    .map((surface) => {
      const controls = COMMANDS.filter((c) => c.surfaces.includes(surface)).map((c) => control(surface, c)).join('');
      return `<ExtensionPoint xsi:type="${SURFACE_POINTS[surface]}"><OfficeTab id="TabDefault"><Group id="visio.${surface}"><Label resid="Group.Label"/>${controls}</Group></OfficeTab></ExtensionPoint>`;
    })
    .join('');
}

function mobilePoints(): string {
  const add = COMMANDS.find((c) => c.id === 'addVisioMeeting')!;
  const join = COMMANDS.find((c) => c.id === 'joinVisioMeeting')!;
  const mobileIcons = `<Icon xsi:type="bt:MobileIconList">${[25, 32, 48].flatMap((size) => [1, 2, 3].map((scale) => `<bt:Image size="${size}" scale="${scale}" resid="Icon.${size * scale}"/>`)).join('')}</Icon>`;
  return (
    // The online-meeting style: Outlook mobile shows it in the meeting form's online meeting switch.
    `<ExtensionPoint xsi:type="MobileOnlineMeetingCommandSurface"><Control xsi:type="MobileButton" id="${add.id}.mobile"><Label resid="${add.id}.Label"/>${mobileIcons}<Action xsi:type="ExecuteFunction"><FunctionName>${add.functionName}</FunctionName></Action></Control></ExtensionPoint>` +
    `<ExtensionPoint xsi:type="MobileMessageReadCommandSurface"><Group id="visio.mobileRead"><Label resid="Group.Label"/><Control xsi:type="MobileButton" id="${join.id}.mobile"><Label resid="${join.id}.Label"/>${mobileIcons}<Action xsi:type="ExecuteFunction"><FunctionName>${join.functionName}</FunctionName></Action></Control></Group></ExtensionPoint>`
  );
}

function resources(base: string): string {
  const images = ICON_SIZES.map((s) => `<bt:Image id="Icon.${s}" DefaultValue="${x(`${base}/${FILES.icon(s)}`)}"/>`).join('');
  const urls = [
    `<bt:Url id="Commands.Url" DefaultValue="${x(`${base}/${FILES.commandsPage}`)}"/>`,
    `<bt:Url id="CommandsJs.Url" DefaultValue="${x(`${base}/${FILES.commandsScript}`)}"/>`,
    `<bt:Url id="Taskpane.Url" DefaultValue="${x(`${base}/${FILES.taskpane}`)}"/>`,
  ].join('');
  const short = [resString('Group.Label', GROUP_LABEL), ...COMMANDS.map((c) => resString(`${c.id}.Label`, c.label))].join('');
  const long = COMMANDS.map((c) => resString(`${c.id}.Tip`, c.tip)).join('');
  return `<Resources><bt:Images>${images}</bt:Images><bt:Urls>${urls}</bt:Urls><bt:ShortStrings>${short}</bt:ShortStrings><bt:LongStrings>${long}</bt:LongStrings></Resources>`;
}

export function renderXmlManifest(publicUrl: string): string {
  const origin = publicUrl.replace(/\/+$/, '');
  const base = `${origin}${ADDIN_PATH}`;
  const launch = LAUNCH_EVENTS.map((e) => `<LaunchEvent Type="${e.xml}" FunctionName="${e.functionName}"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0" xmlns:mailappor="http://schemas.microsoft.com/office/mailappversionoverrides/1.0" xsi:type="MailApp">
<Id>${ADDIN_ID}</Id>
<Version>1.0.0.0</Version>
<ProviderName>${x(PROVIDER)}</ProviderName>
<DefaultLocale>fr-FR</DefaultLocale>
${localized('DisplayName', NAME)}
${localized('Description', DESCRIPTION)}
<IconUrl DefaultValue="${x(`${base}/${FILES.icon(64)}`)}"/>
<HighResolutionIconUrl DefaultValue="${x(`${base}/${FILES.icon(128)}`)}"/>
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
<Hosts><Host xsi:type="MailHost"><DesktopFormFactor><FunctionFile resid="Commands.Url"/>${desktopPoints()}</DesktopFormFactor></Host></Hosts>
${resources(base)}
<VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.1" xsi:type="VersionOverridesV1_1">
<Requirements><bt:Sets DefaultMinVersion="1.3"><bt:Set Name="Mailbox"/></bt:Sets></Requirements>
<Hosts><Host xsi:type="MailHost">
<Runtimes><Runtime resid="Commands.Url"><Override type="javascript" resid="CommandsJs.Url"/></Runtime></Runtimes>
<DesktopFormFactor><FunctionFile resid="Commands.Url"/>${desktopPoints()}<ExtensionPoint xsi:type="LaunchEvent"><LaunchEvents>${launch}</LaunchEvents><SourceLocation resid="Commands.Url"/></ExtensionPoint></DesktopFormFactor>
<MobileFormFactor><FunctionFile resid="Commands.Url"/>${mobilePoints()}</MobileFormFactor>
</Host></Hosts>
${resources(base)}
</VersionOverrides>
</VersionOverrides>
</OfficeApp>
`;
}
