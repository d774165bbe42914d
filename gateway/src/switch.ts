/**
 * "Passer à Visio" on one CalDAV event: the foreign meeting (Teams, Zoom…) is taken out of the object
 * (description blocks, X-MICROSOFT-* / X-GOOGLE-CONFERENCE / CONFERENCE / URL, LOCATION parts) and a
 * Visio room is added through the very path of "add Visio" (calendars.addVisio), so a series gets one
 * room, writes are conditional and a repeat changes nothing.
 */
import type { Lang } from '@visio/shared';
import type { Scheduling, SwitchEventResult } from '@visio/shared/contract';
import { FOREIGN_PROVIDER_NAMES, findForeignMeetings, removeForeignMeetings, type ForeignProvider } from '@visio/shared/foreign-meetings';
import { readRoomFromIcs } from '@visio/shared/ics';
import { findVisioLinks } from '@visio/shared/links';
import type { CalendarEventRefParsed } from './calendar-types.js';
import type { CalendarService } from './calendars.js';
import type { CaldavSession } from './caldav/client.js';
import type { User } from './identity.js';
import { ProblemError } from './problem.js';

export const noForeignMeeting = () =>
  new ProblemError(422, 'noForeignMeeting', 'No foreign meeting', 'This event holds no Teams, Zoom, Webex, Google Meet, GoTo, Whereby or BlueJeans meeting, and no Visio room: it was left unchanged.');

/** The agent's sentences after a switch: who gets the update, and what remains on the old service. */
export function switchNotices(lang: Lang, providers: readonly ForeignProvider[], scheduling: Scheduling): string[] {
  const fr = lang === 'fr';
  const notices: string[] = [];
  // Who gets the update, as the scheduling decision says it (only what the server confirmed counts as sent).
  if (scheduling.invitationsSent || scheduling.action !== 'none') notices.push(scheduling.message);
  for (const provider of providers) {
    const name = FOREIGN_PROVIDER_NAMES[provider];
    notices.push(
      fr ? `La réunion ${name} existe toujours sur ce service jusqu'à ce que son organisateur la supprime.` : `The ${name} meeting still exists on that service until its organiser deletes it.`,
    );
  }
  return notices;
}

/**
 * Raises SEQUENCE (RFC 5546 2.1.4) of every VEVENT, as addRoomToIcs does when it adds a room: needed when
 * the event already had its Visio room and only the foreign meeting goes, so attendees still get the update.
 */
export function raiseSequence(ics: string): string {
  const nl = ics.includes('\r\n') ? '\r\n' : '\n';
  let inEvent = false;
  let seen = false;
  const out: string[] = [];
  for (const line of ics.split(/\r?\n/)) {
    if (/^BEGIN:VEVENT$/i.test(line)) [inEvent, seen] = [true, false];
    const sequence = inEvent ? /^SEQUENCE(;[^:]*)?:(\d{1,9})$/i.exec(line) : null;
    if (sequence) {
      out.push(`SEQUENCE${sequence[1] ?? ''}:${Number(sequence[2]) + 1}`);
      seen = true;
      continue;
    }
    if (/^END:VEVENT$/i.test(line)) {
      if (!seen) out.push('SEQUENCE:1');
      inEvent = false;
    }
    out.push(line);
  }
  return out.join(nl);
}

export function createSwitchService(calendars: CalendarService, instanceUrl: string) {
  return {
    async switchEvent(user: User, s: CaldavSession, ref: CalendarEventRefParsed): Promise<SwitchEventResult> {
      let providers: ForeignProvider[] = [];
      const prepare = (ics: string): string => {
        const scan = findForeignMeetings(ics);
        providers = scan.providers;
        if (scan.spans.length > 0) {
          const removed = removeForeignMeetings(ics, scan);
          // Already on Visio: addVisio keeps the room and will not raise SEQUENCE itself.
          return readRoomFromIcs(removed) || findVisioLinks(removed, instanceUrl).length > 0 ? raiseSequence(removed) : removed;
        }
        // Already on Visio (a repeat): addVisio answers unchanged. Otherwise there is nothing to switch.
        if (readRoomFromIcs(ics) || findVisioLinks(ics, instanceUrl).length > 0) return ics;
        throw noForeignMeeting();
      };
      const result = await calendars.addVisio(user, s, ref, { prepare });
      if (!result.changed) providers = [];
      return { ...result, providers, notices: result.changed ? switchNotices(ref.lang, providers, result.scheduling) : [] };
    },
  };
}

export type SwitchService = ReturnType<typeof createSwitchService>;
