/**
 * Finds the join links of one Visio instance in plain text, HTML and ICS text.
 *
 * The text is read through a few "views" (entities and ICS escapes decoded; ICS folds undone; HTML tags
 * removed), each keeping a map back to the original offsets, and a link found in any view counts. Every
 * view is built in one pass and searched with a regex without nested quantifiers, so the whole search is
 * linear in the text length.
 */
import { normalizeRoomCode } from './room-code.js';

export interface VisioLink {
  /** Canonical room code, `abc-defg-hij`. */
  code: string;
  /** Canonical join URL: instance origin + path prefix + `/` + code, without query. */
  url: string;
  /** The link as it appears in the text (entities, folds and query string included). */
  raw: string;
  /** Offset of `raw` in the text. */
  index: number;
}

interface Instance {
  /** Origin + path prefix, without trailing slash. */
  base: string;
  pattern: RegExp;
}

/** A decoded reading of the text; `from[k]`/`to[k]` give the original range of char k (null: identity). */
export interface View {
  text: string;
  from: Int32Array | null;
  to: Int32Array | null;
}

interface Candidate {
  code: string;
  index: number;
  end: number;
}

export function findVisioLinks(text: string, instanceUrl: string): VisioLink[] {
  const instance = parseInstance(instanceUrl);
  const candidates: Candidate[] = [];
  for (const view of views(text)) scan(view, instance.pattern, candidates);
  // Stable sort keeps the first view's reading when two views find the same link at the same offset.
  candidates.sort((a, b) => a.index - b.index);
  const seen = new Set<string>();
  const links: VisioLink[] = [];
  for (const c of candidates) {
    if (seen.has(c.code)) continue;
    seen.add(c.code);
    links.push({ code: c.code, url: `${instance.base}/${c.code}`, raw: text.slice(c.index, c.end), index: c.index });
  }
  return links;
}

export function findFirstVisioLink(text: string, instanceUrl: string): VisioLink | null {
  return findVisioLinks(text, instanceUrl)[0] ?? null;
}

/** `https://visio.numerique.gouv.fr` + `ABCDEFGHIJ` → `https://visio.numerique.gouv.fr/abc-defg-hij`. */
export function canonicalRoomUrl(instanceUrl: string, code: string): string {
  const canonical = normalizeRoomCode(code);
  if (canonical === null) throw new RangeError(`not a Visio room code (expected abc-defg-hij): ${JSON.stringify(code.slice(0, 40))}`);
  return `${parseInstance(instanceUrl).base}/${canonical}`;
}

const instances = new Map<string, Instance>();

function parseInstance(instanceUrl: string): Instance {
  const cached = instances.get(instanceUrl);
  if (cached) return cached;
  let url: URL;
  try {
    url = new URL(instanceUrl);
  } catch {
    throw new RangeError(`invalid Visio instance URL: ${JSON.stringify(instanceUrl.slice(0, 100))}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError(`Visio instance URL must use https or http: ${url.protocol}`);
  if (url.username || url.password || url.search || url.hash) {
    throw new RangeError('Visio instance URL must not carry credentials, a query or a fragment');
  }
  const scheme = url.protocol.slice(0, -1);
  const prefix = url.pathname.replace(/\/+$/, '');
  // An explicit default port is the same origin; any other port must be written out.
  const port = url.port ? `:${url.port}` : `(?::${scheme === 'https' ? 443 : 80})?`;
  const code = '([A-Za-z]{3}-[A-Za-z]{4}-[A-Za-z]{3}|[A-Za-z]{10})';
  const pattern = new RegExp(`${anyCase(scheme)}://${anyCase(url.host.replace(/:\d+$/, ''))}${port}${escapeRegex(prefix)}/${code}`, 'g');
  const instance = { base: `${url.origin}${prefix}`, pattern };
  if (instances.size > 16) instances.clear();
  instances.set(instanceUrl, instance);
  return instance;
}

function anyCase(literal: string): string {
  return [...literal].map((ch) => (/[a-z]/.test(ch) ? `[${ch}${ch.toUpperCase()}]` : escapeRegex(ch))).join('');
}

function escapeRegex(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------------
// Matching

// A scheme right after one of these is part of something else (`evil.example/?https://…`, `xhttps://`).
// `=` is checked apart (see afterAttributeName).
const EMBEDDED_BEFORE = /[A-Za-z0-9+.\-_~/@%?&#\\]/;
// After the code, one of these means the path goes on (`/abc-defg-hijk`, `/abc-defg-hij@x`, `…%20`).
const PATH_GOES_ON = /[A-Za-z0-9\-_~%@+=$]/;
// Where a query string or fragment stops.
const QUERY_STOP = /[\s<>"'`\\{}|^]/;
const TRAILING_PUNCTUATION = '.,;:!?)]}*';

function scan(view: View, pattern: RegExp, out: Candidate[]): void {
  const s = view.text;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(s); m !== null; m = pattern.exec(s)) {
    const start = m.index;
    if (start > 0 && (EMBEDDED_BEFORE.test(s[start - 1]!) || (s[start - 1] === '=' && !afterAttributeName(s, start - 1)))) continue;
    const pathEnd = endOfPath(s, start + m[0].length);
    if (pathEnd < 0) continue;
    const end = endOfQuery(s, pathEnd);
    const code = normalizeRoomCode(m[1]!);
    if (code === null) continue;
    out.push({ code, index: view.from ? view.from[start]! : start, end: view.to ? view.to[end - 1]! : end });
  }
}

/**
 * `=` before a scheme is fine in an unquoted attribute (` href=https://…`) but not in a query string
 * (`?u=https://…`, a redirect through another site): the name before `=` must follow a space.
 */
function afterAttributeName(s: string, equals: number): boolean {
  let i = equals - 1;
  while (i >= 0 && equals - i <= 64 && /[A-Za-z0-9_:-]/.test(s[i]!)) i--;
  return i < equals - 1 && (i < 0 || /\s/.test(s[i]!));
}

/** End of the link path after the code (one trailing `/` allowed), or -1 if the path goes on. */
function endOfPath(s: string, at: number): number {
  let i = at;
  if (s[i] === '/') i++;
  const ch = s[i];
  if (ch === undefined) return i;
  if (ch === '/' || PATH_GOES_ON.test(ch)) return -1;
  if (ch === '.') {
    // Full stop ending a sentence, or an extension (`abc-defg-hij.html`)?
    let j = i;
    while (s[j] === '.') j++;
    const next = s[j];
    if (next !== undefined && (next === '/' || PATH_GOES_ON.test(next))) return -1;
  }
  return i;
}

function endOfQuery(s: string, at: number): number {
  if (s[at] !== '?' && s[at] !== '#') return at;
  let j = at;
  while (j < s.length && !QUERY_STOP.test(s[j]!)) j++;
  while (j > at && TRAILING_PUNCTUATION.includes(s[j - 1]!)) j--;
  return j;
}

// ---------------------------------------------------------------------------------------------------
// Views

function* views(text: string): Generator<View> {
  const base: View = { text, from: null, to: null };
  yield decode(base);
  const folded = /\n[ \t]/.test(text);
  const unfolded = folded ? unfold(base) : base;
  if (folded) yield decode(unfolded);
  if (text.includes('<')) yield decode(stripTags(unfolded));
}

/** Collects output chars with their original ranges. Output is never longer than the input. */
export class ViewBuilder {
  private readonly chunks: string[] = [];
  private readonly from: Int32Array;
  private readonly to: Int32Array;
  private k = 0;
  private runStart = 0;

  constructor(private readonly source: View) {
    this.from = new Int32Array(source.text.length);
    this.to = new Int32Array(source.text.length);
  }

  /** Keeps source char i as is. */
  keep(i: number): void {
    this.from[this.k] = this.sourceFrom(i);
    this.to[this.k] = this.sourceTo(i);
    this.k++;
  }

  /** Replaces source chars [i, i + length) with `replacement` (possibly empty). */
  replace(i: number, length: number, replacement: string): void {
    this.chunks.push(this.source.text.slice(this.runStart, i), replacement);
    const from = this.sourceFrom(i);
    const to = this.sourceTo(i + length - 1);
    for (let u = 0; u < replacement.length; u++, this.k++) {
      this.from[this.k] = from;
      this.to[this.k] = to;
    }
    this.runStart = i + length;
  }

  build(): View {
    this.chunks.push(this.source.text.slice(this.runStart));
    return { text: this.chunks.join(''), from: this.from.subarray(0, this.k), to: this.to.subarray(0, this.k) };
  }

  private sourceFrom(i: number): number {
    return this.source.from ? this.source.from[i]! : i;
  }

  private sourceTo(i: number): number {
    return this.source.to ? this.source.to[i]! : i + 1;
  }
}

/** Undoes ICS line folding (RFC 5545 3.1): a line break followed by one space or tab is removed. */
export function unfold(view: View): View {
  const s = view.text;
  const b = new ViewBuilder(view);
  for (let i = 0; i < s.length; ) {
    const fold = s[i] === '\r' && s[i + 1] === '\n' ? 3 : s[i] === '\n' ? 2 : 0;
    const blank = s[i + fold - 1];
    if (fold > 0 && (blank === ' ' || blank === '\t')) {
      b.replace(i, fold, '');
      i += fold;
    } else b.keep(i++);
  }
  return b.build();
}

/** Removes tags, so a link split by inline markup (`…/<span>abc-defg-hij</span>`) reads whole. */
function stripTags(view: View): View {
  const s = view.text;
  const b = new ViewBuilder(view);
  let i = 0;
  while (i < s.length) {
    if (s[i] === '<' && /[A-Za-z/!]/.test(s[i + 1] ?? '')) {
      const close = s.indexOf('>', i + 1);
      if (close < 0) break; // no tag can end any more: keep the rest as text
      b.replace(i, close + 1 - i, '');
      i = close + 1;
    } else b.keep(i++);
  }
  for (; i < s.length; i++) b.keep(i);
  return b.build();
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  sol: '/',
  colon: ':',
  period: '.',
  quest: '?',
  equals: '=',
  num: '#',
  percnt: '%',
  lpar: '(',
  rpar: ')',
  hyphen: '-',
  dash: '-',
  lowbar: '_',
  nbsp: '\u00a0',
  semi: ';',
  comma: ',',
  excl: '!',
  commat: '@',
  plus: '+',
  lsqb: '[',
  rsqb: ']',
  lbrack: '[',
  rbrack: ']',
  tab: '\t',
  newline: '\n',
};
const ICS_ESCAPES: Record<string, string> = { '\\': '\\', ',': ',', ';': ';', n: '\n', N: '\n' };
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z]{2,8}));/y;

/** Decodes HTML character references and ICS text escapes (`\,` `\;` `\n` `\\`). */
export function decode(view: View): View {
  const s = view.text;
  if (!s.includes('&') && !s.includes('\\')) return view;
  const b = new ViewBuilder(view);
  for (let i = 0; i < s.length; ) {
    const ch = s[i];
    if (ch === '&') {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(s);
      const decoded = m ? entityValue(m) : null;
      if (m && decoded !== null) {
        b.replace(i, m[0].length, decoded);
        i += m[0].length;
        continue;
      }
    } else if (ch === '\\') {
      const escaped = ICS_ESCAPES[s[i + 1] ?? ''];
      if (escaped !== undefined) {
        b.replace(i, 2, escaped);
        i += 2;
        continue;
      }
    }
    b.keep(i++);
  }
  return b.build();
}

function entityValue(m: RegExpExecArray): string | null {
  if (m[3] !== undefined) return Object.hasOwn(NAMED_ENTITIES, m[3].toLowerCase()) ? NAMED_ENTITIES[m[3].toLowerCase()]! : null;
  const codePoint = m[1] !== undefined ? Number.parseInt(m[1], 10) : Number.parseInt(m[2]!, 16);
  if (codePoint === 0 || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return null;
  return String.fromCodePoint(codePoint);
}
