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
  failedPrefix: 'Échec : ',
  unchanged: ' L’élément n’a pas été modifié.',
  office: {
    permission: 'Outlook refuse la modification de cet élément (droits insuffisants ou élément en lecture seule).',
    busy: 'Outlook est occupé par une autre modification. Réessayez dans un instant.',
    tooLarge: 'Le corps de l’élément est trop long pour qu’Outlook accepte la modification.',
    network: 'Outlook n’a pas pu enregistrer l’élément : vérifiez la connexion.',
    unsupported: 'Cette version d’Outlook ne permet pas cette action.',
    other: 'Outlook a refusé la modification.',
  },
  notSignedIn: 'Connectez-vous à Visio depuis le volet Visio, puis réessayez.',
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
  failedPrefix: 'Failed: ',
  unchanged: ' The item was not changed.',
  office: {
    permission: 'Outlook does not allow changing this item (missing rights or read-only item).',
    busy: 'Outlook is busy with another change. Try again in a moment.',
    tooLarge: 'The item’s body is too long for Outlook to accept the change.',
    network: 'Outlook could not save the item: check the connection.',
    unsupported: 'This version of Outlook does not allow this action.',
    other: 'Outlook refused the change.',
  },
  notSignedIn: 'Sign in to Visio from the Visio pane, then try again.',
};

export const STRINGS: Record<Lang, Strings> = { fr, en };
export type { Strings };

/** Outlook shows at most 150 characters in a notification message. */
export const NOTIFICATION_MAX = 150;

export function clampNotification(message: string): string {
  return message.length <= NOTIFICATION_MAX ? message : `${message.slice(0, NOTIFICATION_MAX - 1)}…`;
}
