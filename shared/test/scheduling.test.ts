import { describe, expect, it } from 'vitest';
import { readSchedulingInfo, setIcsMethod } from '../src/ics.ts';
import { decideScheduling, unchangedScheduling } from '../src/scheduling.ts';

const ics = (...eventLines: string[]) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//t//t',
    'BEGIN:VEVENT',
    'UID:u1',
    'DTSTAMP:20261201T000000Z',
    'DTSTART:20261210T100000Z',
    'DTEND:20261210T110000Z',
    ...eventLines,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

// As Cyrus 3.6 stores an organizer's object after scheduling it (captured from the Cyrus test server).
const SCHEDULED = ics(
  'ORGANIZER;CN=Alice:mailto:alice@example.test',
  'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=1.2:mailto:bob@example.test',
  'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=5.1:mailto:carol@elsewhere.test',
);
const agent = new Set(['alice@example.test']);

describe('readSchedulingInfo', () => {
  it('reads the organizer and each attendee with its SCHEDULE-STATUS, organizer excluded', () => {
    expect(readSchedulingInfo(SCHEDULED)).toEqual({
      organizer: 'alice@example.test',
      attendees: [
        { email: 'bob@example.test', status: '1.2' },
        { email: 'carol@elsewhere.test', status: '5.1' },
      ],
    });
    expect(readSchedulingInfo(ics('ATTENDEE:mailto:Bob@Example.test', 'ATTENDEE:MAILTO:alice@example.test', 'ORGANIZER:mailto:ALICE@example.test'))).toEqual({
      organizer: 'alice@example.test',
      attendees: [{ email: 'bob@example.test', status: null }],
    });
  });

  it('the METHOD:REQUEST made from a stored object carries no SCHEDULE-STATUS (RFC 6638 7.3)', () => {
    const request = setIcsMethod(SCHEDULED, 'REQUEST');
    expect(request).toMatch(/^METHOD:REQUEST\r$/m);
    expect(request).not.toContain('SCHEDULE-STATUS');
  });
});

describe('decideScheduling', () => {
  const decide = (stored: string, serverSchedules: boolean, who = agent) => decideScheduling({ stored: readSchedulingInfo(stored), serverSchedules, agent: who, request: 'REQ', lang: 'en' });

  it('sent only when the agent organizes and the server confirmed every attendee (1.x)', () => {
    const all = ics('ORGANIZER:mailto:alice@example.test', 'ATTENDEE;SCHEDULE-STATUS=1.2:mailto:bob@example.test', 'ATTENDEE;SCHEDULE-STATUS=1.1:mailto:dana@elsewhere.test');
    expect(decide(all, true)).toMatchObject({ mode: 'server', invitationsSent: true, action: 'none', recipients: [] });
    expect(decide(all, true).ics).toBeUndefined();
  });

  it('names the attendees the server failed, with the file to send them', () => {
    expect(decide(SCHEDULED, true)).toMatchObject({ invitationsSent: false, action: 'send-invitation', recipients: ['carol@elsewhere.test'], ics: 'REQ' });
    expect(decide(SCHEDULED, true).message).toBe('The calendar server could not invite carol@elsewhere.test: mail them the invitation (.ics).');
  });

  it('is unconfirmed when a scheduling server set no status at all', () => {
    expect(decide(ics('ORGANIZER:mailto:alice@example.test', 'ATTENDEE:mailto:bob@example.test'), true)).toMatchObject({
      invitationsSent: false,
      action: 'unconfirmed',
      recipients: ['bob@example.test'],
    });
  });

  it('hands the file to the agent when the server does not schedule', () => {
    expect(decide(ics('ORGANIZER:mailto:alice@example.test', 'ATTENDEE:mailto:bob@example.test'), false)).toMatchObject({
      mode: 'client',
      invitationsSent: false,
      action: 'send-invitation',
      recipients: ['bob@example.test'],
      ics: 'REQ',
    });
  });

  it('an attendee (or anyone but the organizer) is told to ask the organizer, with no file', () => {
    const asBob = decide(SCHEDULED, true, new Set(['bob@example.test']));
    expect(asBob).toMatchObject({ invitationsSent: false, action: 'ask-organizer', organizer: 'alice@example.test', recipients: [] });
    expect(asBob.ics).toBeUndefined();
    expect(decide(ics('ATTENDEE:mailto:bob@example.test'), false)).toMatchObject({ action: 'ask-organizer', organizer: null });
  });

  it('no attendees, or nothing written: nothing to do, said in French by default', () => {
    expect(decideScheduling({ stored: readSchedulingInfo(ics('ORGANIZER:mailto:alice@example.test')), serverSchedules: true, agent })).toMatchObject({
      mode: 'none',
      action: 'none',
      message: 'Aucun participant : aucune invitation à envoyer.',
    });
    expect(unchangedScheduling()).toMatchObject({ mode: 'none', invitationsSent: false, action: 'none', attendees: [] });
  });
});
