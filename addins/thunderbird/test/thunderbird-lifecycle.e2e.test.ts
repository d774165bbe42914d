/**
 * The room follows the meeting, in real Thunderbird 140 and 153 against the built gateway process: an event
 * saved with Visio gives its room the event's schedule; moving it (as a drag in the calendar view does),
 * changing its series or moving one occurrence past the series' end updates it; an all-day event gives its
 * day; deleting or cancelling it ends the room.
 * The journey ends with the gateway's own retention job run as if three days had passed (beyond the
 * draft TTL): no open room is left that no live event carries, and no live event's room was ended.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEventSchedule } from '@visio/shared/event-schedule';
import { zonedToUtc } from '@visio/shared/schedule';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '@visio/testing/gateway-process';
import { retentionAfterDays, type StoredRoomState } from '@visio/testing/gateway-retention';
import { thunderbirdInstallations, type Thunderbird } from '@visio/testing/thunderbird';
import { editorScripts as E, launchWithAddon } from './tb-scripts.ts';

const CAL = `const { cal } = ChromeUtils.importESModule("resource:///modules/calendar/calUtils.sys.mjs");
  const allItems = async () => {
    const out = [];
    for (const c of cal.manager.getCalendars()) out.push(...(await c.getItemsAsArray(Ci.calICalendar.ITEM_FILTER_ALL_ITEMS, 0, null, null)));
    return out;
  };
  const byTitle = (title) => allItems().then((items) => { const i = items.find((x) => x.title === title); if (!i) throw new Error("no event " + title); return i; });`;

const S = {
  /** A series without Visio, in Paris time, tomorrow 10:00–11:00 (arguments: title, RRULE). */
  addSeries: `${CAL}
    const { CalEvent } = ChromeUtils.importESModule("resource:///modules/CalEvent.sys.mjs");
    const { CalRecurrenceInfo } = ChromeUtils.importESModule("resource:///modules/CalRecurrenceInfo.sys.mjs");
    const calendar = cal.manager.getCalendars()[0];
    const ev = new CalEvent();
    ev.title = arguments[0];
    const paris = cal.timezoneService.getTimezone("Europe/Paris");
    ev.startDate = cal.dtz.now().getInTimezone(paris);
    ev.startDate.day += 1; ev.startDate.hour = 10; ev.startDate.minute = 0; ev.startDate.second = 0;
    ev.endDate = ev.startDate.clone();
    ev.endDate.hour = 11;
    ev.recurrenceInfo = new CalRecurrenceInfo(ev);
    ev.recurrenceInfo.appendRecurrenceItem(cal.createRecurrenceRule(arguments[1]));
    ev.calendar = calendar;
    return calendar.addItem(ev).then(() => true);`,

  /** An all-day event without Visio, the day after tomorrow (argument: title). */
  addAllDay: `${CAL}
    const { CalEvent } = ChromeUtils.importESModule("resource:///modules/CalEvent.sys.mjs");
    const calendar = cal.manager.getCalendars()[0];
    const ev = new CalEvent();
    ev.title = arguments[0];
    ev.startDate = cal.dtz.now();
    ev.startDate.isDate = true;
    ev.startDate.day += 2;
    ev.endDate = ev.startDate.clone();
    ev.endDate.day += 1;
    ev.calendar = calendar;
    return calendar.addItem(ev).then(() => true);`,

  /** The all-day event's date (YYYY-MM-DD) and the zone Thunderbird reads it in. */
  allDayOf: `${CAL}
    return byTitle(arguments[0]).then((item) => ({ zone: cal.dtz.defaultTimezone.tzid, day: item.startDate.icalString.replace(/^(\\d{4})(\\d\\d)(\\d\\d).*$/, "$1-$2-$3") }));`,

  /** Moves the stored event (the whole series) by arguments[1] days, as a drag in the calendar view does (modifyItem). */
  moveEvent: `${CAL}
    return byTitle(arguments[0]).then((item) => {
      const moved = item.clone();
      moved.startDate.day += arguments[1];
      moved.endDate.day += arguments[1];
      return item.calendar.modifyItem(moved, item).then(() => true);
    });`,

  /** Marks the stored event cancelled (STATUS:CANCELLED), as a sync of the organiser's cancellation or the editor's Status field does. */
  cancelEvent: `${CAL}
    return byTitle(arguments[0]).then((item) => {
      const cancelled = item.clone();
      cancelled.status = "CANCELLED";
      return item.calendar.modifyItem(cancelled, item).then(() => true);
    });`,

  /** Changes the stored series' rule (arguments[1]), as the editor's recurrence dialog does. */
  setRule: `${CAL}
    return byTitle(arguments[0]).then((item) => {
      const changed = item.clone();
      changed.recurrenceInfo.clearRecurrenceItems();
      changed.recurrenceInfo.appendRecurrenceItem(cal.createRecurrenceRule(arguments[1]));
      return item.calendar.modifyItem(changed, item).then(() => true);
    });`,

  /** Moves the first occurrence of the series arguments[1] days later ("this occurrence only"): an exception. */
  moveFirstOccurrence: `${CAL}
    return byTitle(arguments[0]).then((item) => {
      const end = item.startDate.clone(); end.day += 1;
      const occurrence = item.recurrenceInfo.getOccurrences(item.startDate, end, 0)[0];
      const moved = occurrence.clone();
      moved.startDate.day += arguments[1];
      moved.endDate.day += arguments[1];
      const parent = item.clone();
      parent.recurrenceInfo.modifyException(moved, true);
      return item.calendar.modifyItem(parent, item).then(() => true);
    });`,

  /** The stored event as a calendar object (master and exceptions), written by Thunderbird's own serializer. */
  storedIcs: `${CAL}
    const { CalIcsSerializer } = ChromeUtils.importESModule("resource:///modules/CalIcsSerializer.sys.mjs");
    return byTitle(arguments[0]).then((item) => { const s = new CalIcsSerializer(); s.addItems([item]); return s.serializeToString(); });`,

  /** Every X-VISIO-ROOM the calendars' live (not cancelled) events carry, exceptions included. */
  liveRooms: `${CAL}
    return allItems().then((items) => {
      const rooms = new Set();
      const add = (i) => { if (i.getProperty("X-VISIO-ROOM") && i.status !== "CANCELLED") rooms.add(i.getProperty("X-VISIO-ROOM")); };
      for (const item of items) {
        add(item);
        for (const rid of item.recurrenceInfo?.getExceptionIds() ?? []) add(item.recurrenceInfo.getExceptionFor(rid));
      }
      return [...rooms].sort();
    });`,
};

type Schedule = NonNullable<StoredRoomState['schedule']>;

/** The schedule the stored event stands for, as the gateway's own reader (ical.js) gets it from its iCalendar. */
const scheduleFromIcs = (ics: string): Schedule => readEventSchedule(ics).schedule!;

describe.each(thunderbirdInstallations().map((t) => [t.major, t.executable] as const))('the room follows the meeting in Thunderbird %s', (_major, executable) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'visio-tb-lifecycle-'));
  // Logs off: the journey's own requests are what is checked.
  const env = { VISIO_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  let gateway: GatewayProcess;
  let tb: Thunderbird;
  const rooms: Record<string, string> = {};

  const room = async (code: string): Promise<StoredRoomState> => {
    const r = await fetch(`${gateway.url}/v1/rooms/${code}`);
    expect(r.status).toBe(200);
    return (await r.json()) as StoredRoomState;
  };
  /** The room's schedule once it is the one the stored event stands for (the add-on sends it asynchronously). */
  const scheduleFollows = async (title: string, code: string) => {
    let want: Schedule | undefined;
    await expect
      .poll(
        async () => {
          want = scheduleFromIcs(await tb.chrome<string>(S.storedIcs, title));
          return (await room(code)).schedule;
        },
        { timeout: 30_000, interval: 200 },
      )
      .toEqual(expect.objectContaining({ start: expect.any(String) }));
    await expect.poll(async () => (await room(code)).schedule, { timeout: 30_000, interval: 200 }).toEqual(want);
    return want!;
  };

  /** Add in an editor opened on the event, save and close; the room's code. */
  const addAndSave = async (view: string) => {
    await tb.chrome(E.press, view, 'add');
    const fields = await tb.waitFor<{ location: string }>(E.filledFields, [view], { what: 'the fields to be filled' });
    const code = /([a-z]{3}-[a-z]{4}-[a-z]{3})$/.exec(fields.location)![1]!;
    await tb.chrome(E.accept, view);
    await tb.waitFor(E.noEditor, [], { what: 'the dialog to close' });
    return code;
  };

  beforeAll(async () => {
    gateway = await startGatewayProcess(env);
    tb = await launchWithAddon(executable, { gatewayUrl: gateway.url, lang: 'fr' });
  }, 120_000);

  afterAll(async () => {
    await tb?.close();
    await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('saving an event with Visio gives its room the event’s schedule; moving the event moves it', async () => {
    const view = await E.openNewEvent(tb, 'Réunion suivie');
    const code = await addAndSave(view);
    rooms.single = code;
    const first = await scheduleFollows('Réunion suivie', code);
    expect(first.recurrenceEnd).toBeUndefined();
    expect((await room(code)).state).toBe('open');

    // Dragged two days later in the calendar view: same room, same link, new schedule.
    await tb.chrome(S.moveEvent, 'Réunion suivie', 2);
    const moved = await scheduleFollows('Réunion suivie', code);
    expect(Date.parse(moved.start) - Date.parse(first.start)).toBe(2 * 86_400_000);
    expect(await tb.chrome<string>(S.storedIcs, 'Réunion suivie')).toContain(`X-VISIO-ROOM:${code}`);
  });

  test('a series: the last occurrence is the recurrence end; changing the rule or moving an occurrence past the end follows', async () => {
    await tb.chrome(S.addSeries, 'Point quotidien suivi', 'RRULE:FREQ=DAILY;COUNT=5');
    const view = await E.openExistingEvent(tb, 'Point quotidien suivi');
    const code = await addAndSave(view);
    rooms.series = code;
    const five = await scheduleFollows('Point quotidien suivi', code);
    expect(five.timeZone).toBe('Europe/Paris');
    expect(Date.parse(five.recurrenceEnd!) - Date.parse(five.start)).toBe(4 * 86_400_000);

    // The series shortened to three occurrences.
    await tb.chrome(S.setRule, 'Point quotidien suivi', 'RRULE:FREQ=DAILY;COUNT=3');
    const three = await scheduleFollows('Point quotidien suivi', code);
    expect(Date.parse(three.recurrenceEnd!) - Date.parse(three.start)).toBe(2 * 86_400_000);

    // The first occurrence moved ten days later, past the series' end: the room lasts until then.
    await tb.chrome(S.moveFirstOccurrence, 'Point quotidien suivi', 10);
    const moved = await scheduleFollows('Point quotidien suivi', code);
    expect(Date.parse(moved.recurrenceEnd!) - Date.parse(moved.start)).toBe(10 * 86_400_000);

    // A series without end.
    await tb.chrome(S.setRule, 'Point quotidien suivi', 'RRULE:FREQ=WEEKLY');
    await expect.poll(async () => (await room(code)).schedule?.recurrenceEnd, { timeout: 30_000, interval: 200 }).toBeNull();
  });

  test('an all-day event: its day from midnight to midnight in Thunderbird’s zone (the gateway’s reader takes a DATE as UTC)', async () => {
    await tb.chrome(S.addAllDay, 'Journée suivie');
    const view = await E.openExistingEvent(tb, 'Journée suivie');
    const code = await addAndSave(view);
    rooms.allDay = code;
    const { zone, day } = await tb.chrome<{ zone: string; day: string }>(S.allDayOf, 'Journée suivie');
    const midnight = (d: string) =>
      zonedToUtc(`${d}T00:00:00`, zone)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
    const next = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await expect.poll(async () => (await room(code)).schedule, { timeout: 30_000, interval: 200 }).toEqual({ start: midnight(day), end: midnight(next), timeZone: zone });
  });

  test('an event saved then deleted, or cancelled: its room is ended; an editor discarded releases its room', async () => {
    const view = await E.openNewEvent(tb, 'Réunion supprimée');
    const code = await addAndSave(view);
    rooms.deleted = code;
    await scheduleFollows('Réunion supprimée', code);
    await tb.chrome(E.deleteEvent, 'Réunion supprimée');
    await expect.poll(async () => (await room(code)).state, { timeout: 30_000, interval: 200 }).toBe('ended');

    // Cancelled (STATUS:CANCELLED) rather than deleted: the same.
    const cancelledView = await E.openNewEvent(tb, 'Réunion annulée');
    rooms.cancelled = await addAndSave(cancelledView);
    await scheduleFollows('Réunion annulée', rooms.cancelled);
    await tb.chrome(S.cancelEvent, 'Réunion annulée');
    await expect.poll(async () => (await room(rooms.cancelled!)).state, { timeout: 30_000, interval: 200 }).toBe('ended');

    const discarded = await E.openNewEvent(tb, 'Brouillon abandonné');
    await tb.chrome(E.press, discarded, 'add');
    const fields = await tb.waitFor<{ location: string }>(E.filledFields, [discarded], { what: 'the fields to be filled' });
    rooms.discarded = /([a-z]{3}-[a-z]{4}-[a-z]{3})$/.exec(fields.location)![1]!;
    await E.discard(tb, discarded);
    await expect.poll(async () => (await room(rooms.discarded!)).state, { timeout: 30_000, interval: 200 }).toBe('ended');
  });

  test('after the retention job three days on: zero orphans, every live event’s room still open, the abandoned draft ended', async () => {
    // A room made for an editor whose Thunderbird never came back (it never saved, nothing released it).
    const draft = await fetch(`${gateway.url}/v1/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-visio-client': 'thunderbird' },
      body: JSON.stringify({ title: 'Éditeur perdu', eventUid: 'uid-perdu@thunderbird' }),
    });
    expect(draft.status).toBe(201);
    rooms.draft = ((await draft.json()) as { code: string }).code;

    const live = await tb.chrome<string[]>(S.liveRooms);
    expect(live).toEqual([rooms.single!, rooms.series!, rooms.allDay!].sort());
    await gateway.stop();
    const after = await retentionAfterDays(env, 3);
    const byCode = new Map(after.map((r) => [r.code, r]));
    // Orphans: open rooms no live event carries.
    expect(after.filter((r) => r.state === 'open' && !live.includes(r.code)).map((r) => r.code)).toEqual([]);
    for (const code of live) expect(byCode.get(code)).toMatchObject({ state: 'open' });
    expect(byCode.get(rooms.deleted!)).toMatchObject({ state: 'ended', releaseReason: 'deleted' });
    expect(byCode.get(rooms.discarded!)).toMatchObject({ state: 'ended', releaseReason: 'deleted' });
    expect(byCode.get(rooms.cancelled!)).toMatchObject({ state: 'ended', releaseReason: 'deleted' });
    expect(byCode.get(rooms.draft)).toMatchObject({ state: 'ended', releaseReason: 'draft-expired' });
  });
});
