/** What an agent is told when opening the link of a room that was ended (gateway page and clients' Join). */
import type { Lang } from './types.js';

export interface RoomEndedText {
  heading: string;
  detail: string;
}

/** `at` is an ISO instant; shown in `timeZone` (the meeting's, else Paris time). */
export function roomEndedText(lang: Lang, at: string, timeZone = 'Europe/Paris'): RoomEndedText {
  const when = new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone }).format(new Date(at));
  return lang === 'fr'
    ? { heading: 'Cette réunion est terminée', detail: `La salle Visio de cette réunion a été fermée le ${when}. Demandez un nouveau lien à l’organisateur si la réunion doit avoir lieu.` }
    : { heading: 'This meeting has ended', detail: `The Visio room of this meeting was closed on ${when}. Ask the organiser for a new link if the meeting is to take place.` };
}
