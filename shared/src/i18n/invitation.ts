/** Wording of the invitation block. French first; `{name}` is the instance name (default "Visio"). */
import type { Lang } from '../types.js';

export interface InvitationStrings {
  /** Heading and subject without a title. */
  meeting: string;
  /** Separator between heading and title: French puts a no-break space before the colon. */
  colon: string;
  join: string;
  byPhone: string;
  pin: string;
  help: string;
}

export const INVITATION_STRINGS: Record<Lang, InvitationStrings> = {
  fr: {
    meeting: 'Réunion {name}',
    colon: '\u00a0: ',
    join: 'Rejoindre la réunion',
    byPhone: 'Par téléphone',
    pin: 'Code',
    help: 'Rejoindre depuis un navigateur récent, sans installation : ouvrez le lien ci-dessus.',
  },
  en: {
    meeting: '{name} meeting',
    colon: ': ',
    join: 'Join the meeting',
    byPhone: 'By phone',
    pin: 'PIN',
    help: 'Join from an up-to-date web browser, nothing to install: open the link above.',
  },
};
