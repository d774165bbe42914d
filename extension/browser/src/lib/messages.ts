/** Messages between content scripts, pages and the background. Only the background talks to the gateway. */
import type { Lang } from '@visio/shared/types';
import type { CalendarId } from './settings.js';

export type Request =
  | { type: 'content-config'; calendar: CalendarId }
  | { type: 'create-for-event'; title?: string }
  /** A room added to an editor closed without saving: deleted, if this extension created it for an event. */
  | { type: 'release-room'; code: string }
  /** Have the editor holding the Add button `marker` report its times when saved (read in the page's main world). */
  | { type: 'watch-schedule'; reader: 'sogo'; marker: string }
  /** An editor holding this room's link was saved: its times (JSON, as watch-schedule's reader wrote them) become the room's schedule. */
  | { type: 'attach-room'; code: string; model: string }
  | { type: 'calendars-changed' }
  /** A calendar page: its event editor was recognised (`working`), or one is open and its fields were not found (`missing`). */
  | { type: 'calendar-status'; calendar: CalendarId; state: 'working' | 'missing' }
  | { type: 'sign-in' }
  /** What "Passer à Visio" would take out of an editor's fields (scanned here, so content scripts stay small). */
  | { type: 'foreign-cleanup'; body: string; location: string };

/** Answer to `foreign-cleanup`: the fields without the foreign meeting; no providers: nothing to switch from. */
export interface ForeignCleanupResult {
  providers: string[];
  /** The providers' names (Microsoft Teams, Zoom…), in the same order. */
  names: string[];
  body: string;
  location: string;
}

/**
 * Answer to `sign-in`: the popup shows `message` (describeError's sentence, in the agent's language) when it is
 * still open: as a notice when the agent `cancelled` (closed the window), as an error otherwise.
 */
export type SignInResult = { ok: true } | { ok: false; message: string; cancelled: boolean };

export interface ContentConfig {
  enabled: boolean;
  instanceUrl: string;
  lang: Lang;
  /** Add the meeting by itself to a new event's editor (the options' choice, or the administrator's). */
  autoAdd: boolean;
}

export type CreateForEventResult = { ok: true; url: string; code: string; html: string; text: string } | { ok: false; message: string };

/** What the options page shows per calendar (storage.local `calendarStatus`). */
export interface CalendarStatus {
  state: 'working' | 'missing';
  /** When the state was last reported, and on which origin. */
  at: number;
  origin: string;
  /** Last time the editor was recognised. */
  lastSeen?: number;
}
