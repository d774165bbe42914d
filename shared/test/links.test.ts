import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalRoomUrl, findFirstVisioLink, findVisioLinks } from '../src/links.ts';
import { PUBLIC_INSTANCE_URL } from '../src/types.ts';

const I = PUBLIC_INSTANCE_URL;
const URL1 = 'https://visio.numerique.gouv.fr/abc-defg-hij';
const codes = (text: string, instance = I) => findVisioLinks(text, instance).map((l) => l.code);

describe('findVisioLinks: plain text', () => {
  it('finds a bare link with its canonical code, url, raw text and offset', () => {
    const text = `Rejoindre : ${URL1} merci`;
    expect(findVisioLinks(text, I)).toEqual([{ code: 'abc-defg-hij', url: URL1, raw: URL1, index: 12 }]);
  });

  it.each([
    [`(${URL1})`, URL1],
    [`<${URL1}>`, URL1],
    [`"${URL1}"`, URL1],
    [`'${URL1}'`, URL1],
    [`${URL1}.`, URL1],
    [`${URL1}, puis`, URL1],
    [`${URL1};`, URL1],
    [`${URL1}!`, URL1],
    [`${URL1}?`, URL1],
    [`${URL1}/`, `${URL1}/`],
    [`lien:${URL1}`, URL1],
    [`${URL1}?silentLogin=true`, `${URL1}?silentLogin=true`],
    [`(${URL1}?silentLogin=true&hideLogin=true).`, `${URL1}?silentLogin=true&hideLogin=true`],
    [`${URL1}#top`, `${URL1}#top`],
    [`${URL1}/?silentLogin=true`, `${URL1}/?silentLogin=true`],
  ])('finds the link in %j, raw %j', (text, raw) => {
    const links = findVisioLinks(text, I);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ code: 'abc-defg-hij', url: URL1, raw });
    expect(text.slice(links[0]!.index, links[0]!.index + raw.length)).toBe(raw);
  });

  it.each([
    'https://visio.numerique.gouv.fr/ABCDEFGHIJ',
    'https://visio.numerique.gouv.fr/abcdefghij',
    'https://visio.numerique.gouv.fr/ABC-DEFG-HIJ',
    'HTTPS://VISIO.NUMERIQUE.GOUV.FR/abc-defg-hij',
    'https://visio.numerique.gouv.fr:443/abc-defg-hij',
  ])('accepts the code and host forms the web app accepts: %s', (text) => {
    expect(findVisioLinks(text, I)).toEqual([{ code: 'abc-defg-hij', url: URL1, raw: text, index: 0 }]);
  });

  it.each([
    'https://visio.numerique.gouv.fr.evil.example/abc-defg-hij',
    'https://evilvisio.numerique.gouv.fr/abc-defg-hij',
    'https://visio.numerique.gouv.fr@evil.example/abc-defg-hij',
    'https://visio.numerique.gouv.fr:443@evil.example/abc-defg-hij',
    'https://user@visio.numerique.gouv.fr.evil.example/abc-defg-hij',
    'https://visio.numerique.gouv.fr:8443/abc-defg-hij',
    'http://visio.numerique.gouv.fr/abc-defg-hij',
    'https://evil.example/?u=https://visio.numerique.gouv.fr/abc-defg-hij',
    'https://evil.example/https://visio.numerique.gouv.fr/abc-defg-hij',
    'xhttps://visio.numerique.gouv.fr/abc-defg-hij',
    'https://visio.numerique.gouv.fr/abc-defg-hij/extra',
    'https://visio.numerique.gouv.fr/abc-defg-hij.html',
    'https://visio.numerique.gouv.fr/abc-defg-hijk',
    'https://visio.numerique.gouv.fr/abc-defg-hij-klm',
    'https://visio.numerique.gouv.fr/abcdefghijk',
    'https://visio.numerique.gouv.fr/abc-defg-hi',
    'https://visio.numerique.gouv.fr/abc_defg_hij',
    'https://visio.numerique.gouv.fr/abcd-efg-hij',
    'https://visio.numerique.gouv.fr/abc-defghij',
    'https://visio.numerique.gouv.fr/home',
    'https://visio.numerique.gouv.fr/sdk/abc-defg-hij',
    'https://visio.numerique.gouv.fr//abc-defg-hij',
    'https://visio.numerique.gouv.fr/abc-defg-hij%20',
    'https://visio.numerique.gouv.fr/abc-defg-hij@evil.example',
    'visio.numerique.gouv.fr/abc-defg-hij',
  ])('ignores %s', (text) => {
    expect(findVisioLinks(text, I)).toEqual([]);
  });

  it('deduplicates by code, in order of first appearance', () => {
    const text = `b: https://visio.numerique.gouv.fr/zzz-yyyy-xxx a: ${URL1} b again: https://visio.numerique.gouv.fr/ZZZYYYYXXX`;
    const links = findVisioLinks(text, I);
    expect(links.map((l) => l.code)).toEqual(['zzz-yyyy-xxx', 'abc-defg-hij']);
    expect(links[0]!.index).toBe(3);
    expect(findFirstVisioLink(text, I)?.code).toBe('zzz-yyyy-xxx');
  });

  it('returns null when there is no link', () => {
    expect(findFirstVisioLink('rien ici https://example.org/abc-defg-hij', I)).toBeNull();
  });
});

describe('findVisioLinks: instance', () => {
  it('honours a path prefix, and only that prefix', () => {
    const inst = 'https://example.org/visio/';
    expect(findVisioLinks('https://EXAMPLE.org/visio/abc-defg-hij', inst)).toEqual([
      { code: 'abc-defg-hij', url: 'https://example.org/visio/abc-defg-hij', raw: 'https://EXAMPLE.org/visio/abc-defg-hij', index: 0 },
    ]);
    expect(codes('https://example.org/abc-defg-hij', inst)).toEqual([]);
    expect(codes('https://example.org/visio2/abc-defg-hij', inst)).toEqual([]);
    expect(codes('https://example.org/visio/x/abc-defg-hij', inst)).toEqual([]);
  });

  it('requires a non-default port when the instance has one', () => {
    const inst = 'http://localhost:8080';
    expect(codes('http://localhost:8080/abc-defg-hij', inst)).toEqual(['abc-defg-hij']);
    expect(codes('http://localhost/abc-defg-hij', inst)).toEqual([]);
    expect(codes('http://localhost:80801/abc-defg-hij', inst)).toEqual([]);
  });

  it('matches only the configured instance, not the public one', () => {
    expect(codes(URL1, 'https://meet.example.org')).toEqual([]);
  });

  it.each(['', 'visio.numerique.gouv.fr', 'ftp://visio.numerique.gouv.fr', 'https://u:p@visio.numerique.gouv.fr', 'https://visio.numerique.gouv.fr/?a=1'])(
    'refuses the instance URL %j with a RangeError',
    (inst) => {
      expect(() => findVisioLinks(URL1, inst)).toThrow(RangeError);
    },
  );
});

describe('findVisioLinks: HTML', () => {
  it('finds links in href attributes and text, decoding entities', () => {
    const html = '<p>Rejoindre&nbsp;: <a href="https:&#x2F;&#x2F;visio.numerique.gouv.fr&#47;abc-defg-hij?silentLogin=true&amp;hideLogin=true">la réunion</a></p>';
    const [link, ...rest] = findVisioLinks(html, I);
    expect(rest).toEqual([]);
    expect(link).toMatchObject({ code: 'abc-defg-hij', url: URL1 });
    expect(link!.raw).toBe('https:&#x2F;&#x2F;visio.numerique.gouv.fr&#47;abc-defg-hij?silentLogin=true&amp;hideLogin=true');
    expect(html.indexOf(link!.raw)).toBe(link!.index);
  });

  it('finds a link wrapped in tags and in unquoted attributes', () => {
    expect(codes(`<div><b><a href=${URL1}>${URL1}</a></b></div>`)).toEqual(['abc-defg-hij']);
    expect(codes(`<td>${URL1}</td><td>2</td>`)).toEqual(['abc-defg-hij']);
    expect(codes(`&lt;${URL1}&gt;`)).toEqual(['abc-defg-hij']);
  });

  it('reads a link split by inline markup', () => {
    const html = '<p><span>https://visio.numerique.gouv.fr/</span><span lang="fr">abc-defg-hij</span></p>';
    const links = findVisioLinks(html, I);
    expect(links.map((l) => l.code)).toEqual(['abc-defg-hij']);
    expect(links[0]!.raw).toBe('https://visio.numerique.gouv.fr/</span><span lang="fr">abc-defg-hij');
  });

  it('does not turn escaped text into markup that hides or invents links', () => {
    expect(codes('&lt;b&gt;https://visio.numerique.gouv.fr/abc-defg-hij&lt;/b&gt;')).toEqual(['abc-defg-hij']);
    expect(codes('https://visio.numerique.gouv.fr/abc-defg-hij&#x6B;')).toEqual([]); // …hijk
  });
});

describe('findVisioLinks: ICS text', () => {
  it('unfolds CRLF and LF continuation lines, with space or tab', () => {
    const ics = 'DESCRIPTION:Rejoindre la réunion :\\nhttps://visio.numeri\r\n que.gouv.fr/abc-de\n\tfg-hij\\nPar téléphone';
    const links = findVisioLinks(ics, I);
    expect(links.map((l) => l.code)).toEqual(['abc-defg-hij']);
    expect(links[0]!.raw).toBe('https://visio.numeri\r\n que.gouv.fr/abc-de\n\tfg-hij');
  });

  it('handles ICS escapes around the link', () => {
    expect(codes(`DESCRIPTION:Lien\\: ${URL1}\\, code\\; merci\\\\`)).toEqual(['abc-defg-hij']);
    expect(codes(`DESCRIPTION:Lien :\\n${URL1}\\nCode`)).toEqual(['abc-defg-hij']);
    expect(codes(`DESCRIPTION:Lien :\\N${URL1}\\N`)).toEqual(['abc-defg-hij']);
    expect(codes(`LOCATION:${URL1}\r\nURL:${URL1}?silentLogin=true\r\n`)).toEqual(['abc-defg-hij']);
  });

  it('still finds a link followed by an indented line in plain text', () => {
    expect(codes(`Lien : ${URL1}\n Code : 1234`)).toEqual(['abc-defg-hij']);
  });

  it('finds links in an HTML description folded inside ICS', () => {
    const ics = `X-ALT-DESC;FMTTYPE=text/html:<a href="https://visio.numerique.gouv.fr/ab\r\n c-defg-hij">Rejoindre</a>`;
    expect(codes(ics)).toEqual(['abc-defg-hij']);
  });
});

describe('findVisioLinks: robustness', () => {
  const pieces = [
    'https://',
    'visio.numerique.gouv.fr',
    '/',
    'abc-defg-hij',
    'ABCDEFGHIJ',
    '?',
    '&amp;',
    '&#x2F;',
    '&#',
    '&',
    '\\',
    '\\n',
    '\r\n ',
    '\n\t',
    '<',
    '>',
    '<a href="',
    '"',
    "'",
    '(',
    ')',
    '.',
    '-',
    '@',
    ':',
    ' ',
    'a',
    '<!--',
    '&#99999999;',
    '&#xD800;',
  ];
  const soup = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 400 }).map((a) => a.join(''));

  it('never throws, and every link it returns points back into the text', () => {
    fc.assert(
      fc.property(soup, (text) => {
        const links = findVisioLinks(text, I);
        const seen = new Set<string>();
        for (const l of links) {
          expect(text.slice(l.index, l.index + l.raw.length)).toBe(l.raw);
          expect(l.url).toBe(`${I}/${l.code}`);
          expect(l.code).toMatch(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
          expect(seen.has(l.code)).toBe(false);
          seen.add(l.code);
        }
        expect(links.map((l) => l.index)).toEqual([...links.map((l) => l.index)].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it('terminates on long random strings', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 10_000, maxLength: 50_000, unit: 'grapheme-ascii' }), (text) => {
        expect(Array.isArray(findVisioLinks(text, I))).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('finds a link at the end of a 1 MB body full of near misses', () => {
    const miss = 'https://visio.numerique.gouv.fr/abc-defg-hijk &amp;&#x2F; <span>&lt; https://visio.numerique.gouv.fr.evil/abc-defg-hij\r\n ';
    const body = miss.repeat(Math.ceil(1_000_000 / miss.length)) + `<a href="${URL1}">x</a>`;
    const links = findVisioLinks(body, I);
    expect(links).toHaveLength(1);
    expect(links[0]!.index).toBe(body.length - URL1.length - 7);
  });

  it('property: a link put anywhere between spaces is found with its offset', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.stringMatching(/^[a-z]{10}$/), (before, after, letters) => {
        const code = `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7)}`;
        const text = `${before} ${I}/${code} ${after}`;
        const found = findVisioLinks(text, I).find((l) => l.code === code);
        expect(found).toBeDefined();
        expect(found!.index).toBeLessThanOrEqual(before.length + 1);
      }),
    );
  });
});

describe('canonicalRoomUrl', () => {
  it.each([
    [I, 'ABCDEFGHIJ', URL1],
    ['https://visio.numerique.gouv.fr/', 'abc-defg-hij', URL1],
    ['HTTPS://Example.ORG:443/visio/', 'abc-defg-hij', 'https://example.org/visio/abc-defg-hij'],
    ['http://localhost:8080', 'abc-defg-hij', 'http://localhost:8080/abc-defg-hij'],
  ])('%s + %s → %s', (inst, code, url) => {
    expect(canonicalRoomUrl(inst, code)).toBe(url);
  });

  it('refuses a bad code or instance', () => {
    expect(() => canonicalRoomUrl(I, 'abc-defg-hi')).toThrow(/not a Visio room code/);
    expect(() => canonicalRoomUrl('not a url', 'abc-defg-hij')).toThrow(RangeError);
  });
});
