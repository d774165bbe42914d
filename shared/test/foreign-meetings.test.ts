import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCorpus } from './foreign-corpus.ts';
import { FOREIGN_PROVIDERS, findForeignMeetings, foreignProviderOf, removeForeignMeetings, type ForeignProvider } from '../src/foreign-meetings.ts';

// The corpus: one file per invitation body (foreign-corpus.ts reads it; the header names each one's source).
interface Fixture {
  file: string;
  provider: ForeignProvider;
  format: string;
  lang: string;
  input: string;
  expected: string;
}
const corpus: Fixture[] = readCorpus().map(({ file, header, input, expected }) => {
  expect(header.source, `${file} names its source`).toBeTruthy();
  return { file, provider: header.provider as ForeignProvider, format: header.format!, lang: header.lang!, input, expected };
});

describe('foreign meetings corpus', () => {
  it('has at least ten bodies for every provider, in text, HTML and ICS, fr and en', () => {
    for (const provider of FOREIGN_PROVIDERS) {
      const mine = corpus.filter((f) => f.provider === provider);
      expect(mine.length, provider).toBeGreaterThanOrEqual(10);
      expect(new Set(mine.map((f) => f.format)), provider).toEqual(new Set(['text', 'html', 'ics']));
      expect(new Set(mine.map((f) => f.lang)), provider).toEqual(new Set(['fr', 'en']));
    }
  });

  it.each(corpus.map((f) => [f.file, f] as const))('%s: found, and removal keeps everything else byte for byte', (_file, f) => {
    const scan = findForeignMeetings(f.input);
    expect(scan.providers).toContain(f.provider);
    expect(scan.providers.every((p) => p === f.provider)).toBe(true);
    expect(removeForeignMeetings(f.input, scan)).toBe(f.expected);
    // Nothing is left to find in what remains.
    expect(findForeignMeetings(f.expected).meetings).toEqual([]);
  });
});

describe('foreignProviderOf', () => {
  it.each([
    ['https://teams.microsoft.com/l/meetup-join/19%3ameeting_X%40thread.v2/0', 'teams'],
    ['https://teams.live.com/meet/9312345678901?p=x', 'teams'],
    ['https://teams.microsoft.com/meet/31234567890?p=x', 'teams'],
    ['https://us02web.zoom.us/j/85012345678?pwd=x', 'zoom'],
    ['https://zoom.us/j/85012345678', 'zoom'],
    ['https://www.zoomgov.com/j/1612345678', 'zoom'],
    ['https://acme.webex.com/acme/j.php?MTID=m0123', 'webex'],
    ['https://acme.webex.com/meet/ivan', 'webex'],
    ['https://meet.google.com/abc-defg-hij', 'google-meet'],
    ['https://global.gotomeeting.com/join/994278485', 'goto'],
    ['https://meet.goto.com/994278485', 'goto'],
    ['https://www.gotomeet.me/apertussolutions', 'goto'],
    ['https://global.gotomeeting.com/join/00000000', 'goto'],
    ['https://whereby.com/my-room', 'whereby'],
    ['https://subdomain.whereby.com/waiting-room-example-546f6c91-74b2-4597-b32a-6aeefa9ed90f', 'whereby'],
    ['https://example.whereby.com/room?roomKey=eFhcG', 'whereby'],
    ['https://bluejeans.com/563715630/3948', 'bluejeans'],
    ['https://redhat.bluejeans.com/908675367', 'bluejeans'],
  ])('%s → %s', (url, provider) => {
    expect(foreignProviderOf(url)).toBe(provider);
  });

  it.each([
    'https://visio.numerique.gouv.fr/abc-defg-hij',
    'https://teams.microsoft.com/',
    'https://www.microsoft.com/microsoft-teams/join-a-meeting',
    'https://zoom.us/download',
    'https://evilzoom.us/j/123',
    'https://zoom.us.evil.example/j/123',
    'https://meet.google.com.evil.example/abc-defg-hij',
    'https://meet.google.com/abc-defg-hijk',
    'https://whereby.com/information/embedded/pricing/',
    // Whereby's own sites, as its documentation links them: not rooms.
    'https://whereby.com/blog/p2p-vs-sfu-video-calls-which-is-best/',
    'https://docs.whereby.com/whereby-101/creating-and-deleting-rooms',
    'https://cdn.srv.whereby.com/embed/v2-embed.js',
    'https://global.gotomeeting.com/install/691818141',
    'https://webex.com/',
    'https://tel.meet/abc-defg-hij?pin=1',
  ])('%s is not a foreign meeting link', (url) => {
    expect(foreignProviderOf(url)).toBeNull();
  });
});

describe('no false positives', () => {
  const mentions = fc.constantFrom(
    'On se voit sur Zoom demain ?',
    'Microsoft Teams',
    'Réunion Microsoft Teams annulée, on passe sur Visio.',
    'Google Meet ne marche pas chez moi.',
    'Webex, GoTo Meeting, Whereby et BlueJeans sont remplacés.',
    'Join Zoom Meeting',
    'Meeting ID: 123 456 789',
    'Passcode: 1234',
    'https://www.microsoft.com/microsoft-teams/download-app',
    'https://zoom.us/download',
    'https://support.google.com/a/users/answer/9282720',
    '________________________________________________________________________________',
    '-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::-',
    'Please do not edit this section.',
    '+33 1 23 45 67 89',
    // Lines of GoTo and BlueJeans blocks: no meeting without the provider's link.
    'You can also dial in using your phone.',
    'France (Toll Free): 0 805 541 047',
    '- One-touch: tel:+33805541047,,691818141#',
    'Bluejeans:',
    'To join via Phone:',
    '1) Dial: +1 408 740 7256',
    '2) Enter Conference ID: 908675367',
    'https://whereby.com/blog/p2p-vs-sfu-video-calls-which-is-best/',
  );
  const visio = fc.stringMatching(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/).map((code) => `https://visio.numerique.gouv.fr/${code}`);
  const piece = fc.oneof(mentions, visio, fc.string({ maxLength: 20 }), fc.constantFrom('\n', '\r\n', ' ', '<br>', '<p>', '</p>', '&nbsp;'));
  const body = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));

  it('text that only mentions a provider or holds a Visio link has no foreign meeting', () => {
    fc.assert(
      fc.property(body, (text) => {
        expect(findForeignMeetings(text).meetings).toEqual([]);
        expect(removeForeignMeetings(text)).toBe(text);
      }),
      { numRuns: 400 },
    );
  });

  it('nor between the rules Teams and Google draw, without a meeting link or heading', () => {
    const rule = fc.constantFrom('_'.repeat(80), '-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-');
    // (Google's "Please do not edit this section." between its rules is its block, link stripped or not.)
    const line = fc.oneof(
      mentions.filter((m) => !m.startsWith('Please do not edit')),
      visio,
    );
    fc.assert(
      fc.property(rule, fc.array(line, { maxLength: 6 }), rule, (open, lines, close) => {
        const text = `Agent\n${open}\n${lines.join('\n')}\n${close}\nAgent\n`;
        expect(findForeignMeetings(text).meetings).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('as an ICS description too', () => {
    fc.assert(
      fc.property(body, (text) => {
        const escaped = text.replace(/\\/g, '\\\\').replace(/[;,]/g, '\\$&').replace(/\r?\n/g, '\\n');
        const ics = `BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nDESCRIPTION:${escaped}\r\nLOCATION:Salle 2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
        expect(findForeignMeetings(ics).meetings).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('robustness', () => {
  const fixtures = corpus.map((f) => f.input);
  it('spans are sorted, disjoint and inside the text; removal never throws', () => {
    const pieces = fc.oneof(
      fc.constantFrom(...fixtures.map((f) => f.slice(0, 400))),
      fc.string({ maxLength: 30 }),
      fc.constantFrom('<', '>', '</div>', '<div>', '\\n', '\r\n ', '&amp;', 'https://zoom.us/j/1', '____________________'),
    );
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 20 }).map((p) => p.join('')),
        (text) => {
          const scan = findForeignMeetings(text);
          let at = 0;
          for (const span of scan.spans) {
            expect(span.start).toBeGreaterThanOrEqual(at);
            expect(span.end).toBeGreaterThan(span.start);
            expect(span.end).toBeLessThanOrEqual(text.length);
            at = span.end;
          }
          expect(typeof removeForeignMeetings(text, scan)).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds a link at the end of 2 MB of near misses of every construct (a super-linear scan would not finish)', () => {
    const miss =
      'https://zoom.us.evil/j/1 https://teams.microsoft.com/ Meeting ID: 1\n+1 2\n' +
      '___________________\n-::~:~::-\n<div><span>Passcode: x</span><a href="https://zoom.us/j/">x</a>&amp;&#x2F;\r\n \\n' +
      'Austria (Toll Free): 0 800 x\n- One-touch: tel:+43,,\n1) Dial: x\nhttps://www.gotomeet.me/ https://docs.whereby.com/x <p>x<o:p></o:p></p>\n';
    for (const tail of ['', '<div>', '\r\n']) {
      const text = miss.repeat(Math.ceil(2_000_000 / miss.length)) + tail + '\nhttps://meet.google.com/abc-defg-hij\n';
      const scan = findForeignMeetings(text);
      expect(scan.providers).toEqual(['google-meet']);
    }
  });

  it('a Zoom link with a hundred thousand block lines after it is handled in one pass', () => {
    const text = `https://zoom.us/j/123456789\n${'Meeting ID: 1\n'.repeat(100_000)}Agent text\n`;
    const scan = findForeignMeetings(text);
    expect(removeForeignMeetings(text, scan)).toBe('Agent text\n');
  });
});
