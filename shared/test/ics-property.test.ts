import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { buildMeetingIcs, readRoomFromIcs, removeRoomFromIcs, addRoomToIcs } from '../src/ics.ts';
import { removeInvitationText } from '../src/invitation.ts';

const room = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij' };

// Characters that could break out of a value or a parameter, mixed with ordinary text.
const hostile = fc.constantFrom(
  '\r',
  '\n',
  '\r\n',
  ';',
  ':',
  ',',
  '\\',
  '"',
  '^',
  "'",
  '\t',
  ' ',
  '\u0000',
  '\u001b',
  '\u007f',
  '<',
  '>',
  '&',
  '=',
  'BEGIN:VEVENT',
  'END:VEVENT',
  'END:VCALENDAR',
  'X-EVIL:1',
  '<script>alert(1)</script>',
  '\\n',
  '\\,',
  'é',
  '😀',
  'https://evil.example/abc-defg-hij',
);
const text = fc.string({ unit: fc.oneof(hostile, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 40 });

/** What the input becomes in a TEXT value: line breaks as LF, other control characters dropped. */
const asText = (value: string) => value.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
/** What a name becomes in a CN parameter: no DQUOTE, backslash or control characters. */
const asParam = (value: string) =>
  value
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/[\u0000-\u001F\u007F]+/g, ' ')
    .trim();

const EVENT_PROPERTIES = ['uid', 'dtstamp', 'dtstart', 'dtend', 'sequence', 'summary', 'location', 'description', 'url', 'conference', 'x-visio-room', 'organizer', 'attendee'].sort();

describe('values cannot inject properties or parameters', () => {
  it('build → parse gives back exactly the values given', () => {
    fc.assert(
      fc.property(text, text, text, text, fc.array(fc.record({ name: text, email: fc.emailAddress() }), { minLength: 1, maxLength: 3 }), (title, description, location, organizerName, attendees) => {
        const ics = buildMeetingIcs({
          title,
          description,
          location,
          attendees,
          room,
          organizer: { email: 'organisatrice@numerique.gouv.fr', name: organizerName },
          start: '2026-12-01T10:00:00',
          end: '2026-12-01T11:00:00',
          timeZone: 'Europe/Paris',
        });
        const calendar = new ICAL.Component(ICAL.parse(ics) as unknown[]);
        expect(
          calendar
            .getAllProperties()
            .map((p) => p.name)
            .sort(),
        ).toEqual(['calscale', 'prodid', 'version']);
        expect(calendar.getAllSubcomponents().map((c) => c.name)).toEqual(['vtimezone', 'vevent']);
        const event = calendar.getFirstSubcomponent('vevent')!;
        expect(event.getAllSubcomponents()).toHaveLength(0);
        expect([...new Set(event.getAllProperties().map((p) => p.name))].sort()).toEqual(EVENT_PROPERTIES);

        expect(event.getFirstPropertyValue('summary')).toBe(asText(title));
        const place = asText(location);
        const expectedLocation = place.includes(room.url) ? place : place === '' ? room.url : `${place}, ${room.url}`;
        expect(event.getFirstPropertyValue('location')).toBe(expectedLocation);
        expect(removeInvitationText(String(event.getFirstPropertyValue('description')))).toBe(asText(description));
        expect(event.getFirstPropertyValue('url')).toBe(room.url);
        expect(event.getFirstPropertyValue('x-visio-room')).toBe(room.code);
        expect(event.getFirstProperty('conference')!.getParameter('feature')).toEqual(['AUDIO', 'VIDEO']);

        const organizer = event.getFirstProperty('organizer')!;
        expect(organizer.getFirstValue()).toBe('mailto:organisatrice@numerique.gouv.fr');
        expect(organizer.getParameter('cn')).toBe(asParam(organizerName) || undefined);
        const parsed = event.getAllProperties('attendee');
        expect(parsed).toHaveLength(attendees.length);
        parsed.forEach((property, i) => {
          expect(property.getFirstValue()).toBe(`mailto:${attendees[i]!.email}`);
          expect(property.getParameter('cn')).toBe(asParam(attendees[i]!.name) || undefined);
          expect(Object.keys(property.toJSON()[1] as object).sort()).toEqual([...(asParam(attendees[i]!.name) ? ['cn'] : []), 'partstat', 'role', 'rsvp'].sort());
        });
        expect(readRoomFromIcs(ics)).toEqual(room);
      }),
      { numRuns: 200 },
    );
  });

  it('add → remove on an event with arbitrary text restores it', () => {
    fc.assert(
      fc.property(text, text, text, (title, description, location) => {
        const escapeText = (value: string) => value.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
        const lines = [
          'BEGIN:VCALENDAR',
          'VERSION:2.0',
          'PRODID:-//test//EN',
          'BEGIN:VEVENT',
          'UID:1',
          'DTSTAMP:20260101T000000Z',
          'DTSTART:20261201T090000Z',
          'DTEND:20261201T100000Z',
          ...(asText(title) ? [`SUMMARY:${escapeText(asText(title))}`] : []),
          ...(asText(location) ? [`LOCATION:${escapeText(asText(location))}`] : []),
          ...(asText(description) ? [`DESCRIPTION:${escapeText(asText(description))}`] : []),
          'END:VEVENT',
          'END:VCALENDAR',
          '',
        ];
        const original = lines.join('\r\n');
        const strip = (ics: string) => {
          const calendar = new ICAL.Component(ICAL.parse(ics) as unknown[]);
          const event = calendar.getFirstSubcomponent('vevent')!;
          event.removeAllProperties('sequence');
          event.removeAllProperties('dtstamp');
          return calendar.toJSON();
        };
        const added = addRoomToIcs(original, room);
        expect(readRoomFromIcs(added)).toEqual(room);
        expect(strip(removeRoomFromIcs(added))).toEqual(strip(original));
      }),
      { numRuns: 200 },
    );
  });
});
