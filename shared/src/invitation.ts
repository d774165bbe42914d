/**
 * The invitation block put into a meeting's body: rendering (French by default, or English; HTML and
 * plain text) and finding, replacing or removing an earlier block without touching the rest of the body.
 *
 * Markers must survive mail clients. In HTML, Outlook drops comments, prefixes ids with `x_` and may wrap
 * the block, so the block is an element found by its id (any number of `x_` prefixes) or its data
 * attribute, and its end by counting nested tags of the same name. In text, the block sits between two
 * delimiter lines, after one blank line that removal takes back.
 */
import { escapeHtml } from './html.js';
import { INVITATION_STRINGS } from './i18n/invitation.js';
import { formatPhoneNumber, formatPin, telUri } from './telephony.js';
import { DEFAULT_LANG, type Lang, type RoomLink } from './types.js';

export interface InvitationInput {
  room: RoomLink;
  lang?: Lang;
  title?: string;
  /** Name of the service in the wording; default `Visio`. */
  instanceName?: string;
}

export interface Invitation {
  subject: string;
  html: string;
  text: string;
}

export const INVITATION_BLOCK_ID = 'visio-meeting-block';
const DATA_ATTRIBUTE = 'data-visio-meeting-block';
export const TEXT_BLOCK_START = `-- Visio ${'-'.repeat(41)}`;
export const TEXT_BLOCK_END = `${'-'.repeat(41)} Visio --`;
const START_LINE = /^-- Visio -{3,}[ \t]*$/;
const END_LINE = /^-{3,} Visio --[ \t]*$/;

export function renderInvitation(input: InvitationInput): Invitation {
  const lang = input.lang ?? DEFAULT_LANG;
  if (!Object.hasOwn(INVITATION_STRINGS, lang)) throw new RangeError(`unsupported language: ${JSON.stringify(String(lang))}`);
  const t = INVITATION_STRINGS[lang];
  const name = oneLine(input.instanceName ?? '') || 'Visio';
  const title = oneLine(input.title ?? '');
  const heading = t.meeting.replace('{name}', name) + (title ? `${t.colon}${title}` : '');
  const url = checkJoinUrl(input.room.url);
  const phone = input.room.telephony;
  const dial = phone ? { number: formatPhoneNumber(phone.phoneNumber), pin: formatPin(phone.pin), uri: telUri(phone.phoneNumber, phone.pin) } : null;

  const text = [TEXT_BLOCK_START, heading, '', `${t.join}${t.colon.trimEnd()}`, url, ''];
  if (dial) text.push(`${t.byPhone}${t.colon}${dial.number}`, `${t.pin}${t.colon}${dial.pin}`, '');
  text.push(t.help, TEXT_BLOCK_END);

  const e = escapeHtml;
  const p = (inner: string, margin = '0 0 8px') => `<p style="margin:${margin}">${inner}</p>`;
  const html = [
    `<div id="${INVITATION_BLOCK_ID}" ${DATA_ATTRIBUTE}="1" lang="${lang}" style="margin:16px 0;padding:8px 0;border-top:1px solid #929292;border-bottom:1px solid #929292">`,
    p(`<strong>${e(heading)}</strong>`),
    p(`<a href="${e(url)}">${e(t.join)}</a><br>${e(url)}`),
    dial ? p(`${e(t.byPhone)}${e(t.colon)}<a href="${e(dial.uri)}">${e(dial.number)}</a><br>${e(t.pin)}${e(t.colon)}${e(dial.pin)}`) : '',
    p(e(t.help), '0'),
    '</div>',
  ].join('');

  return { subject: heading, html, text: text.join('\n') };
}

/** Control characters and line breaks become single spaces: a title must not open a new line or tag. */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

function checkJoinUrl(url: string): string {
  let ok = /^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i.test(url);
  if (ok) {
    try {
      new URL(url);
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new RangeError(`room URL must be an absolute http(s) URL without spaces, got ${JSON.stringify(String(url).slice(0, 100))}`);
  return url;
}

// ---------------------------------------------------------------------------------------------------
// HTML bodies

interface Span {
  start: number;
  end: number;
}

export function upsertInvitationHtml(body: string, blockHtml: string): string {
  const own = findHtmlBlock(blockHtml);
  if (!own || own.start !== 0 || own.end !== blockHtml.length) {
    throw new RangeError('blockHtml must be exactly one invitation block, as made by renderInvitation().html');
  }
  const found = findHtmlBlock(body);
  if (found) {
    const result = body.slice(0, found.start) + blockHtml + body.slice(found.end);
    const after = found.start + blockHtml.length;
    return result.slice(0, after) + removeInvitationHtml(result.slice(after));
  }
  const at = lastDocumentEnd(body);
  return body.slice(0, at) + blockHtml + body.slice(at);
}

export function removeInvitationHtml(body: string): string {
  let result = body;
  for (let found = findHtmlBlock(result); found; found = findHtmlBlock(result)) {
    result = result.slice(0, found.start) + result.slice(found.end);
  }
  return result;
}

/** Where to append in a full document: before the last `</body>` (or `</html>`), else at the end. */
function lastDocumentEnd(body: string): number {
  for (const pattern of [/<\/body[\s>]/gi, /<\/html[\s>]/gi]) {
    let last = -1;
    for (const m of body.matchAll(pattern)) last = m.index;
    if (last >= 0) return last;
  }
  return body.length;
}

// The id (`x_` added by Outlook, any number of times) or the data attribute, inside a start tag.
const HTML_MARKER = new RegExp(`\\sid\\s*=\\s*(["']?)(?:x_)*${INVITATION_BLOCK_ID}\\1(?=[\\s/>])|\\s${DATA_ATTRIBUTE}(?=[\\s=/>])`, 'gi');
const TAG_NAME = /<(\/?)([A-Za-z][A-Za-z0-9:-]*)/y;
// How far before a marker its tag may start: a real start tag is short.
const MAX_TAG_LENGTH = 4096;

function findHtmlBlock(body: string): Span | null {
  return findMarkedHtmlBlock(body) ?? findUnmarkedHtmlBlock(body);
}

function findMarkedHtmlBlock(body: string): Span | null {
  for (const m of body.matchAll(HTML_MARKER)) {
    const open = body.lastIndexOf('<', m.index);
    if (open < 0 || m.index - open > MAX_TAG_LENGTH) continue;
    TAG_NAME.lastIndex = open;
    const name = TAG_NAME.exec(body);
    if (!name || name[1] === '/') continue;
    const openEnd = tagEnd(body, open);
    if (openEnd <= m.index) continue; // the marker is text after a tag, not one of its attributes
    const end = matchingClose(body, openEnd, name[2]!.toLowerCase());
    if (end >= 0) return { start: open, end };
  }
  return null;
}

// Editors that rebuild the body from a model (Outlook on the web's RoosterJS) drop the id, data and lang
// attributes and rewrite styles, keeping the block's div, its join link and its closing help sentence. Such a
// block is found by that sentence: the innermost enclosing div, close before it, that holds the heading and the
// join link and ends right after the sentence. Windows are bounded, so the search stays linear.
const SPACE = '(?:\\s|&nbsp;|&#160;|&#xa0;|\u00a0)+';
const words = (text: string) =>
  text
    .split(/\s+/)
    .map((w) => escapeHtml(w).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join(SPACE);
const INSTANCE_NAME = '[^\\s:!?.](?:[^:!?.]|\\.(?=[^\\s.])){0,59}?';
const UNMARKED = Object.values(INVITATION_STRINGS).map((t) => ({
  help: new RegExp(words(t.help), 'g'),
  join: new RegExp(`>${SPACE.replace('+', '*')}${words(t.join)}${SPACE.replace('+', '*')}</a\\s*>`, 'i'),
  // The text before the join link: the heading, with or without the meeting's title. The instance's name has no
  // colon and ends no sentence: a quoted help sentence ("… : open the link above.") is never taken for one.
  heading: new RegExp(`^${words(t.meeting).replace(escapeHtml('{name}').replace(/[{}]/g, '\\$&'), INSTANCE_NAME)}(?:${words(t.colon.trim())}[\\s\\S]*)?$`),
}));
const UNMARKED_BEFORE = 8192;
const UNMARKED_AFTER = 512;

/** Where the `<a href="http(s):…">` carrying the join link's text starts, or -1. */
function joinLink(html: string, join: RegExp): number {
  const text = join.exec(html);
  if (!text) return -1;
  const a = html.toLowerCase().lastIndexOf('<a', text.index);
  return a >= 0 && /^<a\s[^>]*\bhref\s*=\s*["']?https?:/i.test(html.slice(a, text.index + 1)) ? a : -1;
}

function findUnmarkedHtmlBlock(body: string): Span | null {
  for (const strings of UNMARKED) {
    for (const m of body.matchAll(strings.help)) {
      const from = Math.max(0, m.index - UNMARKED_BEFORE);
      const opens: number[] = [];
      for (let lt = body.indexOf('<', from); lt >= 0 && lt < m.index; lt = body.indexOf('<', lt + 1)) {
        TAG_NAME.lastIndex = lt;
        const tag = TAG_NAME.exec(body);
        if (!tag || tag[2]!.toLowerCase() !== 'div') continue;
        if (tag[1] === '/') opens.pop();
        else opens.push(lt);
      }
      for (let i = opens.length - 1; i >= 0; i--) {
        const open = opens[i]!;
        const openEnd = tagEnd(body, open, m.index);
        if (openEnd < 0) continue;
        const inside = body.slice(openEnd, m.index);
        const link = joinLink(inside, strings.join);
        if (link < 0) continue;
        const text = inside
          .slice(0, link)
          .replace(/<[^>]*>/g, '')
          .replace(new RegExp(SPACE, 'g'), ' ')
          .trim();
        if (!strings.heading.test(text)) break;
        const helpEnd = m.index + m[0].length;
        // The divs opened after this one and still open at the sentence close first.
        const end = matchingClose(body, helpEnd, 'div', helpEnd + UNMARKED_AFTER, opens.length - i);
        if (end < 0 || !/^(?:\s|<\/[A-Za-z][A-Za-z0-9]*\s*>)*$/.test(body.slice(helpEnd, body.lastIndexOf('<', end - 1)))) break;
        return { start: open, end };
      }
    }
  }
  return null;
}

/** Offset just past the `>` ending the tag at `at`, skipping quoted attribute values; -1 if none before `limit`. */
function tagEnd(s: string, at: number, limit = s.length): number {
  let quote = '';
  let previous = ''; // last non-space character outside quotes: a quote opens a value only after `=`
  for (let i = at + 1; i < Math.min(s.length, limit); i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '>') return i + 1;
    else if ((ch === '"' || ch === "'") && previous === '=') quote = ch;
    if (!quote && ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r' && ch !== '\f') previous = ch;
  }
  return -1;
}

/** Offset just past the close tag matching an element opened before `from` (`depth` elements deep), counting nesting, before `limit`; -1 if none. */
function matchingClose(s: string, from: number, name: string, limit = s.length, depth = 1): number {
  let at = from;
  while (at < Math.min(s.length, limit)) {
    const lt = s.indexOf('<', at);
    if (lt < 0) return -1;
    if (s.startsWith('<!--', lt)) {
      const close = s.indexOf('-->', lt + 4);
      at = close < 0 ? lt + 4 : close + 3;
      continue;
    }
    TAG_NAME.lastIndex = lt;
    const tag = TAG_NAME.exec(s);
    if (!tag) {
      at = lt + 1;
      continue;
    }
    const end = tagEnd(s, lt, limit);
    if (end < 0) return -1;
    if (tag[2]!.toLowerCase() === name) {
      if (tag[1] === '/') depth--;
      else if (s[end - 2] !== '/') depth++;
      if (depth === 0) return end;
    }
    at = end;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------
// Plain-text bodies

export function upsertInvitationText(body: string, blockText: string): string {
  const own = findTextBlock(blockText, 0);
  if (!own || own.start !== 0 || own.end !== blockText.replace(/(\r?\n)+$/, '').length) {
    throw new RangeError('blockText must be exactly one invitation block, as made by renderInvitation().text');
  }
  const bare = blockText.slice(0, own.end);
  const found = findTextBlock(body, 0);
  if (found) {
    const block = withEol(bare, blockEol(body, found));
    let result = body.slice(0, found.start) + block + body.slice(found.end);
    const after = found.start + block.length;
    for (let extra = findTextBlock(result, after); extra; extra = findTextBlock(result, after)) result = cut(result, extra);
    return result;
  }
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const block = withEol(bare, eol);
  if (body === '') return block;
  // A body that ends a line gets one blank line and keeps its final line break after the block; the
  // trailing break is what tells removal that only one line break was added before the block.
  if (body.endsWith(eol)) return `${body}${eol}${block}${eol}`;
  return `${body}${eol}${eol}${block}`;
}

export function removeInvitationText(body: string): string {
  let result = body;
  for (let found = findTextBlock(result, 0); found; found = findTextBlock(result, 0)) result = cut(result, found);
  return result;
}

export function hasInvitation(body: string): boolean {
  return findHtmlBlock(body) !== null || findTextBlock(body, 0) !== null;
}

/** Removes a text block and the separator upsertInvitationText put around it. */
function cut(body: string, block: Span): string {
  const eol = blockEol(body, block);
  let before = body.slice(0, block.start);
  let after = body.slice(block.end);
  const dropEol = () => {
    if (before.endsWith(eol)) before = before.slice(0, -eol.length);
  };
  if (after.startsWith(eol)) {
    after = after.slice(eol.length);
    dropEol();
  } else {
    dropEol();
    dropEol();
  }
  return before + after;
}

/** The line break used inside a block: the one ending its first line. */
function blockEol(body: string, block: Span): string {
  const lf = body.indexOf('\n', block.start);
  return lf > 0 && body[lf - 1] === '\r' ? '\r\n' : '\n';
}

function withEol(text: string, eol: string): string {
  return text.replace(/\r?\n/g, eol);
}

/** The first complete block at or after `from`: the last start line before the first end line after it. */
function findTextBlock(body: string, from: number): Span | null {
  let start = -1;
  for (let lineStart = from; lineStart <= body.length; ) {
    const lf = body.indexOf('\n', lineStart);
    const lineEnd = lf < 0 ? body.length : lf;
    const contentEnd = lineEnd > lineStart && body[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    const line = body.slice(lineStart, contentEnd);
    if (line.startsWith('-')) {
      if (START_LINE.test(line)) start = lineStart;
      else if (start >= 0 && END_LINE.test(line)) return { start, end: contentEnd };
    }
    if (lf < 0) break;
    lineStart = lf + 1;
  }
  return null;
}
