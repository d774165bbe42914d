import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../src/html.ts';
import {
  hasInvitation,
  INVITATION_BLOCK_ID,
  removeInvitationHtml,
  removeInvitationText,
  renderInvitation,
  upsertInvitationHtml,
  upsertInvitationText,
  type InvitationInput,
} from '../src/invitation.ts';
import { findVisioLinks } from '../src/links.ts';
import { PUBLIC_INSTANCE_URL, type RoomLink } from '../src/types.ts';

const URL1 = 'https://visio.numerique.gouv.fr/abc-defg-hij';
const ROOM: RoomLink = { code: 'abc-defg-hij', url: URL1, telephony: { phoneNumber: '+33187210000', pin: '1234567890', country: 'FR' } };
const BARE: RoomLink = { code: 'zzz-yyyy-xxx', url: 'https://visio.numerique.gouv.fr/zzz-yyyy-xxx' };
const NBSP = '\u00a0';

/** Tags of an HTML string, read tolerantly: name and raw attribute text. */
function tags(html: string): { name: string; attrs: string }[] {
  return [...html.matchAll(/<\/?([A-Za-z][\w:-]*)([^>]*)>/g)].map((m) => ({ name: m[1]!.toLowerCase(), attrs: m[2]! }));
}

describe('renderInvitation', () => {
  it('renders the French block by default: heading, link alone on its line, dial-in, help', () => {
    const inv = renderInvitation({ room: ROOM, title: 'Point hebdo' });
    expect(inv.subject).toBe(`Réunion Visio${NBSP}: Point hebdo`);
    const lines = inv.text.split('\n');
    expect(lines[1]).toBe(`Réunion Visio${NBSP}: Point hebdo`);
    expect(lines).toContain(URL1);
    expect(lines).toContain(`Par téléphone${NBSP}: +33 1 87 21 00 00`);
    expect(lines).toContain(`Code${NBSP}: 123 456 7890#`);
    expect(lines.some((l) => l.startsWith('Rejoindre depuis un navigateur'))).toBe(true);
    expect(inv.html).toContain(`<a href="${URL1}">Rejoindre la réunion</a>`);
    expect(inv.html).toContain('<a href="tel:+33187210000,,1234567890%23">+33 1 87 21 00 00</a>');
    expect(inv.html).toContain('123 456 7890#');
    expect(inv.html).toContain('lang="fr"');
  });

  it('renders English, with the instance name and without a title', () => {
    const inv = renderInvitation({ room: ROOM, lang: 'en', instanceName: 'Webconf' });
    expect(inv.subject).toBe('Webconf meeting');
    expect(inv.text).toContain('\nBy phone: +33 1 87 21 00 00\nPIN: 123 456 7890#\n');
    expect(inv.text).toContain('\nJoin the meeting:\nhttps://visio.numerique.gouv.fr/abc-defg-hij\n');
    expect(inv.html).toContain('lang="en"');
    expect(inv.html).toContain('>Join the meeting</a>');
  });

  it('leaves out the dial-in lines when the room has no telephony', () => {
    const inv = renderInvitation({ room: BARE });
    expect(inv.text).not.toMatch(/téléphone|Code/);
    expect(inv.html).not.toContain('tel:');
  });

  it('gives every link an accessible text and uses no script, class or external resource', () => {
    const { html } = renderInvitation({ room: ROOM, title: 'T' });
    const found = tags(html);
    expect(new Set(found.map((t) => t.name))).toEqual(new Set(['div', 'p', 'strong', 'a', 'br']));
    for (const t of found) expect(t.attrs).not.toMatch(/\b(class|src|on\w+)\s*=/i);
    for (const m of html.matchAll(/<a\b[^>]*>(.*?)<\/a>/g)) expect(m[1]!.trim()).not.toBe('');
  });

  it('carries the join link where link detection finds it, in both forms', () => {
    const inv = renderInvitation({ room: ROOM });
    expect(findVisioLinks(inv.text, PUBLIC_INSTANCE_URL).map((l) => l.url)).toEqual([URL1]);
    expect(findVisioLinks(inv.html, PUBLIC_INSTANCE_URL).map((l) => l.url)).toEqual([URL1]);
  });

  it('escapes a hostile title: no markup, no new line, no fake marker', () => {
    const title = `<script>alert("x")</script> ' & \r\n${'-'.repeat(41)} Visio --\r\n<img src=x onerror=alert(1)> id="${INVITATION_BLOCK_ID}"`;
    const inv = renderInvitation({ room: ROOM, title });
    expect(inv.subject).not.toMatch(/[\r\n]/);
    expect(tags(inv.html).map((t) => t.name)).not.toContain('script');
    expect(tags(inv.html).map((t) => t.name)).not.toContain('img');
    expect(inv.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39; &amp;');
    expect(inv.text.split('\n')).toHaveLength(renderInvitation({ room: ROOM, title: 'x' }).text.split('\n').length);
    // The block is still one block, found and removed whole.
    const body = upsertInvitationHtml('<p>a</p>', inv.html);
    expect(removeInvitationHtml(body)).toBe('<p>a</p>');
    expect(removeInvitationText(upsertInvitationText('a', inv.text))).toBe('a');
  });

  it('escapes the URL, in href and in text', () => {
    const inv = renderInvitation({ room: { code: 'abc-defg-hij', url: `${URL1}?a=1&b="2"` } });
    expect(inv.html).toContain(`href="${URL1}?a=1&amp;b=&quot;2&quot;"`);
    expect(inv.html).not.toContain('b="2"');
  });

  it.each(['javascript:alert(1)', 'data:text/html,x', '/abc-defg-hij', `${URL1}\n<b>`, 'https://'])('refuses the room URL %j', (url) => {
    expect(() => renderInvitation({ room: { code: 'abc-defg-hij', url } })).toThrow(RangeError);
  });

  it('refuses a bad dial-in or language with a RangeError', () => {
    expect(() => renderInvitation({ room: { ...ROOM, telephony: { phoneNumber: '01 87 21 00 00', pin: '1' } } })).toThrow(RangeError);
    expect(() => renderInvitation({ room: ROOM, lang: 'de' } as unknown as InvitationInput)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------

const block1 = renderInvitation({ room: ROOM, title: 'Premier' });
const block2 = renderInvitation({ room: BARE, lang: 'en', title: 'Second <b>&' });

const textPiece = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('\n', '\r\n', '\r', '\n\n', ' ', '-- Visio ---', '--- Visio --', '-- ', '---', 'Visio'));
const textBody = fc.array(textPiece, { maxLength: 12 }).map((parts) => parts.join(''));

const htmlText = fc.string({ maxLength: 10 }).map(escapeHtml);
const htmlNode: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    htmlText,
    fc.constantFrom('<br>', '<br><br><br>', '<br/>', '&nbsp;', '<hr>', '<!-- c -->', '<p></p>'),
    fc
      .tuple(fc.constantFrom('div', 'p', 'span', 'b'), fc.array(tie('node'), { maxLength: 4 }), fc.constantFrom('', ' class="elementToProof"', ' style="color:red"', ' id="x"'))
      .map(([name, kids, attrs]) => `<${name}${attrs}>${kids.join('')}</${name}>`),
  ),
})).node;
const fragment = fc.array(htmlNode, { maxLength: 5 }).map((n) => n.join(''));
const outlookBody = fragment.map(
  (inner) =>
    `<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\r\n</head>\r\n<body dir="ltr">\r\n<div class="elementToProof" style="font-family: Aptos, sans-serif; font-size: 12pt;">${inner}</div>\r\n</body>\r\n</html>\r\n`,
);
const htmlBody = fc.oneof(fc.string(), fragment, outlookBody, fc.string({ unit: 'binary', maxLength: 30 }));

describe('text block', () => {
  it('appends after one blank line and removes back to the exact body', () => {
    expect(upsertInvitationText('Ordre du jour', block1.text)).toBe(`Ordre du jour\n\n${block1.text}`);
    expect(upsertInvitationText('Ordre du jour\r\n', block1.text)).toBe(`Ordre du jour\r\n\r\n${block1.text.replaceAll('\n', '\r\n')}\r\n`);
    expect(upsertInvitationText('', block1.text)).toBe(block1.text);
  });

  it('property: remove(upsert(B)) === B, upsert replaces, hasInvitation follows', () => {
    fc.assert(
      fc.property(textBody, (body) => {
        fc.pre(!hasInvitation(body));
        const once = upsertInvitationText(body, block1.text);
        expect(hasInvitation(once)).toBe(true);
        expect(removeInvitationText(once)).toBe(body);
        const twice = upsertInvitationText(once, block2.text);
        expect(twice).toBe(upsertInvitationText(body, block2.text));
        expect(upsertInvitationText(twice, block2.text)).toBe(twice);
        expect(removeInvitationText(twice)).toBe(body);
        expect(hasInvitation(removeInvitationText(twice))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps text the user wrote after the block', () => {
    const body = `${upsertInvitationText('Avant', block1.text)}\n\nAprès`;
    expect(removeInvitationText(body)).toBe('Avant\n\nAprès');
    expect(upsertInvitationText(body, block2.text)).toBe(`Avant\n\n${block2.text}\n\nAprès`);
  });

  it('still finds the block after a client turned every line break into CRLF and trimmed trailing spaces', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[\r\n]/.test(s)),
        (line) => {
          fc.pre(!hasInvitation(line));
          const converted = upsertInvitationText(`${line}\n`, block1.text).replaceAll('\n', '\r\n');
          expect(hasInvitation(converted)).toBe(true);
          expect(removeInvitationText(converted)).toBe(`${line}\r\n`);
        },
      ),
    );
  });

  it('collapses duplicated blocks into one', () => {
    const doubled = `${block1.text}\n\nentre\n\n${block1.text}`;
    const result = upsertInvitationText(doubled, block2.text);
    expect(result.split(block2.text)).toHaveLength(2);
    expect(result).not.toContain('Premier');
    expect(result).toContain('entre');
  });

  it('refuses a block that is not one', () => {
    expect(() => upsertInvitationText('x', 'Rejoindre : https://visio.numerique.gouv.fr/abc-defg-hij')).toThrow(RangeError);
    expect(() => upsertInvitationText('x', `${block1.text}\nplus`)).toThrow(RangeError);
  });
});

describe('HTML block', () => {
  it('appends at the end of a fragment, or before </body> of a document', () => {
    expect(upsertInvitationHtml('<p>Bonjour</p>', block1.html)).toBe(`<p>Bonjour</p>${block1.html}`);
    expect(upsertInvitationHtml('<html><body><p>x</p></BODY></html>', block1.html)).toBe(`<html><body><p>x</p>${block1.html}</BODY></html>`);
  });

  it('property: remove(upsert(B)) === B, upsert replaces, hasInvitation follows', () => {
    fc.assert(
      fc.property(htmlBody, (body) => {
        fc.pre(!hasInvitation(body));
        const once = upsertInvitationHtml(body, block1.html);
        expect(hasInvitation(once)).toBe(true);
        expect(removeInvitationHtml(once)).toBe(body);
        const twice = upsertInvitationHtml(once, block2.html);
        expect(twice).toBe(upsertInvitationHtml(body, block2.html));
        expect(removeInvitationHtml(twice)).toBe(body);
        expect(hasInvitation(removeInvitationHtml(twice))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  // What Outlook does to a block on its way through: `x_` ids, dropped data attribute, extra wrappers,
  // paragraphs turned into nested divs, attributes reordered.
  const outlookMangles: [string, (html: string) => string][] = [
    ['x_ prefix', (h) => h.replace(`id="${INVITATION_BLOCK_ID}"`, `id="x_${INVITATION_BLOCK_ID}"`)],
    ['double x_ prefix, no data attribute', (h) => h.replace(`id="${INVITATION_BLOCK_ID}" data-visio-meeting-block="1"`, `id="x_x_${INVITATION_BLOCK_ID}"`)],
    ['only the data attribute', (h) => h.replace(`id="${INVITATION_BLOCK_ID}" `, '')],
    ['class first, single quotes', (h) => h.replace(`<div id="${INVITATION_BLOCK_ID}"`, `<div class="x_elementToProof" title="a > b" id='x_${INVITATION_BLOCK_ID}'`)],
    ['paragraphs as nested divs', (h) => h.replaceAll('<p ', '<div ').replaceAll('</p>', '</div>').replace('<strong>', '<div><div><strong>').replace('</strong>', '</strong></div></div>')],
    ['upper-case tags', (h) => h.replaceAll('<div', '<DIV').replaceAll('</div>', '</DIV>')],
    // An editor rebuilding the body from its model (RoosterJS, see the captured exports below).
    ['no id, data or lang attribute, styles rewritten', (h) => h.replace(/ id="[^"]*" data-visio-meeting-block="1" lang="\w+"/, '').replace(/style="[^"]*"/g, 'style="margin: 0px;"')],
    [
      'no markers, paragraphs as nested divs, non-breaking spaces as entities',
      (h) =>
        h
          .replace(/ id="[^"]*" data-visio-meeting-block="1" lang="\w+"/, '')
          .replaceAll('<p ', '<div ')
          .replaceAll('</p>', '</div>')
          .replaceAll(NBSP, '&nbsp;')
          .replace(/ (ouvrez|sans)/g, '&nbsp;$1'),
    ],
  ];

  it.each(outlookMangles)('finds, replaces and removes a block after Outlook changes: %s', (_, mangle) => {
    fc.assert(
      fc.property(outlookBody, fragment, (body, after) => {
        const mangled = mangle(block1.html);
        expect(mangled).not.toBe(block1.html);
        // Outlook also wraps the block in its own divs.
        const wrapped = `<div class="x_elementToProof"><div>${mangled}</div></div>${after}`;
        const received = upsertInvitationHtml(body, block1.html).replace(block1.html, () => wrapped);
        const withoutBlock = received.replace(mangled, () => '');
        expect(hasInvitation(received)).toBe(true);
        expect(removeInvitationHtml(received)).toBe(withoutBlock);
        expect(upsertInvitationHtml(received, block2.html)).toBe(received.replace(mangled, () => block2.html));
      }),
      { numRuns: 50 },
    );
  });

  // Outlook on the web's body editor exports a block without its markers (captured from the real RoosterJS).
  const ROOSTER = join(import.meta.dirname, 'fixtures', 'invitation');
  it.each(['roosterjs-9.7.0-fr-phone.json', 'roosterjs-9.7.0-en.json'])('finds the block RoosterJS exported without its markers: %s', (file) => {
    const { exported } = JSON.parse(readFileSync(join(ROOSTER, file), 'utf8')) as { exported: string };
    expect(exported).not.toContain(INVITATION_BLOCK_ID);
    const agent = '<p>Ordre du jour : budget.</p>';
    expect(exported.startsWith(`${agent}<div `)).toBe(true);
    expect(hasInvitation(exported)).toBe(true);
    expect(removeInvitationHtml(exported)).toBe(`${agent}<p>Merci.</p>`);
    // Added again (a new room): one block, the agent's text kept.
    expect(upsertInvitationHtml(exported, block2.html)).toBe(`${agent}${block2.html}<p>Merci.</p>`);
  });

  it('takes no unmarked text for a block: the help sentence alone, without the join link, heading or end', () => {
    const help = 'Rejoindre depuis un navigateur récent, sans installation : ouvrez le lien ci-dessus.';
    const link = `<a href="${URL1}">Rejoindre la réunion</a>`;
    for (const body of [
      `<div><p>Comme dit : ${help}</p></div>`,
      `<div><p>Réunion Visio : x</p><p>${help}</p></div>`,
      `<div><p>Ordre du jour</p><p>${link}</p><p>${help}</p></div>`,
      `<div><p>Réunion Visio : x</p><p>${link}</p><p>${help}</p><p>Et mon texte après.</p></div>`,
      `<div><p>Réunion Visio : x</p><p><a href="javascript:alert(1)">Rejoindre la réunion</a></p><p>${help}</p></div>`,
      `<div><p>Réunion Visio : x</p><p>${link}</p></div><div><p>${help}</p></div>`,
      `<div><p>Réunion Visio : x</p><p>${link}</p><p>${help}</p>`,
    ]) {
      expect(hasInvitation(body)).toBe(false);
      expect(removeInvitationHtml(body)).toBe(body);
    }
  });

  it('property: an agent body quoting the sentences of a block is never taken for one unless it is one', () => {
    const help = 'Join from an up-to-date web browser, nothing to install: open the link above.';
    const link = `<a href="${URL1}">Join the meeting</a>`;
    const piece = fc.constantFrom('<div>', '</div>', '<p>', '</p>', 'Visio meeting: x', link, help, 'texte', ' ', '&nbsp;', `<div>Visio meeting: x${link}`, `${help}</div>`);
    let found = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const body = pieces.join('');
        if (!hasInvitation(body)) return;
        found++;
        // Whatever is found is a div that starts with the heading, holds the link and ends with the sentence. Words
        // typed right before the heading in its own div, and empty or stray tags, read as part of the heading
        // ("texte Visio" an instance's name): the finder does not know the name, only that it has no colon and
        // ends no sentence.
        const removed = removeInvitationHtml(body);
        expect(removed.length).toBeLessThan(body.length);
        expect(body).toMatch(/<div>(?:<\/?p>|<\/?div>|texte|\s|&nbsp;)*Visio meeting: x[\s\S]*Join the meeting<\/a>[\s\S]*open the link above\.(?:<\/p>|<\/div>|\s)*<\/div>/);
      }),
      { numRuns: 2000 },
    );
    expect(found).toBeGreaterThan(50);
  });

  it('does not take a quoted help sentence before a heading for the instance name (found by the property above)', () => {
    const help = 'Join from an up-to-date web browser, nothing to install: open the link above.';
    const body = `<div>${help}Visio meeting: x<a href="${URL1}">Join the meeting</a>${help}</div>`;
    expect(hasInvitation(body)).toBe(false);
    const french = 'Rejoindre depuis un navigateur récent, sans installation : ouvrez le lien ci-dessus.';
    expect(hasInvitation(`<div>Réunion La Suite Meet : x<a href="${URL1}">Rejoindre la réunion</a> ${french}</div>`)).toBe(true);
    expect(hasInvitation(`<div>Bonjour. Réunion Visio : x<a href="${URL1}">Rejoindre la réunion</a> ${french}</div>`)).toBe(false);
  });

  it('stays bounded on a body made of near-blocks (1 MB)', () => {
    const near = `<div><p>Réunion Visio : x</p><a href="${URL1}">Rejoindre la réunion</a> Rejoindre depuis un navigateur récent, sans installation : ouvrez le lien ci-dessus. <b>texte</b>`;
    const body = near.repeat(Math.ceil(1_000_000 / near.length));
    expect(hasInvitation(body)).toBe(false);
    expect(hasInvitation(`<div>${'<p>Rejoindre depuis un navigateur récent, sans installation : ouvrez le lien ci-dessus.'.repeat(12_000)}`)).toBe(false);
  });

  it('ignores the marker words in text or in a tag that never closes', () => {
    expect(hasInvitation(`<p>id="${INVITATION_BLOCK_ID}" data-visio-meeting-block</p>`)).toBe(false);
    expect(hasInvitation(`<div id="${INVITATION_BLOCK_ID}"><p>x</p>`)).toBe(false);
    expect(hasInvitation(`<div id="x_${INVITATION_BLOCK_ID}-old"></div>`)).toBe(false);
  });

  it('refuses a block that is not one', () => {
    expect(() => upsertInvitationHtml('<p>x</p>', '<p>Réunion</p>')).toThrow(RangeError);
    expect(() => upsertInvitationHtml('<p>x</p>', `${block1.html}<p>plus</p>`)).toThrow(RangeError);
  });

  it('works on a 1 MB body', () => {
    const body = `<html><body>${'<div><p>ligne &amp; <br></p></div>\r\n'.repeat(30_000)}</body></html>`;
    const once = upsertInvitationHtml(body, block1.html);
    expect(removeInvitationHtml(once)).toBe(body);
    expect(upsertInvitationHtml(once, block2.html)).toBe(upsertInvitationHtml(body, block2.html));
  });
});
