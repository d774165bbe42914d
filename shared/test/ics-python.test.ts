/**
 * Independent cross-check: Debian's Python icalendar (not ical.js) must read what we write the same way.
 * Needs /usr/bin/python3 with python3-icalendar; without it the test fails, it is never skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addRoomToIcs, buildMeetingIcs } from '../src/ics.ts';
import { icsFixture, OUTLOOK_TEAMS_SERIES, ROOM, switchIcs } from './ics-fixtures.ts';

const PYTHON = '/usr/bin/python3';
const DUMP = `
import icalendar, sys, json
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
def value(v):
    if isinstance(v, str):
        return str(v)
    raw = v.to_ical()
    return raw.decode() if isinstance(raw, bytes) else raw
def params(v):
    return {k: (list(p) if isinstance(p, (list, tuple)) else str(p)) for k, p in getattr(v, 'params', {}).items()}
def dump(c):
    props = []
    for name, v in c.items():
        for one in (v if isinstance(v, list) else [v]):
            props.append({'name': name, 'value': value(one), 'params': params(one)})
    return {'name': c.name, 'props': props, 'subs': [dump(s) for s in c.subcomponents]}
print(json.dumps(dump(cal)))
`;

interface Dumped {
  name: string;
  props: { name: string; value: string; params: Record<string, string | string[]> }[];
  subs: Dumped[];
}

const dir = mkdtempSync(join(tmpdir(), 'visio-ics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pythonRead(ics: string): Dumped {
  try {
    execFileSync(PYTHON, ['-c', 'import icalendar'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`${PYTHON} cannot import icalendar (install Debian's python3-icalendar): ${(error as Error).message}`);
  }
  const file = join(dir, `${Math.random().toString(36).slice(2)}.ics`);
  writeFileSync(file, ics);
  return JSON.parse(execFileSync(PYTHON, ['-c', DUMP, file], { encoding: 'utf8' })) as Dumped;
}

function one(component: Dumped, name: string) {
  const found = component.props.filter((p) => p.name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
}

function checkRoom(ics: string, expected: { code: string; url: string; summary: string; location: string }) {
  const calendar = pythonRead(ics);
  expect(calendar.name).toBe('VCALENDAR');
  const events = calendar.subs.filter((c) => c.name === 'VEVENT');
  expect(events.length).toBeGreaterThan(0);
  const zones = calendar.subs.filter((c) => c.name === 'VTIMEZONE').map((z) => one(z, 'TZID').value);
  for (const event of events) {
    const conference = event.props.filter((p) => p.name === 'CONFERENCE' && p.value === expected.url);
    expect(conference).toHaveLength(1);
    expect(conference[0]!.params['VALUE']).toBe('URI');
    const feature = conference[0]!.params['FEATURE'];
    expect(Array.isArray(feature) ? feature.join(',') : feature).toBe('AUDIO,VIDEO');
    expect(one(event, 'URL').value).toBe(expected.url);
    expect(one(event, 'X-VISIO-ROOM').value).toBe(expected.code);
    const start = one(event, 'DTSTART');
    expect(zones).toContain(start.params['TZID']);
  }
  expect(one(events[0]!, 'SUMMARY').value).toBe(expected.summary);
  expect(one(events[0]!, 'LOCATION').value).toBe(expected.location);
}

describe('Python icalendar reads our output', () => {
  const roomA = { code: 'abc-defg-hij', url: 'https://visio.numerique.gouv.fr/abc-defg-hij' };
  const roomB = { code: 'xyz-wxyz-klm', url: 'https://visio.numerique.gouv.fr/xyz-wxyz-klm' };
  const title = 'Réunion; budget, "2027": point \\ final';
  const built = buildMeetingIcs({
    title,
    location: 'Salle 204, bâtiment B',
    description: 'Ligne 1\nLigne 2',
    start: '2026-12-01T10:00:00',
    end: '2026-12-01T11:00:00',
    timeZone: 'Europe/Paris',
    rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=5',
    organizer: { email: 'chef@numerique.gouv.fr', name: 'Dupont, Jeanne' },
    attendees: [{ email: 'paul@interieur.gouv.fr', name: 'Paul Durand' }],
    room: roomA,
  });

  it('a built meeting', () => {
    checkRoom(built, { ...roomA, summary: title, location: `Salle 204, bâtiment B, ${roomA.url}` });
  });

  it('a patched meeting (room replaced, VTIMEZONE restored)', () => {
    const withoutZone = built.replace(/BEGIN:VTIMEZONE[\s\S]*END:VTIMEZONE\r\n/, '');
    const patched = addRoomToIcs(withoutZone, roomB);
    checkRoom(patched, { ...roomB, summary: title, location: `Salle 204, bâtiment B, ${roomB.url}` });
  });

  it('an Outlook export switched from Teams: both descriptions (DESCRIPTION, X-ALT-DESC HTML) carry the Visio link and not the Teams one', () => {
    const { switched } = switchIcs(icsFixture(OUTLOOK_TEAMS_SERIES));
    const event = pythonRead(switched).subs.find((c) => c.name === 'VEVENT')!;
    const alt = one(event, 'X-ALT-DESC');
    expect(alt.params['FMTTYPE']).toBe('text/html');
    // Python icalendar reads an X- property as TEXT: escapes undone, the HTML as written.
    expect(alt.value).toContain('id="visio-meeting-block"');
    expect(alt.value).toContain(`<a href="${ROOM.url}">`);
    expect(alt.value).toContain('{font-family:"Cambria Math";');
    expect(one(event, 'DESCRIPTION').value).toContain(ROOM.url);
    expect(one(event, 'LOCATION').value).toBe(ROOM.url);
    for (const p of event.props) expect(p.value, p.name).not.toMatch(/teams\.microsoft\.com/);
  });
});
