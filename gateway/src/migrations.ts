/**
 * "Passer à Visio" for a whole calendar: plan (scan a time range for events with a foreign meeting), apply
 * (switch the events the agent organises, each through switch.ts), progress and report. Each event's
 * outcome is recorded once in the store, so a run stopped by a restart resumes where it was when applied
 * again, and no event gets two rooms (rooms are keyed by event UID). The CalDAV credentials live only in
 * the request that applies, never in the store.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Lang } from '@visio/shared';
import type { Migration, MigrationItem } from '@visio/shared/contract';
import { findForeignMeetings, type ForeignProvider } from '@visio/shared/foreign-meetings';
import { readEventInfo } from '@visio/shared/ics';
import type { CalendarService } from './calendars.js';
import type { CaldavSession } from './caldav/client.js';
import type { User } from './identity.js';
import type { Logger } from './logger.js';
import { ProblemError } from './problem.js';
import type { MigrationItemResult, Store, StoredMigration, StoredMigrationItem } from './store/store.js';
import type { SwitchService } from './switch.js';

const DAY = 86_400_000;
const MAX_SPAN = 731 * DAY;
const MAX_ITEMS = 5000;
/** Events switched at once: the CalDAV server sees two requests at a time, never a burst (SOGo serves one request per worker). */
const CONCURRENCY = 2;
/** A CalDAV server that drops a connection or answers 5xx is asked again, a little later, before the event counts as failed. */
const ATTEMPTS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ItemData {
  href: string;
  calendar: string;
  uid: string;
  title: string;
  next: string | null;
  recurring: boolean;
  providers: ForeignProvider[];
  organizer: boolean;
  action: 'convert' | 'askOrganizer';
}

const itemId = (href: string) => createHash('sha256').update(href).digest('base64url').slice(0, 22);
const notFound = () => new ProblemError(404, 'notFound', 'Not found', 'No such migration.');
const validation = (path: string, message: string) => new ProblemError(400, 'validation', 'Invalid request', `${path}: ${message}`, { errors: [{ path, message }] });

/** The master's ORGANIZER address, lower-cased; null when the event names none (the agent's own). */
function organizerOf(ics: string): string | null {
  const unfolded = ics.replace(/\r?\n[ \t]/g, '');
  const line = /^ORGANIZER[;:].*$/im.exec(unfolded)?.[0];
  const address = line ? /mailto:([^\s;"]+)/i.exec(line)?.[1] : null;
  return address ? address.toLowerCase() : null;
}

/**
 * `staleClaimMs`: the room service's limit after which a dead process's claim on an event's room is taken
 * over. An item whose room is still claimed (the gateway was stopped while switching it) waits that long.
 */
export function createMigrationService(deps: { calendars: CalendarService; switcher: SwitchService; store: Store; log: Logger; staleClaimMs?: number }) {
  const { calendars, switcher, store, log } = deps;
  // A little past the claim's takeover, so the last wait ends after it.
  const claimWaitMs = (deps.staleClaimMs ?? 60_000) + 5_000;
  const running = new Map<string, Promise<void>>();

  async function load(user: User, id: string) {
    const found = await store.getMigration(id);
    if (!found || found.migration.owner !== user.sub) throw notFound();
    return found;
  }

  function view(migration: StoredMigration, items: StoredMigrationItem[]): Migration {
    const counts: Migration['counts'] = {};
    let processed = 0;
    let toConvert = 0;
    let pending = 0;
    const out: MigrationItem[] = items.map((item) => {
      const data = item.data as unknown as ItemData;
      const provider = data.providers[0] ?? 'teams';
      const c = (counts[provider] ??= { found: 0, converted: 0, askOrganizer: 0, failed: 0 });
      c.found++;
      if (item.result === 'converted') c.converted++;
      if (item.result === 'askOrganizer') c.askOrganizer++;
      if (item.result === 'failed') c.failed++;
      if (data.action === 'convert' && item.result !== 'skipped') {
        toConvert++;
        if (item.result === 'pending') pending++;
        else processed++;
      }
      return { id: item.id, ...data, result: item.result, room: item.room, error: item.error };
    });
    const status = !migration.appliedAt ? 'planned' : running.has(migration.id) ? 'running' : pending > 0 ? 'interrupted' : 'done';
    return {
      id: migration.id,
      status,
      from: migration.from,
      to: migration.to,
      createdAt: migration.createdAt,
      total: items.length,
      processed,
      toConvert,
      counts,
      scheduling: migration.scheduling,
      items: out,
    };
  }

  async function run(user: User, open: () => CaldavSession, migration: StoredMigration, items: StoredMigrationItem[], lang: Lang): Promise<void> {
    const queue = items.filter((i) => (i.data as unknown as ItemData).action === 'convert' && (i.result === 'pending' || i.result === 'failed'));
    const record = (item: StoredMigrationItem, result: MigrationItemResult, room: string | null, error: string | null) => store.recordMigrationItem(migration.id, item.id, { result, room, error });
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const data = item.data as unknown as ItemData;
        try {
          let switched;
          const started = Date.now();
          for (let attempt = 1; ; attempt++) {
            try {
              // A fresh session per attempt: a session that met a network failure stays failed (guard.ts).
              switched = await switcher.switchEvent(user, open(), { calendar: data.calendar, href: data.href, lang });
              break;
            } catch (error) {
              // The event's room is claimed by a request still running, or by a process that died in the
              // middle of this item (a restart): waited for until the claim is taken over, not failed.
              const retryAfter = error instanceof ProblemError && error.status === 409 ? Number(error.extra.headers?.['retry-after']) : Number.NaN;
              if (retryAfter > 0 && Date.now() - started < claimWaitMs) {
                await sleep(retryAfter * 1000);
                attempt--;
                continue;
              }
              if (attempt === ATTEMPTS || !(error instanceof ProblemError) || error.status < 502) throw error;
              // A dropped kept-alive connection is retried at once; a failing server gets some time.
              if (attempt > 1) await sleep(250 * 2 ** attempt);
            }
          }
          // Unchanged with a room: an earlier run switched it and stopped before recording (restart).
          await record(item, 'converted', switched.room?.code ?? null, null);
        } catch (error) {
          if (error instanceof ProblemError && error.status === 422 && error.type === 'noForeignMeeting') {
            await record(item, 'unchanged', null, 'No foreign meeting any more: the event changed since the plan.');
          } else {
            const message = error instanceof ProblemError ? (error.detail ?? error.title) : 'Unexpected error';
            await record(item, 'failed', null, message.slice(0, 300));
            if (!(error instanceof ProblemError)) log.error('migration item failed', { migration: migration.id, error: (error as Error).message });
          }
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }

  return {
    async plan(user: User, s: CaldavSession, body: { from?: string | undefined; to?: string | undefined; calendars?: string[] | undefined; lang: Lang }, now = new Date()): Promise<Migration> {
      const from = body.from ? new Date(body.from) : now;
      const to = body.to ? new Date(body.to) : new Date(from.getTime() + 365 * DAY);
      if (to <= from) throw validation('to', 'must be after from');
      if (to.getTime() - from.getTime() > MAX_SPAN) throw validation('to', 'the range is at most two years');
      const wanted = body.calendars ? new Set(body.calendars.map((c) => new URL(c, s.server).href.replace(/\/?$/, '/'))) : null;
      const chosen = (await s.listCalendars()).filter((c) => c.acceptsEvents && (!wanted || wanted.has(c.url)));
      if (wanted && chosen.length < wanted.size) throw validation('calendars', 'unknown calendar, or one that does not take events');
      const mine = new Set((await s.userAddresses()).map((a) => a.replace(/^mailto:/i, '').toLowerCase()));
      mine.add(user.email.toLowerCase());
      const found: ItemData[] = [];
      let scheduling: StoredMigration['scheduling'] = 'unknown';
      for (const calendar of chosen) {
        const { objects, unreadable } = await s.inRange(calendar.url, from, to);
        if (unreadable) throw new ProblemError(502, 'upstream', 'CalDAV server error', `Scanning ${calendar.url} failed: ${unreadable.slice(0, 200)}.`);
        let any = false;
        // Expanded in the calendar service's worker pool, all of the calendar's objects queued at once: a
        // FREQ=SECONDLY series or a rule that never ends costs a worker its budget, not the event loop.
        const scanned = objects.map((object) => ({ object, scan: findForeignMeetings(object.data) }));
        const expanded = await Promise.all(scanned.map(({ object, scan }) => (scan.meetings.length === 0 ? null : calendars.expand(object.data, from, to))));
        for (const [index, { object, scan }] of scanned.entries()) {
          const expansion = expanded[index];
          if (!expansion) continue;
          if (!expansion.ok) {
            log.warn('migration plan: event not expanded', { kind: expansion.kind, reason: expansion.reason.slice(0, 200) });
            continue; // malformed on the server, or over its budget: nothing to convert safely
          }
          let info;
          try {
            info = readEventInfo(object.data);
          } catch {
            continue;
          }
          const occurrences = expansion.occurrences.filter((o) => o.status !== 'CANCELLED');
          if (occurrences.length === 0) continue;
          const organizer = organizerOf(object.data);
          const isMine = organizer === null || mine.has(organizer);
          const next = occurrences.map((o) => o.start).sort()[0] ?? null;
          found.push({
            href: object.url,
            calendar: calendar.url,
            uid: info.uid,
            title: info.title,
            next,
            recurring: /^RRULE[;:]/im.test(object.data) || occurrences.length > 1,
            providers: scan.providers,
            organizer: isMine,
            action: isMine ? 'convert' : 'askOrganizer',
          });
          any = true;
          if (found.length > MAX_ITEMS) throw validation('to', `more than ${MAX_ITEMS} events with a foreign meeting: choose a shorter range`);
        }
        if (any && scheduling !== 'server') scheduling = (await s.autoSchedules(calendar.url)) ? 'server' : 'client';
      }
      found.sort((a, b) => (a.next ?? '').localeCompare(b.next ?? ''));
      const migration: StoredMigration = { id: randomUUID(), owner: user.sub, createdAt: now.toISOString(), from: from.toISOString(), to: to.toISOString(), scheduling, appliedAt: null };
      const items: StoredMigrationItem[] = found.map((data, position) => ({
        id: itemId(data.href),
        position,
        data: data as unknown as Record<string, unknown>,
        result: data.action === 'convert' ? 'pending' : 'askOrganizer',
        room: null,
        error: null,
      }));
      await store.insertMigration(migration, items);
      log.info('migration planned', { migration: migration.id, events: items.length });
      return view(migration, items);
    },

    /** Starts (or resumes) converting; answers at once with the progress. `open` gives a CalDAV session (credentials held in memory for the run only). */
    async apply(user: User, open: () => CaldavSession, id: string, body: { items?: string[] | undefined; lang: Lang }): Promise<Migration> {
      const { items } = await load(user, id);
      if (!running.has(id)) {
        const convertible = items.filter((i) => (i.data as unknown as ItemData).action === 'convert');
        if (body.items) {
          const known = new Set(convertible.map((i) => i.id));
          const unknown = body.items.find((i) => !known.has(i));
          if (unknown) throw validation('items', `${unknown.slice(0, 40)} is not an event you organise in this migration`);
        }
        const chosen = new Set(body.items ?? convertible.map((i) => i.id));
        await store.markMigrationApplied(
          id,
          new Date().toISOString(),
          convertible.filter((i) => !chosen.has(i.id)).map((i) => i.id),
        );
        const fresh = (await store.getMigration(id))!;
        const job = run(user, open, fresh.migration, fresh.items, body.lang)
          .catch((error: unknown) => log.error('migration stopped', { migration: id, error: (error as Error).message }))
          .finally(() => running.delete(id));
        running.set(id, job);
      }
      const current = (await store.getMigration(id))!;
      return view(current.migration, current.items);
    },

    async get(user: User, id: string): Promise<Migration> {
      const { migration, items } = await load(user, id);
      return view(migration, items);
    },

    /** The per-event report as CSV (RFC 4180; cells that a spreadsheet would run as a formula are quoted with '). */
    async csv(user: User, id: string): Promise<string> {
      const m = await this.get(user, id);
      const cell = (v: unknown) => {
        let text = v === null || v === undefined ? '' : String(v);
        if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
        return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
      };
      const rows = [['title', 'next', 'providers', 'organizer', 'action', 'result', 'room', 'error', 'href']];
      for (const i of m.items) rows.push([i.title, i.next ?? '', i.providers.join(' '), i.organizer ? 'yes' : 'no', i.action, i.result, i.room ?? '', i.error ?? '', i.href]);
      return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
    },

    /** Waits for the runs going on (tests, shutdown). */
    async idle(): Promise<void> {
      await Promise.all([...running.values()]);
    },
  };
}

export type MigrationService = ReturnType<typeof createMigrationService>;
