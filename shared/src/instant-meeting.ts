/**
 * "Download .ics" for a room without a meeting yet (the extension's popup, the gateway's page): the
 * meeting starts at the next quarter hour and lasts one hour, in the agent's time zone (Europe/Paris when
 * the browser gives none), and the file the gateway renders is saved through a temporary link.
 */
import type { IcsRequest } from './contract.js';
import type { Lang } from './types.js';

const QUARTER_HOUR_MS = 15 * 60_000;
const ONE_HOUR_MS = 60 * 60_000;
export const FALLBACK_TIME_ZONE = 'Europe/Paris';

/** The gateway's /v1/ics request for an instant meeting in `room`. */
export function instantMeeting(
  input: { room: string; title: string; lang: Lang },
  now: number = Date.now(),
  timeZone: string | undefined = Intl.DateTimeFormat().resolvedOptions().timeZone,
): IcsRequest {
  const start = Math.ceil(now / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  return {
    title: input.title,
    start: new Date(start).toISOString(),
    end: new Date(start + ONE_HOUR_MS).toISOString(),
    timeZone: timeZone || FALLBACK_TIME_ZONE,
    room: input.room,
    lang: input.lang,
  };
}

/** Saves the file in the browser's downloads (a temporary object URL, revoked after the click). */
export function saveIcsFile(file: { ics: string; filename: string }, doc: Document = document): void {
  const url = URL.createObjectURL(new Blob([file.ics], { type: 'text/calendar' }));
  const a = Object.assign(doc.createElement('a'), { href: url, download: file.filename });
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
