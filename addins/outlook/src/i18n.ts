/** Words the add-in shows (notifications, task pane). French first; English for an English display language. */
import { langFor } from '@visio/shared/lang';
import type { Lang } from '@visio/shared';

export function langFromOffice(displayLanguage: string | undefined, override?: string | null): Lang {
  return langFor(displayLanguage, override);
}

const fr = {
  adding: 'Ajout de la réunion Visio…',
  added: 'Réunion Visio ajoutée : le lien est dans le lieu et l’invitation.',
  updated: 'Réunion Visio mise à jour.',
  removing: 'Retrait de la réunion Visio…',
  removed: 'Réunion Visio retirée.',
  removedKept: 'Réunion Visio retirée de l’élément ; le service n’a pas pu supprimer la salle.',
  nothingToRemove: 'Cet élément ne contient pas de réunion Visio.',
  inserting: 'Insertion du lien Visio…',
  inserted: 'Lien Visio inséré.',
  noLink: 'Aucun lien Visio dans cet élément.',
  opening: 'Ouverture de la réunion Visio…',
  switching: 'Passage à Visio…',
  // {names}: the services left, e.g. "Microsoft Teams" or "Microsoft Teams et Zoom"; switchedMany when too long for a notification.
  switched: 'Passé de {names} à Visio : envoyez la mise à jour aux invités. L’ancienne réunion existe jusqu’à ce que son organisateur la supprime.',
  switchedMany: 'Passé à Visio : envoyez la mise à jour aux invités. Les anciennes réunions existent jusqu’à ce que leur organisateur les supprime.',
  namesJoin: ' et ',
  nothingToSwitch: 'Cet élément ne contient pas de réunion Teams, Zoom, Webex, Google Meet, GoTo, Whereby ou BlueJeans.',
  failedPrefix: 'Échec : ',
  unchanged: ' L’élément n’a pas été modifié.',
  office: {
    permission: 'Outlook refuse la modification de cet élément (droits insuffisants ou élément en lecture seule).',
    busy: 'Outlook est occupé par une autre modification. Réessayez dans un instant.',
    tooLarge: 'Le corps de l’élément dépasserait la limite d’Outlook (1 000 000 caractères).',
    locationTooLong: 'Le lieu dépasserait la limite d’Outlook (255 caractères) : raccourcissez-le, puis réessayez.',
    propertiesTooLarge: 'Les données de Visio sur cet élément dépasseraient la limite d’Outlook (2 500 caractères).',
    dialogBlocked: 'La fenêtre n’a pas pu s’ouvrir : autorisez Outlook à ouvrir une fenêtre, puis réessayez.',
    network: 'Outlook n’a pas pu enregistrer l’élément : vérifiez la connexion.',
    unsupported: 'Cette version d’Outlook ne permet pas cette action.',
    other: 'Outlook a refusé la modification.',
  },
  notSignedIn: 'Connectez-vous à Visio depuis le volet Visio, puis réessayez.',
  autoAddNoSignIn: 'Ajout automatique impossible ici : Outlook ne lui transmet pas votre connexion Visio. Utilisez « Ajouter une réunion Visio ».',
} as const;

type Strings = { [K in keyof typeof fr]: (typeof fr)[K] extends string ? string : { [L in keyof (typeof fr)[K]]: string } };

const en: Strings = {
  adding: 'Adding the Visio meeting…',
  added: 'Visio meeting added: the link is in the location and the invitation.',
  updated: 'Visio meeting updated.',
  removing: 'Removing the Visio meeting…',
  removed: 'Visio meeting removed.',
  removedKept: 'Visio meeting removed from the item; the service could not delete the room.',
  nothingToRemove: 'This item holds no Visio meeting.',
  inserting: 'Inserting the Visio link…',
  inserted: 'Visio link inserted.',
  noLink: 'No Visio link in this item.',
  opening: 'Opening the Visio meeting…',
  switching: 'Switching to Visio…',
  switched: 'Moved from {names} to Visio: send the update to the attendees. The old meeting exists until its organiser deletes it.',
  switchedMany: 'Moved to Visio: send the update to the attendees. The old meetings exist until their organisers delete them.',
  namesJoin: ' and ',
  nothingToSwitch: 'This item holds no Teams, Zoom, Webex, Google Meet, GoTo, Whereby or BlueJeans meeting.',
  failedPrefix: 'Failed: ',
  unchanged: ' The item was not changed.',
  office: {
    permission: 'Outlook does not allow changing this item (missing rights or read-only item).',
    busy: 'Outlook is busy with another change. Try again in a moment.',
    tooLarge: 'The item’s body would exceed Outlook’s limit (1,000,000 characters).',
    locationTooLong: 'The location would exceed Outlook’s limit (255 characters): shorten it, then try again.',
    propertiesTooLarge: 'Visio’s data on this item would exceed Outlook’s limit (2,500 characters).',
    dialogBlocked: 'The window could not open: allow Outlook to open a window, then try again.',
    network: 'Outlook could not save the item: check the connection.',
    unsupported: 'This version of Outlook does not allow this action.',
    other: 'Outlook refused the change.',
  },
  notSignedIn: 'Sign in to Visio from the Visio pane, then try again.',
  autoAddNoSignIn: 'Automatic add is not possible here: Outlook does not pass your Visio sign-in to it. Use “Add Visio meeting”.',
};

export const STRINGS: Record<Lang, Strings> = { fr, en };
export type { Strings };

/** Outlook shows at most 150 characters in a notification message. */
export const NOTIFICATION_MAX = 150;

export function clampNotification(message: string): string {
  return message.length <= NOTIFICATION_MAX ? message : `${message.slice(0, NOTIFICATION_MAX - 1)}…`;
}
