/**
 * Whether invitations really went out after a calendar write, and what the agent must do otherwise
 * (RFC 6638). Pure: the gateway gathers the facts (is the server scheduling, the agent's calendar user
 * addresses, the stored object read back after the write) and this decides.
 *
 * Invitations count as sent only when the agent is the ORGANIZER and the server put a 1.x
 * SCHEDULE-STATUS (sent, delivered, pending) on every attendee. An attendee's copy changed by someone
 * else reaches nobody: only the organizer can send the update.
 */
import type { Scheduling } from './contract.js';
import type { Lang } from './types.js';
import type { SchedulingInfo } from './ics.js';

export interface SchedulingFacts {
  /** ORGANIZER and attendees (with SCHEDULE-STATUS) of the object as stored after the write. */
  stored: SchedulingInfo;
  /** The server advertises RFC 6638 `calendar-auto-schedule`. */
  serverSchedules: boolean;
  /** The agent's addresses (lower case, no `mailto:`): calendar-user-address-set, else the sign-in e-mail. */
  agent: ReadonlySet<string>;
  /** METHOD:REQUEST of the stored object, when one can be made (it has an ORGANIZER). */
  request?: string | undefined;
  lang?: Lang | undefined;
}

const confirmed = (status: string | null) => status !== null && /^1\.\d/.test(status);

export function decideScheduling(facts: SchedulingFacts): Scheduling {
  const { stored, serverSchedules, agent, request, lang = 'fr' } = facts;
  const base = { organizer: stored.organizer, attendees: stored.attendees };
  const mode = serverSchedules ? 'server' : 'client';
  if (stored.attendees.length === 0) return { mode: 'none', invitationsSent: false, action: 'none', message: schedulingMessage('none', lang), recipients: [], ...base };
  if (stored.organizer === null || !agent.has(stored.organizer)) {
    return { mode, invitationsSent: false, action: 'ask-organizer', message: schedulingMessage('ask-organizer', lang, stored.organizer), recipients: [], ...base };
  }
  const everyone = stored.attendees.map((a) => a.email);
  if (!serverSchedules) {
    return { mode, invitationsSent: false, action: 'send-invitation', message: schedulingMessage('send-invitation', lang), recipients: everyone, ...(request ? { ics: request } : {}), ...base };
  }
  if (stored.attendees.every((a) => a.status === null)) {
    return { mode, invitationsSent: false, action: 'unconfirmed', message: schedulingMessage('unconfirmed', lang), recipients: everyone, ...(request ? { ics: request } : {}), ...base };
  }
  const missed = stored.attendees.filter((a) => !confirmed(a.status)).map((a) => a.email);
  if (missed.length === 0) return { mode, invitationsSent: true, action: 'none', message: schedulingMessage('sent', lang), recipients: [], ...base };
  return {
    mode,
    invitationsSent: false,
    action: 'send-invitation',
    message: schedulingMessage('partly-sent', lang, missed.join(', ')),
    recipients: missed,
    ...(request ? { ics: request } : {}),
    ...base,
  };
}

/** Nothing was written, so nothing was sent and nothing is to be done. */
export function unchangedScheduling(lang: Lang = 'fr'): Scheduling {
  return { mode: 'none', invitationsSent: false, action: 'none', message: schedulingMessage('unchanged', lang), organizer: null, recipients: [], attendees: [] };
}

type MessageKey = 'none' | 'unchanged' | 'sent' | 'partly-sent' | 'send-invitation' | 'ask-organizer' | 'unconfirmed';

const MESSAGES: Record<Lang, Record<MessageKey, (detail: string | null) => string>> = {
  fr: {
    none: () => 'Aucun participant : aucune invitation à envoyer.',
    unchanged: () => 'La réunion n’a pas changé : aucune invitation à envoyer.',
    sent: () => 'Le serveur d’agenda a envoyé les invitations aux participants.',
    'partly-sent': (who) => `Le serveur d’agenda n’a pas pu inviter ${who} : envoyez-leur l’invitation (.ics) par courriel.`,
    'send-invitation': () => 'Ce serveur d’agenda n’envoie pas d’invitations : envoyez l’invitation (.ics) aux participants par courriel.',
    'ask-organizer': (organizer) =>
      organizer
        ? `Vous n’êtes pas l’organisateur : les participants n’ont pas été prévenus. Demandez à ${organizer} d’envoyer la mise à jour.`
        : 'La réunion n’a pas d’organisateur : les participants n’ont pas été prévenus. Prévenez-les vous-même.',
    unconfirmed: () => 'Le serveur d’agenda n’a pas confirmé l’envoi des invitations : vérifiez auprès des participants, ou envoyez-leur l’invitation (.ics).',
  },
  en: {
    none: () => 'No attendees: no invitation to send.',
    unchanged: () => 'The meeting did not change: no invitation to send.',
    sent: () => 'The calendar server sent the invitations to the attendees.',
    'partly-sent': (who) => `The calendar server could not invite ${who}: mail them the invitation (.ics).`,
    'send-invitation': () => 'This calendar server does not send invitations: mail the invitation (.ics) to the attendees.',
    'ask-organizer': (organizer) =>
      organizer ? `You are not the organizer: the attendees were not told. Ask ${organizer} to send the update.` : 'The meeting has no organizer: the attendees were not told. Let them know yourself.',
    unconfirmed: () => 'The calendar server did not confirm that it sent the invitations: check with the attendees, or mail them the invitation (.ics).',
  },
};

export function schedulingMessage(key: MessageKey, lang: Lang, detail: string | null = null): string {
  return MESSAGES[lang][key](detail);
}
