/**
 * Outlook's HTML description (X-ALT-DESC;FMTTYPE=text/html) beside DESCRIPTION: a switch takes the Teams
 * block out of both and puts the Visio block in both (HTML there), and removal gives both back. Read with
 * ical.js here and with Python icalendar in ics-python.test.ts, on a published Outlook 16 export.
 */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { addRoomToIcs, removeRoomFromIcs } from '../src/ics.ts';
import { ensureConferenceDesign } from '../src/ics-design.ts';
import { hasInvitation } from '../src/invitation.ts';
import { icsFixture, OUTLOOK_TEAMS_SERIES, ROOM, switchIcs } from './ics-fixtures.ts';

function fields(ics: string) {
  // As ics.ts reads it (X-ALT-DESC as TEXT).
  ensureConferenceDesign();
  const event = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
  const alt = event.getAllProperties('x-alt-desc');
  expect(alt).toHaveLength(1);
  expect(alt[0]!.getParameter('fmttype')).toBe('text/html');
  return { description: String(event.getFirstPropertyValue('description') ?? ''), html: String(alt[0]!.getFirstValue() ?? ''), location: String(event.getFirstPropertyValue('location') ?? '') };
}

describe('X-ALT-DESC (Outlook’s HTML description)', () => {
  const ics = icsFixture(OUTLOOK_TEAMS_SERIES);

  it('the export holds the Teams block in both descriptions, X-ALT-DESC read as TEXT (escapes undone)', () => {
    const before = fields(ics);
    expect(before.description).toContain('https://teams.microsoft.com/l/meetup-join/');
    expect(before.html).toContain('<a href="https://teams.microsoft.com/l/meetup-join/');
    expect(before.html).toContain('{font-family:"Cambria Math";');
    expect(before.html).not.toContain('\\;');
  });

  it('switch: Teams gone from DESCRIPTION, X-ALT-DESC and LOCATION; the Visio block in both descriptions, HTML in X-ALT-DESC', () => {
    const { switched } = switchIcs(ics);
    expect(switched).not.toMatch(/teams\.microsoft\.com|dialin\.teams/);
    const after = fields(switched);
    expect(after.location).toBe(ROOM.url);
    expect(after.description).toContain('-- Visio ---');
    expect(after.description).toContain(ROOM.url);
    expect(after.description).toContain('.NET Maintainers Committee');
    expect(hasInvitation(after.html)).toBe(true);
    expect(after.html).toContain(`<a href="${ROOM.url}">`);
    // The agent's own HTML stays: Word's document, the text before the block, the block before </body>.
    expect(after.html).toContain('<b>.NET Maintainers Committee<o:p></o:p></b>');
    expect(after.html.indexOf('visio-meeting-block')).toBeLessThan(after.html.lastIndexOf('</body>'));
    expect(after.html.startsWith('<html xmlns:v="urn:schemas-microsoft-com:vml"')).toBe(true);
    expect(after.html).not.toMatch(/Microsoft\s+Teams meeting|Click here to join the meeting/);
  });

  it('the same room again changes nothing; removal gives both descriptions back as they were after the Teams block left', () => {
    const { cleaned, switched } = switchIcs(ics);
    expect(addRoomToIcs(switched, ROOM, { lang: 'en' })).toBe(switched);
    const removed = fields(removeRoomFromIcs(switched));
    const base = fields(cleaned);
    expect(removed.html).toBe(base.html);
    expect(removed.description).toBe(base.description);
  });

  it('an event without X-ALT-DESC gets none, and a plain-text X-ALT-DESC is left alone', () => {
    const plain = ics.replace(/^X-ALT-DESC;FMTTYPE=text\/html:[\s\S]*?\r\n(?=X-MICROSOFT-CDO-BUSYSTATUS)/m, '');
    expect(plain).not.toContain('X-ALT-DESC');
    expect(addRoomToIcs(plain, ROOM)).not.toContain('X-ALT-DESC');
    const text = plain.replace('X-MICROSOFT-CDO-BUSYSTATUS', 'X-ALT-DESC;FMTTYPE=text/plain:Note\r\nX-MICROSOFT-CDO-BUSYSTATUS');
    expect(addRoomToIcs(text, ROOM)).toContain('X-ALT-DESC;FMTTYPE=text/plain:Note\r\n');
  });
});

describe('DESCRIPTION;ALTREP="data:text/html,…" (Thunderbird’s HTML description)', () => {
  it('the Teams block leaves the percent-encoded HTML too, the agent’s HTML kept; the object still reads', () => {
    const ics = icsFixture('thunderbird-153-teams-altrep');
    const { cleaned, switched } = switchIcs(ics);
    const altrep = (text: string) => decodeURIComponent(/ALTREP="data:text\/html,([^"]*)"/.exec(text.replace(/\r\n[ \t]/g, ''))![1]!);
    expect(altrep(ics)).toContain('teams.microsoft.com');
    expect(altrep(cleaned)).toBe(
      '<div id="x_divtagdefaultwrapper" dir="ltr" style="font-size:12pt;color:#000000"><p>Bonjour à tous,</p><p>Ordre du jour &amp; documents <b>joints</b>.</p><p>À lundi.</p></div>',
    );
    expect(switched.replace(/\r\n[ \t]/g, '')).not.toMatch(/teams\.micro|R%C3%A9union%20Microsoft%20Teams/);
    ensureConferenceDesign();
    const event = new ICAL.Component(ICAL.parse(switched)).getFirstSubcomponent('vevent')!;
    expect(String(event.getFirstPropertyValue('description'))).toContain(ROOM.url);
  });
});
