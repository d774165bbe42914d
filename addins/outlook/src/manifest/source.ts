/** The one description both manifests are generated from: ids, commands, surfaces and labels (fr first). */

export const ADDIN_ID = '4f1c6c8e-2b7a-4d3e-9a51-7c0e5f2d9b31';
/** Where the add-in lives under the gateway. */
export const ADDIN_PATH = '/outlook';

export interface Label {
  fr: string;
  en: string;
}

export type Surface = 'appointmentOrganizer' | 'messageCompose' | 'appointmentAttendee' | 'messageRead';

export interface CommandDef {
  id: string;
  /** Function name in the function file (ExecuteFunction), or null for the task pane. */
  functionName: string | null;
  surfaces: Surface[];
  label: Label;
  tip: Label;
}

export const NAME: Label = { fr: 'Visio', en: 'Visio' };
export const DESCRIPTION: Label = {
  fr: 'Ajoute une réunion Visio à vos rendez-vous et messages, et rejoint les réunions Visio en un clic.',
  en: 'Adds a Visio meeting to your appointments and messages, and joins Visio meetings in one click.',
};
export const SHORT_DESCRIPTION: Label = { fr: 'Réunions Visio dans Outlook', en: 'Visio meetings in Outlook' };
export const GROUP_LABEL: Label = { fr: 'Visio', en: 'Visio' };
export const PROVIDER = 'DINUM';

export const COMMANDS: CommandDef[] = [
  {
    id: 'addVisioMeeting',
    functionName: 'addVisioMeeting',
    surfaces: ['appointmentOrganizer'],
    label: { fr: 'Ajouter une réunion Visio', en: 'Add Visio meeting' },
    tip: { fr: 'Crée une réunion Visio et ajoute le lien au lieu et à l’invitation.', en: 'Creates a Visio meeting and adds its link to the location and the invitation.' },
  },
  {
    id: 'switchToVisio',
    functionName: 'switchToVisio',
    surfaces: ['appointmentOrganizer'],
    label: { fr: 'Passer à Visio', en: 'Switch to Visio' },
    tip: {
      fr: 'Remplace la réunion Teams, Zoom, Webex ou Google Meet de ce rendez-vous par une réunion Visio.',
      en: 'Replaces this appointment’s Teams, Zoom, Webex or Google Meet meeting with a Visio meeting.',
    },
  },
  {
    id: 'removeVisioMeeting',
    functionName: 'removeVisioMeeting',
    surfaces: ['appointmentOrganizer'],
    label: { fr: 'Retirer la réunion Visio', en: 'Remove Visio meeting' },
    tip: { fr: 'Retire le lien et le bloc Visio de ce rendez-vous.', en: 'Removes the Visio link and block from this appointment.' },
  },
  {
    id: 'insertVisioLink',
    functionName: 'insertVisioLink',
    surfaces: ['messageCompose'],
    label: { fr: 'Insérer un lien Visio', en: 'Insert Visio link' },
    tip: { fr: 'Crée une réunion Visio et insère son invitation à l’emplacement du curseur.', en: 'Creates a Visio meeting and inserts its invitation at the cursor.' },
  },
  {
    id: 'joinVisioMeeting',
    functionName: 'joinVisioMeeting',
    surfaces: ['appointmentAttendee', 'messageRead'],
    label: { fr: 'Rejoindre Visio', en: 'Join Visio' },
    tip: { fr: 'Ouvre la réunion Visio de cet élément dans le navigateur.', en: 'Opens this item’s Visio meeting in the browser.' },
  },
  {
    id: 'openVisioPane',
    functionName: null,
    surfaces: ['appointmentOrganizer', 'messageCompose', 'appointmentAttendee', 'messageRead'],
    label: { fr: 'Volet Visio', en: 'Visio pane' },
    tip: { fr: 'Connexion, réglages et réunion Visio de cet élément.', en: 'Sign-in, settings and this item’s Visio meeting.' },
  },
];

export const LAUNCH_EVENTS = [
  { xml: 'OnNewAppointmentOrganizer', json: 'newAppointmentOrganizer', functionName: 'onNewAppointmentOrganizer' },
  { xml: 'OnAppointmentTimeChanged', json: 'appointmentTimeChanged', functionName: 'onAppointmentChanged' },
  { xml: 'OnAppointmentAttendeesChanged', json: 'appointmentAttendeesChanged', functionName: 'onAppointmentChanged' },
] as const;

// Desktop buttons 16/32/80; mobile 25/32/48 at scales 1-3; store icons 64/128.
export const ICON_SIZES = [16, 25, 32, 48, 50, 64, 75, 80, 96, 128, 144] as const;

/** Mobile buttons: sizes 25/32/48 at scales 1-3 (nine images). */
export const MOBILE_ICON_SCALES = [25, 32, 48].flatMap((size) => [1, 2, 3].map((scale) => ({ size, scale })));

// The mobile online-meeting surface's grayscale icons: 25/32/48 at scales 1-3.
export const MEETING_ICON_SIZES = [25, 32, 48, 50, 64, 75, 96, 144] as const;

/** Files, relative to the add-in's folder on the gateway. */
export const FILES = {
  commandsPage: 'commands.html',
  commandsScript: 'commands.js',
  taskpane: 'taskpane.html',
  callback: 'auth-callback.html',
  icon: (size: number) => `icons/icon-${size}.png`,
  meetingIcon: (size: number) => `icons/meeting-${size}.png`,
  colorIcon: 'icons/color-192.png',
  outlineIcon: 'icons/outline-32.png',
};
