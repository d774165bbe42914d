/**
 * iCalendar (RFC 5545) objects carrying a Visio room: build a meeting, add/replace/remove the room in
 * an existing object (every VEVENT of it: series master and overrides), read it back.
 *
 * Where the link goes: LOCATION (appended to the place), URL, the plain-text invitation block in
 * DESCRIPTION, RFC 7986 CONFERENCE, and X-VISIO-ROOM (the code). Patching goes through ical.js's jCal
 * model so every other property, parameter and component survives untouched.
 */
import ICAL from 'ical.js';
import { ensureConferenceDesign } from './ics-design.js';
import { IcsError } from './ics-error.js';
import { addLinkToLocation, removeLinksFromLocation } from './event-fields.js';
import { cleanParam, cleanText, mailtoUri } from './ics-text.js';
import { removeInvitationHtml, removeInvitationText, renderInvitation, upsertInvitationHtml, upsertInvitationText } from './invitation.js';
import { findVisioLinks } from './links.js';
import { isCalendarDay } from './calendar-day.js';
import { icalTimezone, isSupportedTimeZone, isUtcZone, vtimezoneComponent } from './timezone.js';
import type { Lang, RoomLink } from './types.js';

export { IcsError, type IcsErrorCode } from './ics-error.js';

type Component = InstanceType<typeof ICAL.Component>;
type Property = InstanceType<typeof ICAL.Property>;
type Time = InstanceType<typeof ICAL.Time>;

export interface MeetingPerson {
  email: string;
  name?: string;
}

export interface MeetingAttendee extends MeetingPerson {
  role?: 'REQ-PARTICIPANT' | 'OPT-PARTICIPANT' | 'CHAIR' | 'NON-PARTICIPANT';
  rsvp?: boolean;
}

export interface MeetingInput {
  /** Generated (crypto.randomUUID) when absent. */
  uid?: string;
  title: string;
  /** ISO 8601 date-time: local (`2026-12-01T10:00:00`, read in `timeZone`) or with `Z`/offset. */
  start: string;
  end: string;
  /** IANA zone, e.g. `Europe/Paris`. */
  timeZone: string;
  description?: string;
  location?: string;
  organizer?: MeetingPerson;
  attendees?: MeetingAttendee[];
  /** RRULE value, e.g. `FREQ=WEEKLY;BYDAY=MO;COUNT=10`. */
  rrule?: string;
  room: RoomLink;
  lang?: Lang;
  instanceName?: string;
  /** DTSTAMP; defaults to the current time. */
  now?: Date;
}

/**
 * iTIP method (RFC 5546) of a file sent or downloaded: REQUEST and CANCEL come from an ORGANIZER to
 * attendees; a file for import without both is PUBLISH (see `fileMethod`).
 */
export type IcsMethod = 'REQUEST' | 'CANCEL' | 'PUBLISH';

export const ICS_PRODID = '-//DINUM//Visio integrations//FR';
export const VISIO_ROOM_PROPERTY = 'X-VISIO-ROOM';
const ROOM_PROP = 'x-visio-room';

/** The method of a downloadable file for this meeting: REQUEST with an organizer and attendees, else PUBLISH. */
export function fileMethod(input: { organizer?: MeetingPerson | undefined; attendees?: readonly MeetingPerson[] | undefined }): IcsMethod {
  return input.organizer && (input.attendees?.length ?? 0) > 0 ? 'REQUEST' : 'PUBLISH';
}

/**
 * A new VCALENDAR with one VEVENT (and its VTIMEZONE, none for UTC). `method` only for files sent by
 * mail or downloaded (iTIP); REQUEST and CANCEL need an organizer.
 */
export function buildMeetingIcs(input: MeetingInput, options: { method?: IcsMethod } = {}): string {
  ensureConferenceDesign();
  if (options.method && options.method !== 'PUBLISH' && !input.organizer) throw noOrganizer(options.method);
  const zone = zoneFor(input.timeZone);
  const start = parseDateTime(input.start, zone, 'start');
  const end = parseDateTime(input.end, zone, 'end');
  if (end.toUnixTime() <= start.toUnixTime()) {
    throw new IcsError('invalid-date', `The end (${input.end}) must be after the start (${input.start})`);
  }
  const rrule = input.rrule === undefined ? undefined : parseRrule(input.rrule, zone);
  checkRoom(input.room);

  const calendar = newCalendar(options.method);
  if (!isUtcZone(input.timeZone)) calendar.addSubcomponent(vtimezoneComponent(input.timeZone));
  const event = new ICAL.Component('vevent');
  event.addPropertyWithValue('uid', cleanText(input.uid ?? globalThis.crypto.randomUUID()).replace(/\n/g, ' '));
  event.addPropertyWithValue('dtstamp', utc(input.now));
  addZoned(event, 'dtstart', start, input.timeZone);
  addZoned(event, 'dtend', end, input.timeZone);
  if (rrule) event.addPropertyWithValue('rrule', rrule);
  event.addPropertyWithValue('sequence', 0);
  event.addPropertyWithValue('summary', cleanText(input.title));
  if (input.location !== undefined) event.addPropertyWithValue('location', cleanText(input.location));
  if (input.description !== undefined) event.addPropertyWithValue('description', cleanText(input.description));
  if (input.organizer) addPerson(event, 'organizer', input.organizer);
  for (const attendee of input.attendees ?? []) {
    const property = addPerson(event, 'attendee', attendee);
    property.setParameter('role', attendee.role ?? 'REQ-PARTICIPANT');
    property.setParameter('partstat', 'NEEDS-ACTION');
    property.setParameter('rsvp', attendee.rsvp === false ? 'FALSE' : 'TRUE');
  }
  if (options.method === 'CANCEL') event.addPropertyWithValue('status', 'CANCELLED');
  putRoom(event, input.room, input);
  calendar.addSubcomponent(event);
  return serialize(calendar);
}

/**
 * Puts the room in every VEVENT (replacing an earlier Visio room everywhere), bumps SEQUENCE and
 * DTSTAMP of the events it changed, and adds missing VTIMEZONEs. Adding the same room again changes
 * nothing but METHOD. With `instanceUrl`, any link of that instance counts as an earlier room (an event
 * another client wrote, without X-VISIO-ROOM).
 */
export function addRoomToIcs(ics: string, room: RoomLink, options: { lang?: Lang; title?: string; instanceName?: string; now?: Date; method?: 'REQUEST'; instanceUrl?: string } = {}): string {
  checkRoom(room);
  const calendar = parseCalendar(ics);
  let changed = addMissingTimezones(calendar);
  for (const event of calendar.getAllSubcomponents('vevent')) {
    const before = event.toString();
    putRoom(event, room, options);
    if (event.toString() !== before) {
      bump(event, options.now);
      changed = true;
    }
  }
  if (options.method) {
    requireOrganizer(calendar, options.method);
    calendar.updatePropertyWithValue('method', options.method);
  }
  return changed || options.method ? serialize(calendar) : ics;
}

/**
 * Takes the room out of every VEVENT: the invitation block (description restored exactly), the link in
 * LOCATION, URL and CONFERENCE when they are ours, X-VISIO-ROOM. With `instanceUrl`, Visio links of that
 * instance are recognised even without X-VISIO-ROOM (an object a server or client stripped of it).
 */
export function removeRoomFromIcs(ics: string, options: { now?: Date; instanceUrl?: string } = {}): string {
  const calendar = parseCalendar(ics);
  let changed = false;
  for (const event of calendar.getAllSubcomponents('vevent')) {
    const before = event.toString();
    dropRoom(event, ourLinks(event, options.instanceUrl));
    if (event.toString() !== before) {
      bump(event, options.now);
      changed = true;
    }
  }
  return changed ? serialize(calendar) : ics;
}

/** The room of the object (series master first): X-VISIO-ROOM and its link from CONFERENCE or URL. */
export function readRoomFromIcs(ics: string): { code: string; url: string } | null {
  const events = [...parseCalendar(ics).getAllSubcomponents('vevent')];
  events.sort((a, b) => Number(a.hasProperty('recurrence-id')) - Number(b.hasProperty('recurrence-id')));
  for (const event of events) {
    for (const code of roomCodes(event)) {
      const url = linkValues(event).find((value) => isLinkFor(value, code));
      if (url) return { code, url };
    }
  }
  return null;
}

/** UID, title (series master first) and whether anyone is invited; IcsError when the object is not valid. */
export function readEventInfo(ics: string): { uid: string; title: string; hasAttendees: boolean } {
  const events = [...parseCalendar(ics).getAllSubcomponents('vevent')];
  events.sort((a, b) => Number(a.hasProperty('recurrence-id')) - Number(b.hasProperty('recurrence-id')));
  const first = events[0]!;
  const uid = String(first.getFirstPropertyValue('uid') ?? '').trim();
  if (!uid) throw new IcsError('invalid-ics', 'The event has no UID');
  return {
    uid,
    title: String(first.getFirstPropertyValue('summary') ?? ''),
    hasAttendees: events.some((e) => e.hasProperty('attendee')),
  };
}

export interface SchedulingInfo {
  /** The ORGANIZER's address (`mailto:` removed, lower case), or null. */
  organizer: string | null;
  /** Each ATTENDEE other than the organizer, with the SCHEDULE-STATUS a server put on it (RFC 6638 7.3). */
  attendees: { email: string; status: string | null }[];
}

/** Who organizes the event and what the server said about each attendee (series master first). */
export function readSchedulingInfo(ics: string): SchedulingInfo {
  const events = [...parseCalendar(ics).getAllSubcomponents('vevent')];
  events.sort((a, b) => Number(a.hasProperty('recurrence-id')) - Number(b.hasProperty('recurrence-id')));
  const address = (property: Property | null) => {
    const value = property ? String(property.getFirstValue() ?? '').trim() : '';
    return value ? value.replace(/^mailto:/i, '').toLowerCase() : null;
  };
  const organizer = address(events.map((e) => e.getFirstProperty('organizer')).find(Boolean) ?? null);
  const attendees = new Map<string, string | null>();
  for (const event of events) {
    for (const property of event.getAllProperties('attendee')) {
      const email = address(property);
      if (!email || email === organizer) continue;
      const raw = property.getParameter('schedule-status');
      // Several codes may be given (one per recipient attempt): the worst decides.
      const codes = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : []).map((c) => String(c).trim()).filter(Boolean);
      const status = codes.length ? codes.sort().at(-1)! : null;
      const known = attendees.get(email);
      attendees.set(email, known === undefined || (status !== null && (known === null || status > known)) ? status : known);
    }
  }
  return { organizer, attendees: [...attendees].map(([email, status]) => ({ email, status })) };
}

/**
 * Sets METHOD for a file sent by mail, or removes it (`null`) for an object stored on a CalDAV server
 * (RFC 4791 forbids METHOD there). CANCEL also marks every VEVENT `STATUS:CANCELLED` (RFC 5546 3.2.5).
 * REQUEST and CANCEL need an ORGANIZER in every VEVENT (IcsError 'no-organizer').
 */
export function setIcsMethod(ics: string, method: IcsMethod | null): string {
  const calendar = parseCalendar(ics);
  if (method !== null) requireOrganizer(calendar, method);
  if (method !== null) stripSchedulingParameters(calendar);
  if (method === null) calendar.removeAllProperties('method');
  else calendar.updatePropertyWithValue('method', method);
  if (method === 'CANCEL') {
    for (const event of calendar.getAllSubcomponents('vevent')) event.updatePropertyWithValue('status', 'CANCELLED');
  }
  return serialize(calendar);
}

/**
 * RFC 5546 3.2: REQUEST and CANCEL are sent by the organizer, so every VEVENT of the file names one. An
 * override that leaves it out (Thunderbird writes some so) gets the series' organizer.
 */
function requireOrganizer(calendar: Component, method: IcsMethod): void {
  if (method === 'PUBLISH') return;
  const events = calendar.getAllSubcomponents('vevent');
  const organizer = events.map((event) => event.getFirstProperty('organizer')).find(Boolean);
  if (!organizer) throw noOrganizer(method);
  for (const event of events) {
    if (!event.hasProperty('organizer')) event.addProperty(new ICAL.Property(structuredClone(organizer.toJSON())));
  }
}

/** SCHEDULE-AGENT, -STATUS and -FORCE-SEND belong to stored objects, never to iTIP messages (RFC 6638 7.1-7.3). */
function stripSchedulingParameters(calendar: Component): void {
  for (const event of calendar.getAllSubcomponents('vevent')) {
    for (const property of [...event.getAllProperties('organizer'), ...event.getAllProperties('attendee')]) {
      for (const name of ['schedule-agent', 'schedule-status', 'schedule-force-send']) property.removeParameter(name);
    }
  }
}

function noOrganizer(method: IcsMethod): IcsError {
  return new IcsError('no-organizer', `METHOD:${method} needs an ORGANIZER (RFC 5546); without one the file can only be PUBLISH`);
}

// --- parsing and serialising ---

function parseCalendar(ics: string): Component {
  ensureConferenceDesign();
  if (typeof ics !== 'string' || !/^\s*BEGIN:VCALENDAR\r?$/im.test(ics)) {
    throw new IcsError('invalid-ics', 'Not an iCalendar object (no BEGIN:VCALENDAR)');
  }
  let calendar: Component;
  try {
    const jcal: unknown = ICAL.parse(ics);
    // One top-level component parses to ["vcalendar", ...]; several give an array of them.
    if (!Array.isArray(jcal) || typeof jcal[0] !== 'string') throw new Error('expected exactly one VCALENDAR');
    calendar = new ICAL.Component(jcal);
    if (calendar.name !== 'vcalendar') throw new Error(`top-level ${calendar.name}, expected VCALENDAR`);
    calendar.toString(); // surfaces values the serialiser would choke on, before any change
  } catch (error) {
    throw new IcsError('invalid-ics', `Invalid iCalendar data: ${(error as Error).message}`, { cause: error });
  }
  if (calendar.getAllSubcomponents('vevent').length === 0) {
    throw new IcsError('no-event', 'The iCalendar object holds no VEVENT');
  }
  return calendar;
}

function serialize(calendar: Component): string {
  // ical.js folds continuation lines to 1 + foldLength octets: 74 keeps every line within RFC 5545's 75.
  const foldLength = ICAL.foldLength;
  ICAL.foldLength = 74;
  try {
    // ical.js leaves the last line without CRLF; RFC 5545 ends every content line with one.
    return calendar.toString() + '\r\n';
  } finally {
    ICAL.foldLength = foldLength;
  }
}

function newCalendar(method?: IcsMethod): Component {
  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('prodid', ICS_PRODID);
  calendar.addPropertyWithValue('version', '2.0');
  calendar.addPropertyWithValue('calscale', 'GREGORIAN');
  if (method) calendar.addPropertyWithValue('method', method);
  return calendar;
}

// --- the room in one VEVENT ---

function putRoom(event: Component, room: RoomLink, options: { lang?: Lang; title?: string; instanceName?: string; instanceUrl?: string }): void {
  const old = ourLinks(event, options.instanceUrl).filter((url) => url !== room.url);

  const place = (event.getFirstPropertyValue('location') as string | null) ?? '';
  setText(event, 'location', addLinkToLocation(place, room.url, { replacing: old }));

  const urlProperty = event.getFirstProperty('url');
  // URL occurs once per event: a foreign one (an agenda page…) is kept rather than lost.
  if (!urlProperty) event.addPropertyWithValue('url', room.url);
  else if (old.includes(String(urlProperty.getFirstValue()))) urlProperty.setValue(room.url);

  const title = options.title ?? ((event.getFirstPropertyValue('summary') as string | null) || undefined);
  const invitation = renderInvitation({
    room,
    ...(options.lang ? { lang: options.lang } : {}),
    ...(title ? { title } : {}),
    ...(options.instanceName ? { instanceName: options.instanceName } : {}),
  });
  const description = (event.getFirstPropertyValue('description') as string | null) ?? '';
  setText(event, 'description', upsertInvitationText(description, invitation.text));
  // Outlook's HTML description gets the same block in HTML: both descriptions say the same thing.
  for (const alt of htmlDescriptions(event)) alt.setValue(upsertInvitationHtml(String(alt.getFirstValue() ?? ''), invitation.html));

  const label = cleanParam(conferenceLabel(options.lang, options.instanceName));
  const conferences = event.getAllProperties('conference').filter((p) => isOurs(p, [...old, room.url]));
  const [conference, ...extra] = conferences;
  for (const property of extra) event.removeProperty(property);
  const target = conference ?? event.addProperty(new ICAL.Property('conference'));
  target.resetType('uri');
  target.setValue(room.url);
  target.setParameter('feature', ['AUDIO', 'VIDEO']);
  target.setParameter('label', label);

  const codes = event.getAllProperties(ROOM_PROP);
  for (const property of codes.slice(1)) event.removeProperty(property);
  const code = codes[0] ?? event.addProperty(new ICAL.Property(ROOM_PROP));
  code.setValue(room.code);
}

function dropRoom(event: Component, links: string[]): void {
  const location = event.getFirstProperty('location');
  if (location) {
    const place = removeLinksFromLocation(String(location.getFirstValue() ?? ''), links);
    if (place === '') event.removeProperty(location);
    else location.setValue(place);
  }
  const description = event.getFirstProperty('description');
  if (description) {
    const text = removeInvitationText(String(description.getFirstValue() ?? ''));
    if (text === '') event.removeProperty(description);
    else description.setValue(text);
  }
  for (const alt of htmlDescriptions(event)) alt.setValue(removeInvitationHtml(String(alt.getFirstValue() ?? '')));
  for (const property of [...event.getAllProperties('url'), ...event.getAllProperties('conference')]) {
    if (isOurs(property, links)) event.removeProperty(property);
  }
  event.removeAllProperties(ROOM_PROP);
}

/** X-ALT-DESC;FMTTYPE=text/html, the HTML description Outlook and Exchange write beside DESCRIPTION. */
function htmlDescriptions(event: Component): ICAL.Property[] {
  return event.getAllProperties('x-alt-desc').filter((p) => /^text\/html$/i.test(String(p.getParameter('fmttype') ?? '').trim()));
}

/** Links of this event that are Visio rooms: those matching X-VISIO-ROOM, or of `instanceUrl`. */
function ourLinks(event: Component, instanceUrl?: string): string[] {
  const found = new Set<string>();
  const codes = roomCodes(event);
  for (const value of linkValues(event)) {
    if (codes.some((code) => isLinkFor(value, code))) found.add(value);
  }
  if (instanceUrl) {
    const location = String(event.getFirstPropertyValue('location') ?? '');
    for (const text of [location, ...linkValues(event)]) {
      for (const link of findVisioLinks(text, instanceUrl)) found.add(link.raw);
    }
  }
  return [...found];
}

function roomCodes(event: Component): string[] {
  return event
    .getAllProperties(ROOM_PROP)
    .map((p) => String(p.getFirstValue() ?? '').trim())
    .filter(Boolean);
}

function linkValues(event: Component): string[] {
  return [...event.getAllProperties('conference'), ...event.getAllProperties('url')].map((p) => String(p.getFirstValue() ?? ''));
}

function isOurs(property: Property, links: string[]): boolean {
  return links.includes(String(property.getFirstValue() ?? ''));
}

/** True for `https://host/<code>` (a trailing slash, query or fragment allowed). */
function isLinkFor(value: string, code: string): boolean {
  try {
    const url = new URL(value);
    return url.pathname.replace(/\/+$/, '').split('/').pop() === code;
  } catch {
    return false;
  }
}

function conferenceLabel(lang: Lang | undefined, instanceName: string | undefined): string {
  const name = instanceName ?? 'Visio';
  return lang === 'en' ? `Join the ${name} meeting` : `Rejoindre la réunion ${name}`;
}

// --- patch bookkeeping ---

function bump(event: Component, now?: Date): void {
  const sequence = Number(event.getFirstPropertyValue('sequence'));
  event.updatePropertyWithValue('sequence', Number.isInteger(sequence) && sequence >= 0 ? sequence + 1 : 1);
  event.updatePropertyWithValue('dtstamp', utc(now));
  if (event.hasProperty('last-modified')) event.updatePropertyWithValue('last-modified', utc(now));
}

const ZONED = ['dtstart', 'dtend', 'due', 'exdate', 'rdate', 'recurrence-id'];
// A real event uses one or two zones; each VTIMEZONE costs a few ms to compute the first time, so an
// object naming hundreds (hostile) gets only the first ones.
export const MAX_ADDED_TIMEZONES = 16;

/**
 * Adds a VTIMEZONE for each TZID used by the events and not defined in the object (when it is IANA),
 * for the first MAX_ADDED_TIMEZONES of them.
 */
function addMissingTimezones(calendar: Component): boolean {
  const defined = new Set(calendar.getAllSubcomponents('vtimezone').map((zone) => String(zone.getFirstPropertyValue('tzid'))));
  const missing = new Set<string>();
  for (const event of calendar.getAllSubcomponents('vevent')) {
    for (const name of ZONED) {
      for (const property of event.getAllProperties(name)) {
        const tzid = property.getParameter('tzid');
        if (missing.size < MAX_ADDED_TIMEZONES && typeof tzid === 'string' && !defined.has(tzid) && isSupportedTimeZone(tzid)) missing.add(tzid);
      }
    }
  }
  if (missing.size === 0) return false;
  // VTIMEZONEs go before the events that use them, which some parsers require.
  // Copy: ical.js hands out its live list, which removeAllSubcomponents empties.
  const others = [...calendar.getAllSubcomponents()];
  calendar.removeAllSubcomponents();
  for (const tzid of missing) calendar.addSubcomponent(vtimezoneComponent(tzid));
  for (const component of others) calendar.addSubcomponent(component);
  return true;
}

// --- input validation ---

function zoneFor(timeZone: string): InstanceType<typeof ICAL.Timezone> {
  if (typeof timeZone !== 'string' || !isSupportedTimeZone(timeZone)) {
    throw new IcsError('invalid-time-zone', `Unknown time zone: ${JSON.stringify(timeZone)}`);
  }
  return icalTimezone(timeZone);
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The instant as wall-clock time in `zone`. */
function parseDateTime(value: string, zone: InstanceType<typeof ICAL.Timezone>, what: string): Time {
  const match = typeof value === 'string' ? DATE_TIME.exec(value.trim()) : null;
  if (!match) throw new IcsError('invalid-date', `Invalid ${what} date-time: ${JSON.stringify(value)}`);
  const [year, month, day, hour, minute, second = 0] = match.slice(1, 7).map((part) => Number(part ?? 0)) as number[];
  const asUtc = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second));
  if (!isCalendarDay(year!, month!, day!) || hour! > 23 || minute! > 59 || second > 59) {
    throw new IcsError('invalid-date', `Invalid ${what} date-time: ${JSON.stringify(value)}`);
  }
  const suffix = match[7];
  if (!suffix) return ICAL.Time.fromData({ year, month, day, hour, minute, second }, zone);
  const offset = suffix === 'Z' ? 0 : offsetMinutes(suffix);
  const instant = new Date(asUtc.getTime() - offset * 60_000);
  return ICAL.Time.fromJSDate(instant, true).convertToZone(zone);
}

function offsetMinutes(suffix: string): number {
  const digits = suffix.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return suffix.startsWith('-') ? -minutes : minutes;
}

const RRULE_PARTS = new Set(['FREQ', 'UNTIL', 'COUNT', 'INTERVAL', 'BYSECOND', 'BYMINUTE', 'BYHOUR', 'BYDAY', 'BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYMONTH', 'BYSETPOS', 'WKST']);
const FREQUENCIES = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);

function parseRrule(value: string, zone: InstanceType<typeof ICAL.Timezone>): InstanceType<typeof ICAL.Recur> {
  const fail = (why: string): never => {
    throw new IcsError('invalid-rrule', `Invalid RRULE ${JSON.stringify(value)}: ${why}`);
  };
  const text = typeof value === 'string' ? value.trim().replace(/^RRULE:/i, '') : '';
  const parts = new Map<string, string>();
  for (const part of text.split(';')) {
    const match = /^([A-Za-z]+)=([A-Za-z0-9,+-]+)$/.exec(part);
    if (!match) return fail(`bad part ${JSON.stringify(part)}`);
    const name = match[1]!.toUpperCase();
    if (!RRULE_PARTS.has(name)) return fail(`unknown part ${name}`);
    if (parts.has(name)) return fail(`${name} given twice`);
    parts.set(name, match[2]!.toUpperCase());
  }
  if (!FREQUENCIES.has(parts.get('FREQ') ?? '')) return fail('FREQ missing or unknown');
  if (parts.has('UNTIL') && parts.has('COUNT')) return fail('UNTIL and COUNT together');
  // DTSTART is a date-time, so UNTIL must be a UTC date-time (RFC 5545 3.3.10). A date, as people write it, means
  // "through that day": the end of that day in the event's time zone.
  const until = parts.get('UNTIL');
  if (until !== undefined && !/^\d{8}(T\d{6}Z)?$/.test(until)) return fail('UNTIL must be a date or end in Z');
  if (until !== undefined && until.length === 8) {
    const [year, month, day] = [until.slice(0, 4), until.slice(4, 6), until.slice(6, 8)].map(Number) as [number, number, number];
    if (!isCalendarDay(year, month, day)) return fail(`UNTIL ${until} is not a calendar date`);
    const end = ICAL.Time.fromData({ year, month, day, hour: 23, minute: 59, second: 59 }, zone).convertToZone(ICAL.Timezone.utcTimezone);
    parts.set('UNTIL', end.toICALString());
  }
  try {
    return ICAL.Recur.fromString([...parts].map(([name, part]) => `${name}=${part}`).join(';'));
  } catch (error) {
    return fail((error as Error).message);
  }
}

function checkRoom(room: RoomLink): void {
  const ok =
    typeof room?.code === 'string' &&
    /^[A-Za-z0-9-]{1,64}$/.test(room.code) &&
    typeof room.url === 'string' &&
    !/\s/.test(room.url) &&
    /^https?:$/.test(safeUrl(room.url)?.protocol ?? '') &&
    isLinkFor(room.url, room.code);
  if (!ok) throw new IcsError('invalid-room', `Invalid room link: ${JSON.stringify(room)}`);
}

function safeUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

// --- property helpers ---

function utc(now?: Date): Time {
  // UTC, never floating: Radicale rewrites a floating DTSTAMP.
  return ICAL.Time.fromJSDate(now ?? new Date(), true);
}

/** A date-time in its zone: `TZID=` the zone's name, or a `Z` time without TZID for UTC and its aliases. */
function addZoned(event: Component, name: string, time: Time, tzid: string): void {
  const property = event.addPropertyWithValue(name, time);
  if (!isUtcZone(tzid)) property.setParameter('tzid', tzid);
}

function addPerson(event: Component, name: 'organizer' | 'attendee', person: MeetingPerson): Property {
  const property = event.addPropertyWithValue(name, mailtoUri(person.email));
  const cn = person.name === undefined ? '' : cleanParam(person.name);
  if (cn) property.setParameter('cn', cn);
  return property;
}

/** Sets a TEXT property's value in place (keeping its parameters and position), adding it when absent. */
function setText(event: Component, name: string, value: string): void {
  const property = event.getFirstProperty(name);
  if (property) property.setValue(value);
  else event.addPropertyWithValue(name, value);
}
