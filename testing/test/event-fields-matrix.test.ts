/**
 * Cross-client matrix: an event written by client A is recognised, replaced and removed by client B, and
 * nothing else in it changes. Each client is driven through the functions its own code calls (the
 * gateway's CalDAV code through shared/ics; Outlook's plan; Thunderbird's core). The extension only ever
 * adds a link to an event that has none, so as a reader it recognises; its older copy put the link first
 * (`<link> ; <place>`), kept here as a writer so events it wrote stay clean.
 */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { planAdd, planRemove, findJoinUrl } from '../../addins/outlook/src/logic/plan.ts';
import { addToLocation, removeFromLocation } from '../../addins/thunderbird/src/core.ts';
import { addLinkToLocation, putInvitation, removeInvitation, type BodyKind } from '../../shared/src/event-fields.ts';
import { addRoomToIcs, removeRoomFromIcs } from '../../shared/src/ics.ts';
import { renderInvitation } from '../../shared/src/invitation.ts';
import { findVisioLinks } from '../../shared/src/links.ts';

const INSTANCE = 'https://visio.numerique.gouv.fr';
const roomA = { code: 'abc-defg-hij', url: `${INSTANCE}/abc-defg-hij` };
const roomB = { code: 'klm-nopq-rst', url: `${INSTANCE}/klm-nopq-rst` };
const blockOf = (room: typeof roomA) => renderInvitation({ room, lang: 'fr' });

interface Fields {
  location: string;
  description: string;
  kind: BodyKind;
}
type Room = typeof roomA;

/** The event as a CalDAV object: what the gateway reads and writes. */
function toIcs(fields: Fields): string {
  const event = new ICAL.Component('vevent');
  event.addPropertyWithValue('uid', 'matrix@visio');
  event.addPropertyWithValue('dtstamp', ICAL.Time.fromJSDate(new Date('2026-12-01T08:00:00Z'), true));
  event.addPropertyWithValue('dtstart', ICAL.Time.fromJSDate(new Date('2026-12-01T09:00:00Z'), true));
  event.addPropertyWithValue('summary', 'Comité');
  if (fields.location) event.addPropertyWithValue('location', fields.location);
  if (fields.description) event.addPropertyWithValue('description', fields.description);
  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('prodid', '-//matrix//EN');
  calendar.addPropertyWithValue('version', '2.0');
  calendar.addSubcomponent(event);
  return calendar.toString();
}

function fromIcs(ics: string, kind: BodyKind): Fields {
  const event = new ICAL.Component(ICAL.parse(ics) as unknown[]).getFirstSubcomponent('vevent')!;
  return { location: String(event.getFirstPropertyValue('location') ?? ''), description: String(event.getFirstPropertyValue('description') ?? ''), kind };
}

interface Client {
  kinds: BodyKind[];
  write(fields: Fields, room: Room): Fields;
  /** The room B finds in the event (code). */
  recognise(fields: Fields): string | null;
  replace?(fields: Fields, from: Room, to: Room): Fields;
  remove?(fields: Fields, room: Room): Fields;
}

const gateway: Client = {
  kinds: ['text'],
  write: (f, room) => fromIcs(addRoomToIcs(toIcs(f), room, { lang: 'fr' }), f.kind),
  recognise: (f) => findVisioLinks(toIcs(f), INSTANCE)[0]?.code ?? null,
  replace: (f, _from, to) => fromIcs(addRoomToIcs(toIcs(f), to, { lang: 'fr', instanceUrl: INSTANCE }), f.kind),
  remove: (f) => fromIcs(removeRoomFromIcs(toIcs(f), { instanceUrl: INSTANCE }), f.kind),
};

const outlook: Client = {
  kinds: ['html', 'text'],
  write: (f, room) => {
    const change = planAdd({ bodyType: f.kind, body: f.description, location: f.location }, blockOf(room), room, INSTANCE);
    return { ...f, ...(change.location !== undefined ? { location: change.location } : {}), ...(change.body !== undefined ? { description: change.body } : {}) };
  },
  recognise: (f) => {
    const url = findJoinUrl({ location: f.location, body: f.description }, INSTANCE);
    return url ? url.slice(url.lastIndexOf('/') + 1) : null;
  },
  replace: (f, _from, to) => outlook.write(f, to),
  remove: (f, room) => {
    const change = planRemove({ bodyType: f.kind, body: f.description, location: f.location }, room, INSTANCE);
    return { ...f, ...(change.location !== undefined ? { location: change.location } : {}), ...(change.body !== undefined ? { description: change.body } : {}) };
  },
};

// Thunderbird's editor commands: Add writes the location and the HTML description; Remove takes them out.
const thunderbird: Client = {
  kinds: ['html'],
  write: (f, room) => ({ ...f, location: addToLocation(f.location, room.url), description: putInvitation(f.description, 'html', blockOf(room)) }),
  recognise: (f) => findVisioLinks([f.location, f.description].join('\n'), INSTANCE)[0]?.code ?? null,
  replace: (f, from, to) => thunderbird.write(thunderbird.remove!(f, from), to),
  remove: (f, room) => ({ ...f, location: removeFromLocation(f.location, room.code, INSTANCE), description: removeInvitation(f.description, 'html') }),
};

// The content script's writer (content/core.ts writeLocation / writeDescription) and its reader (hasVisioLink).
const extension: Client = {
  kinds: ['html', 'text'],
  write: (f, room) => ({ ...f, location: addLinkToLocation(f.location.trim(), room.url), description: putInvitation(f.description, f.kind, blockOf(room)) }),
  recognise: (f) => findVisioLinks(`${f.location}\n${f.description}`, INSTANCE)[0]?.code ?? null,
};

// What the extension wrote before shared/event-fields: the link first, ` ; ` before the place.
const extensionBefore: Client = {
  ...extension,
  write: (f, room) => ({ ...f, location: f.location.trim() ? `${room.url} ; ${f.location.trim()}` : room.url, description: putInvitation(f.description, f.kind, blockOf(room)) }),
};

const writers = { gateway, outlook, thunderbird, extension, 'extension (before)': extensionBefore };
const readers = { gateway, outlook, thunderbird, extension };
const places = ['Salle 4', 'Salle 4; Bâtiment B', 'Salle 4, étage 2 – aile C', ''];

// Thunderbird's editor holds an HTML description and the gateway a text DESCRIPTION: between those two
// the description has no kind in common, and the pair checks the location alone.
const cases = Object.entries(writers).flatMap(([a, writer]) =>
  Object.entries(readers).flatMap(([b, reader]) => {
    const common = writer.kinds.filter((kind) => reader.kinds.includes(kind));
    const kinds = common.length > 0 ? common.map((kind) => ({ kind, locationOnly: false })) : [{ kind: writer.kinds[0]!, locationOnly: true }];
    return kinds.flatMap(({ kind, locationOnly }) => places.map((place) => ({ a, b, writer, reader, kind, locationOnly, place })));
  }),
);

describe('an event written by A, read by B', () => {
  it('covers every pair of clients', () => {
    const pairs = new Set(cases.map((c) => `${c.a} → ${c.b}`));
    expect(pairs.size).toBe(Object.keys(writers).length * Object.keys(readers).length);
  });

  it.each(cases)('$a → $b ($kind, location only: $locationOnly, place $place)', ({ writer, reader, kind, locationOnly, place }) => {
    const original: Fields = { location: place, description: kind === 'html' ? '<p>Ordre du jour</p>' : 'Ordre du jour', kind };
    const written = writer.write(original, roomA);
    expect(written.location).toContain(roomA.url);
    const seen = (f: Fields) => (locationOnly ? { ...f, description: '' } : f);
    expect(reader.recognise(seen(written))).toBe(roomA.code);
    if (!reader.replace || !reader.remove) return; // the extension never replaces nor removes
    const replaced = reader.replace(seen(written), roomA, roomB);
    expect(`${replaced.location}\n${replaced.description}`).not.toContain(roomA.code);
    expect(reader.recognise(replaced)).toBe(roomB.code);
    expect(reader.remove(replaced, roomB).location).toBe(original.location);
    expect(reader.remove(seen(written), roomA).location).toBe(original.location);
    if (!locationOnly) {
      expect(reader.remove(replaced, roomB)).toEqual(original);
      expect(reader.remove(written, roomA)).toEqual(original);
    }
  });
});
