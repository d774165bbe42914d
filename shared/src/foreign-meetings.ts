/**
 * Recognises the meetings of other video-conferencing services (Teams, Zoom, Webex, Google Meet, GoTo,
 * Whereby, BlueJeans) in an invitation body (plain text, HTML) or an iCalendar object, and gives the
 * exact spans to remove so that the agent's own text around them is kept byte for byte.
 *
 * How: the text is read through views that keep a map back to the original offsets (links.ts): entities
 * and ICS escapes decoded, ICS folds undone, and for HTML a "lines" view where tags are dropped and block
 * tags become line breaks. A block is either delimited (Teams' underscore rules, Google's `-::~:~` rules)
 * or grown line by line from a meeting link over the lines such invitations are made of (meeting ID,
 * passcode, dial-in numbers…). Every view is built in one pass, regexes have no nested quantifiers and
 * each line is classified once, so the whole scan is linear in the text length.
 */
import { decode, unfold, ViewBuilder, type View } from './links.js';

export const FOREIGN_PROVIDERS = ['teams', 'zoom', 'webex', 'google-meet', 'goto', 'whereby', 'bluejeans'] as const;
export type ForeignProvider = (typeof FOREIGN_PROVIDERS)[number];

export const FOREIGN_PROVIDER_NAMES: Record<ForeignProvider, string> = {
  teams: 'Microsoft Teams',
  zoom: 'Zoom',
  webex: 'Webex',
  'google-meet': 'Google Meet',
  goto: 'GoTo Meeting',
  whereby: 'Whereby',
  bluejeans: 'BlueJeans',
};

/** A range `[start, end)` of the original text. */
export interface ForeignSpan {
  start: number;
  end: number;
}

export interface ForeignMeeting {
  provider: ForeignProvider;
  /** The meeting's join link, decoded (null for a block whose link was stripped, e.g. by a mail filter). */
  url: string | null;
  /** What was found: an invitation block, a bare link in the agent's text, an ICS property, a LOCATION part. */
  kind: 'block' | 'link' | 'property' | 'location';
  spans: ForeignSpan[];
}

export interface ForeignScan {
  meetings: ForeignMeeting[];
  /** Providers found, in order of first appearance. */
  providers: ForeignProvider[];
  /** Every span to remove, sorted, merged, non-overlapping. */
  spans: ForeignSpan[];
}

/** Finds foreign meetings in a body (text or HTML) or an iCalendar object. */
export function findForeignMeetings(text: string): ForeignScan {
  const meetings: ForeignMeeting[] = [];
  const base: View = { text, from: null, to: null };
  if (/^BEGIN:(?:VCALENDAR|VEVENT)\r?$/im.test(text)) scanIcs(base, meetings);
  else scanBody(base, looksLikeHtml(text), meetings);
  meetings.sort((a, b) => a.spans[0]!.start - b.spans[0]!.start);
  const providers: ForeignProvider[] = [];
  for (const m of meetings) if (!providers.includes(m.provider)) providers.push(m.provider);
  return { meetings, providers, spans: merge(meetings.flatMap((m) => m.spans)) };
}

/** The text without the foreign meetings' spans. */
export function removeForeignMeetings(text: string, scan: ForeignScan = findForeignMeetings(text)): string {
  const parts: string[] = [];
  let at = 0;
  for (const span of scan.spans) {
    parts.push(text.slice(at, span.start));
    at = span.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** The provider of a join link, or null when it is not a foreign meeting link. */
export function foreignProviderOf(url: string): ForeignProvider | null {
  const m = /^https?:\/\/([^/?#:]{1,253})(?::\d{1,5})?([/?#][\s\S]*)?$/i.exec(url.trim());
  if (!m) return null;
  const host = m[1]!.toLowerCase();
  const path = m[2] ?? '';
  const under = (domain: string) => host === domain || host.endsWith(`.${domain}`);
  if ((host === 'teams.microsoft.com' || under('teams.microsoft.us')) && /^\/(?:l\/meetup-join\/|meet\/\d)/i.test(path)) return 'teams';
  if (host === 'teams.live.com' && /^\/meet\/\d/i.test(path)) return 'teams';
  if ((under('zoom.us') || under('zoomgov.com')) && /^\/(?:j|w|my|s)\/[\w.-]/i.test(path)) return 'zoom';
  if (under('webex.com') && /^\/(?:[\w-]{1,64}\/)?(?:j\.php\?|meet\/[\w.-]|join\/[\w.-]|wbxmjs\/joinservice\/)/i.test(path)) return 'webex';
  if (host === 'meet.google.com' && /^\/(?:[a-z]{3}-[a-z]{4}-[a-z]{3}(?![\w-])|lookup\/\w)/i.test(path)) return 'google-meet';
  // `/join/<id>` is GoTo's join route whatever the id's length (published invitations mask it with zeros).
  if (under('gotomeeting.com') && /^\/join\/\d{6,12}(?!\d)/.test(path)) return 'goto';
  if ((under('gotomeeting.com') || host === 'meet.goto.com' || host === 'app.goto.com') && /^\/(?:join\/|meeting\/)?\d{9}(?!\d)/.test(path)) return 'goto';
  if (under('gotomeet.me') && /^\/\w/.test(path)) return 'goto';
  // A room is one path segment on whereby.com or an organisation's subdomain; Whereby's own sites are not rooms.
  if (
    under('whereby.com') &&
    !/^(?:docs|api|cdn|srv|help|status|blog|embed)\./.test(host) &&
    /^\/[\w-]{1,64}\/?(?:[?#]|$)/.test(path) &&
    !/^\/(?:information|user|org|pricing|download|legal|blog)\b/i.test(path)
  )
    return 'whereby';
  if ((under('bluejeans.com') && /^\/\d{5,}/.test(path)) || (host === 'bjn.vc' && /^\/\w/.test(path))) return 'bluejeans';
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Links

interface Link {
  provider: ForeignProvider | null; // null: a helper link of such invitations (dial-in page, help…)
  url: string;
  /** Range in the original text. */
  start: number;
  end: number;
  /** Range in the decoded view. */
  vStart: number;
  vEnd: number;
}

const URL_PATTERN = /https?:\/\/[A-Za-z0-9.-]{1,253}(?::\d{1,5})?(?:[/?#][^\s<>"'`\\{}|^]{0,4096})?/gi;
const TRAILING = '.,;:!?)]}*';
// Links that only invitations of these services carry around the join link.
const HELPER_HOST =
  /(?:^|\.)(?:aka\.ms|dialin\.teams\.microsoft\.com|teams\.microsoft\.com|microsoft\.com|tel\.meet|zoom\.us|zoomgov\.com|webex\.com|gotomeeting\.com|goto\.com|gotoconnect\.com|bluejeans\.com|bjn\.vc|whereby\.com)$/i;
const HELPER_GOOGLE = /^https?:\/\/support\.google\.com\/a\/users\/answer\/9282720|^https?:\/\/meet\.google\.com\//i;

function findLinks(view: View): Link[] {
  const s = view.text;
  const links: Link[] = [];
  URL_PATTERN.lastIndex = 0;
  for (let m = URL_PATTERN.exec(s); m !== null; m = URL_PATTERN.exec(s)) {
    let url = m[0];
    while (url.length > 8 && TRAILING.includes(url[url.length - 1]!)) url = url.slice(0, -1);
    const provider = foreignProviderOf(url);
    const host = /^https?:\/\/([^/?#:]+)/i.exec(url)![1]!;
    if (!provider && !HELPER_HOST.test(host) && !HELPER_GOOGLE.test(url)) continue;
    const vStart = m.index;
    const vEnd = m.index + url.length;
    links.push({ provider, url, vStart, vEnd, start: fromOf(view, vStart), end: toOf(view, vEnd - 1) });
  }
  return links;
}

// ---------------------------------------------------------------------------------------------------
// Lines

const HTML_TAG = /<(?:html|head|body|div|p|br|span|a|table|meta|b|strong|font|td|tr|u|i|em)[\s/>]/i;

function looksLikeHtml(text: string): boolean {
  return HTML_TAG.test(text);
}

const BLOCK_TAGS = new Set([
  'div',
  'p',
  'br',
  'tr',
  'li',
  'table',
  'tbody',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'blockquote',
  'ul',
  'ol',
  'pre',
  'body',
  'html',
  'center',
  'section',
  'header',
  'footer',
]);
const SKIPPED_ELEMENTS = new Set(['head', 'style', 'script', 'title']);

/** HTML read as lines: tags dropped, block tags as line breaks, whitespace runs as one space. */
function htmlLines(view: View): View {
  const s = view.text;
  const b = new ViewBuilder(view);
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '<' && /[A-Za-z/!]/.test(s[i + 1] ?? '')) {
      const close = s.indexOf('>', i + 1);
      if (close < 0) break;
      const name = tagName(s, i);
      let end = close + 1;
      if (name && SKIPPED_ELEMENTS.has(name) && s[i + 1] !== '/') {
        // The content of <head>, <style>… is not text.
        const closing = s.toLowerCase().indexOf(`</${name}`, end);
        const closingEnd = closing < 0 ? -1 : s.indexOf('>', closing);
        if (closingEnd > 0) end = closingEnd + 1;
      }
      b.replace(i, end - i, name && BLOCK_TAGS.has(name) ? '\n' : '');
      i = end;
    } else if (/\s/.test(ch) && ch !== '\u00a0') {
      let j = i + 1;
      while (j < s.length && /\s/.test(s[j]!) && s[j] !== '\u00a0') j++;
      b.replace(i, j - i, ' ');
      i = j;
    } else b.keep(i++);
  }
  for (; i < s.length; i++) b.keep(i);
  return b.build();
}

function tagName(s: string, lt: number): string | null {
  const m = /^<\/?([A-Za-z][A-Za-z0-9]{0,15})/.exec(s.slice(lt, lt + 18));
  return m ? m[1]!.toLowerCase() : null;
}

interface Line {
  /** Range in the lines view, without the line break. */
  start: number;
  end: number;
  /** Trimmed text (nbsp counts as space). */
  text: string;
}

function splitLines(view: View): Line[] {
  const s = view.text;
  const lines: Line[] = [];
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || s[i] === '\n') {
      const end = i > start && s[i - 1] === '\r' ? i - 1 : i;
      lines.push({ start, end, text: s.slice(start, end).replace(/^[\s\u00a0]+|[\s\u00a0]+$/g, '') });
      start = i + 1;
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------
// What invitation blocks are made of (en and fr; see the corpus in shared/test/fixtures/foreign-meetings)

const MAX_LINE = 400;
const BLOCK_LINES: RegExp[] = [
  // Headings and join lines
  /^(?:microsoft teams(?: meeting| need help\?)?|réunion microsoft teams|réunion teams|teams meeting)$/i,
  /^(?:join on your computer(?:, mobile app or room device| or dial in)|(?:participer|rejoindre) (?:sur|depuis|à partir de) votre ordinateur[^\n]{0,60})$/i,
  /^(?:click here to join the meeting|cliquez ici pour (?:rejoindre|participer à) la réunion|join the meeting now|rejoindre la réunion maintenant|join meeting|rejoindre la réunion|participer à la réunion)\b/i,
  /^(?:join zoom(?:gov)? meeting|participer à la réunion zoom|rejoindre la réunion zoom)$/i,
  /^.{1,120} (?:is inviting you to a scheduled zoom meeting|vous invite à une réunion zoom planifiée)\.?$/i,
  /^(?:join with google meet|participer avec google meet|rejoindre avec google meet|this event has a video call\.?|cet événement comporte un appel vidéo\.?)\b/i,
  /^(?:please do not edit this section(?: of the description)?\.?|ne modifiez pas cette section(?: de la description)?\.?)$/i,
  /^(?:learn more about meet at|en savoir plus sur meet)\b/i,
  /^(?:please join my meeting from your computer, tablet or smartphone\.?|participez à ma réunion depuis votre ordinateur, tablette ou smartphone\.?)$/i,
  /^(?:new to gotomeeting\?|first gotomeeting\?|get the app now and be ready when your first meeting starts:?)/i,
  /^(?:join from (?:the )?meeting link|join by meeting number|join from a video system or application|join using microsoft lync or microsoft skype for business|join from a mobile device|tap to join from a mobile device|can't join the meeting\?|if you are a host, click here)/i,
  /^(?:to join the (?:online )?meeting|to join the audio conference only|to join the video meeting)/i,
  /^\d\. (?:go to\b|if requested, enter your name and email address|if a password is required, enter the meeting password|click "join")/i,
  /^to (?:view in other time zones or languages|update this meeting to your calendar program|receive a call back)\b/i,
  /^accessing the call from (?:a computer or mobile device|a phone)\b/i,
  // GoTo Meeting (2016: numbered steps; 2018-2021: dial-in section with one-touch lines)
  /^(?:\d\.\s{1,3})?(?:please join my meeting\.?|use your microphone and speakers \(voip\)[^\n]{0,60}|or,? call in using your telephone\.?)$/i,
  /^(?:you can also dial in using your phone\.?|\(for supported devices, tap a one-touch number below to join instantly\.\)|joining from a video-conferencing room or system\??|audio pin:[^\n]{0,60})$/i,
  /^- one-touch: tel:\+?\d[\d,#*]{5,80}$/i,
  /^[^\n:()]{1,40} \((?:toll free|toll-free|gratuit|numéro vert)\): ?\(?\d[\d ().-]{4,40}$/i,
  // BlueJeans
  /^(?:to join via (?:phone|room system|browser|skype|lync)|connecting directly from a room system\?|just want to dial in on your phone\?|want to test your video connection\?)[^\n]{0,60}$/i,
  /^(?:\d\) )?(?:dial(?::|\s(?=[+(\d])| one of the following numbers)|enter (?:the )?(?:meeting id|conference id|passcode|pin)\b|press #)[^\n]{0,120}$/i,
  // A provider's name as the label of the link line that follows (`Bluejeans:`)
  /^(?:bluejeans|blue jeans|zoom|webex|whereby|gotomeeting|goto meeting|google meet|microsoft teams|teams) ?:$/i,
  /^(?:enter|entrez) (?:the |le )?(?:meeting id|access code|passcode|pin|id de (?:la )?réunion|code d['’]accès)\b[^\n]{0,60}$/i,
  /^(?:topic|sujet|time|heure|date) ?:/i,
  /^(?:every (?:day|week|month|\d)|toutes? les )[^\n]{0,120}$/i,
  /^(?:please download and import the following icalendar \(\.ics\) files to your calendar system\.?|veuillez télécharger et importer les fichiers icalendar \(\.ics\) suivants dans votre calendrier\.?)$/i,
  /^(?:weekly|daily|monthly|hebdomadaire|quotidien|mensuel) ?:/i,
  // Identifiers and secrets
  /^(?:meeting id|meeting number|meeting password|meeting passcode|passcode|password|pin|access code|conference id|phone conference id|webinar id|tenant key|video id|host key|id de (?:la )?réunion|n[°º] de (?:la )?réunion|numéro de (?:la )?réunion|code secret|mot de passe|code d['’]accès|id de conférence|clé du locataire|id vidéo)\b[^\n]{0,120}$/i,
  // Dial-in
  /^(?:one tap mobile|dial by your location|dial in by phone|dial-in by phone|or call in \(audio only\)|or call in by phone|call in \(audio only\)|find a local number|find your local number|join by phone|join by sip|join by h\.323|join by skype for business|join on a video conferencing device|or dial|more phone numbers|view more phone numbers|access code|global call-in numbers|toll-free calling restrictions|composez le numéro|appel abrégé mobile|composer par votre emplacement|trouvez votre numéro local|participer par téléphone|participer par sip|participer par h\.323|ou composez le|plus de numéros de téléphone|numéros d['’]appel)\b[^\n]{0,200}$/i,
  /^(?:\([a-z]{2}\) ?)?\+?\(?\d[\d ().,#*-]{5,}[^\n]{0,120}$/i,
  /^[^\n:]{1,40}: ?\+\(?\d[\d ().,#*-]{5,}[^\n]{0,60}$/i,
  /^[\w.+-]{1,80}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}$/i,
  /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?: \([^\n]{1,60}\))?$/,
  // Footers
  /^(?:more info|more options|need help\?|besoin d['’]aide ?\?|system reference|référence système|for organizers:|pour les organisateurs ?:|meeting options|options de (?:la )?réunion|reset dial-in pin|download teams|télécharger teams|join on the web|rejoindre sur le web|learn more|en savoir plus|help|aide)\b[^\n]{0,200}$/i,
  /^(?:-{3,}|_{10,}|\.{10,}|={10,})$/,
];
const TEAMS_RULE = /^_{20,}$/;
const GOOGLE_RULE = /^-::~[:~]{10,}::-$/;
const TEAMS_EVIDENCE = /^(?:microsoft teams meeting|microsoft teams need help\?|réunion microsoft teams)$/i;
const GOOGLE_EVIDENCE = /^(?:please do not edit this section|ne modifiez pas cette section)/i;

/** A line the invitation of a foreign service is made of, given the links that fall in it. */
function isBlockLine(line: Line, linksInLine: Link[]): boolean {
  if (line.text.length > MAX_LINE) return false;
  if (BLOCK_LINES.some((re) => re.test(line.text))) return true;
  if (linksInLine.length === 0) return false;
  // A line made of links with at most a short label before each: `Join: <url>`,
  // `Download Teams<url> | Join on the web<url>`; nothing but punctuation after the last one.
  const text = line.text;
  let at = 0;
  const urls = [...new Set(linksInLine.map((l) => l.url))]; // `<a href="u">u</a>` holds one link
  for (const url of urls) {
    const link = { url };
    const found = text.indexOf(link.url, at);
    if (found < 0) return false; // the link is in a tag (href): the line's text is its label, checked above
    const label = text.slice(at, found).replace(/^[\s\u00a0>|]+/, '');
    if (label.length > 60 || /[.!?]\s/.test(label)) return false;
    at = found + link.url.length;
  }
  return /^[\s\u00a0>)\]]*$/.test(text.slice(at));
}

// ---------------------------------------------------------------------------------------------------
// Bodies

function scanBody(raw: View, html: boolean, out: ForeignMeeting[]): void {
  // Offsets are worked out in raw.text, then mapped to the original (raw is a property value in ICS).
  const local: View = { text: raw.text, from: null, to: null };
  const toOriginal = (span: ForeignSpan): ForeignSpan => ({ start: fromOf(raw, span.start), end: toOf(raw, span.end - 1) });
  const decoded = decode(local);
  const links = findLinks(decoded);
  if (links.length === 0 && !/_{20}|-::~/.test(decoded.text)) return;
  const linesView = html ? htmlLines(decoded) : decoded;
  const lines = splitLines(linesView);
  // Links in the lines view: a link inside a tag (href) belongs to the line of the text that follows it.
  const lineOfLink = links.map((link) => lineAt(lines, indexAtOrAfter(linesView, link.start)));
  const linksByLine = new Map<number, Link[]>();
  links.forEach((link, k) => {
    const at = lineOfLink[k]!;
    if (at < 0) return;
    const list = linksByLine.get(at) ?? [];
    list.push(link);
    linksByLine.set(at, list);
  });
  const linksIn = (i: number) => linksByLine.get(i) ?? [];
  const blockLine = new Int8Array(lines.length).fill(-1);
  const isBlock = (i: number) => {
    if (blockLine[i] === -1) blockLine[i] = isBlockLine(lines[i]!, linksIn(i)) ? 1 : 0;
    return blockLine[i] === 1;
  };
  const used = new Uint8Array(lines.length);
  const blocks: { first: number; last: number; provider: ForeignProvider; url: string | null }[] = [];
  const firstLinkIn = (first: number, last: number, provider?: ForeignProvider) => {
    for (let i = first; i <= last; i++) for (const l of linksIn(i)) if (l.provider && (!provider || l.provider === provider)) return l;
    return null;
  };

  // Delimited blocks: Teams between underscore rules, Google between `-::~:~` rules.
  const teamsRules: number[] = [];
  const googleRules: number[] = [];
  lines.forEach((line, i) => {
    if (TEAMS_RULE.test(line.text)) teamsRules.push(i);
    else if (GOOGLE_RULE.test(line.text)) googleRules.push(i);
  });
  // Prefix counts of heading lines, for a block whose link a mail filter stripped.
  const teamsEvidence = new Int32Array(lines.length + 1);
  const googleEvidence = new Int32Array(lines.length + 1);
  lines.forEach((line, i) => {
    teamsEvidence[i + 1] = teamsEvidence[i]! + (TEAMS_EVIDENCE.test(line.text) ? 1 : 0);
    googleEvidence[i + 1] = googleEvidence[i]! + (GOOGLE_EVIDENCE.test(line.text) ? 1 : 0);
  });
  // Teams: the closing rule is as long as the opening one (inner rules, 32 underscores, are shorter).
  const nextLong = new Int32Array(teamsRules.length).fill(-1);
  for (let k = teamsRules.length - 2; k >= 0; k--) nextLong[k] = lines[teamsRules[k + 1]!]!.text.length >= 40 ? k + 1 : nextLong[k + 1]!;
  for (let k = 0; k < teamsRules.length; k++) {
    const open = teamsRules[k]!;
    if (used[open]) continue;
    const long = lines[open]!.text.length >= 40;
    const closeK = long ? nextLong[k]! : k + 1 < teamsRules.length ? k + 1 : -1;
    let close = closeK >= 0 ? teamsRules[closeK]! : -1;
    if (close < 0) {
      // No closing rule: the block ends with its last contiguous block line.
      close = open;
      for (let i = open + 1; i < lines.length && (isBlock(i) || lines[i]!.text === ''); i++) if (lines[i]!.text !== '') close = i;
    }
    const link = firstLinkIn(open, close, 'teams');
    if (!link && teamsEvidence[close + 1]! - teamsEvidence[open]! === 0) continue;
    blocks.push({ first: open, last: close, provider: 'teams', url: link?.url ?? null });
    used.fill(1, open, close + 1);
    if (closeK >= 0) k = closeK;
  }
  for (let k = 0; k + 1 < googleRules.length; k++) {
    const open = googleRules[k]!;
    const close = googleRules[k + 1]!;
    if (used[open] || used[close]) continue;
    const link = firstLinkIn(open, close);
    if (!link && googleEvidence[close + 1]! - googleEvidence[open]! === 0) continue;
    blocks.push({ first: open, last: close, provider: link?.provider ?? 'google-meet', url: link?.url ?? null });
    used.fill(1, open, close + 1);
    k++;
  }

  // Blocks grown from a meeting link; a link in the agent's prose is removed alone.
  const loose: Link[] = [];
  links.forEach((link, k) => {
    if (!link.provider) return;
    const at = lineOfLink[k]!;
    if (at >= 0 && used[at]) return;
    if (at < 0 || !isBlock(at)) {
      loose.push(link);
      return;
    }
    let first = at;
    for (let i = at - 1; i >= 0 && !used[i] && (lines[i]!.text === '' || isBlock(i)); i--) if (lines[i]!.text !== '') first = i;
    let last = at;
    for (let i = at + 1; i < lines.length && !used[i] && (lines[i]!.text === '' || isBlock(i)); i++) if (lines[i]!.text !== '') last = i;
    blocks.push({ first, last, provider: link.provider, url: link.url });
    used.fill(1, first, last + 1);
  });

  for (const block of blocks) {
    const span = html ? htmlBlockSpan(raw.text, linesView, lines, block.first, block.last) : textBlockSpan(linesView, lines, block.first, block.last);
    if (span) out.push({ provider: block.provider, url: block.url, kind: 'block', spans: [toOriginal(span)] });
  }
  for (const link of loose) {
    out.push({ provider: link.provider!, url: link.url, kind: 'link', spans: [toOriginal(html ? looseHtmlLinkSpan(raw.text, link) : looseTextLinkSpan(raw.text, link))] });
  }
}

/** Whole lines, with the line break after the last one. */
function textBlockSpan(linesView: View, lines: Line[], first: number, last: number): ForeignSpan | null {
  const a = lines[first]!.start;
  let b = lines[last]!.end;
  const s = linesView.text;
  if (s[b] === '\r' && s[b + 1] === '\n') b += 2;
  else if (s[b] === '\n') b += 1;
  if (b <= a) return null;
  return { start: fromOf(linesView, a), end: toOf(linesView, b - 1) };
}

/**
 * The block's visible text, widened to whole elements: closing tags that end elements opened in the
 * block and the opening tags of elements it closes. Tags of the agent's content stay.
 */
function htmlBlockSpan(s: string, linesView: View, lines: Line[], first: number, last: number): ForeignSpan | null {
  const firstVisible = lines[first]!.start + (lines[first]!.text ? linesView.text.slice(lines[first]!.start).search(/[^\s\u00a0]/) : 0);
  const lastLine = lines[last]!;
  const lastText = linesView.text.slice(lastLine.start, lastLine.end);
  const lastVisible = lastLine.start + lastText.replace(/[\s\u00a0]+$/, '').length - 1;
  if (lastVisible < firstVisible) return null;
  let a = fromOf(linesView, firstVisible);
  let b = toOf(linesView, lastVisible);
  // Tags inside the block: what it leaves open, and what it closes that was opened before it.
  const open: string[] = [];
  const closedBefore: string[] = [];
  for (let i = s.indexOf('<', a); i >= 0 && i < b; i = s.indexOf('<', i + 1)) {
    const name = tagName(s, i);
    const end = s.indexOf('>', i);
    if (!name || end < 0 || end >= b) continue;
    if (s[i + 1] === '/') {
      if (open[open.length - 1] === name) open.pop();
      else if (!open.includes(name)) closedBefore.push(name);
      else while (open.length && open.pop() !== name);
    } else if (!VOID.has(name) && s[end - 1] !== '/') open.push(name);
  }
  // After the block: the closing tags of what it opened.
  for (let i = b; open.length > 0; ) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (s[i] !== '<') break;
    const end = s.indexOf('>', i);
    const name = tagName(s, i);
    if (end < 0 || !name) break;
    if (s[i + 1] === '/' && name === open[open.length - 1]) {
      open.pop();
      b = end + 1;
      i = end + 1;
    } else if (VOID.has(name)) i = end + 1;
    else if (s[i + 1] !== '/' && emptyElementEnd(s, i, end) > 0) i = emptyElementEnd(s, i, end);
    else break;
  }
  // Before the block: the opening tags of what it closed.
  for (let k = 0, i = a; k < closedBefore.length; ) {
    let j = i - 1;
    while (j >= 0 && /\s/.test(s[j]!)) j--;
    if (s[j] !== '>') break;
    const lt = s.lastIndexOf('<', j);
    const name = lt >= 0 ? tagName(s, lt) : null;
    if (!name) break;
    if (s[lt + 1] !== '/' && name === closedBefore[k]) {
      k++;
      a = lt;
      i = lt;
    } else if (VOID.has(name) && s[lt + 1] !== '/') i = lt;
    else break;
  }
  // An element left empty by the removal goes with it (the wrapper div of the Teams block, a <p>).
  for (;;) {
    let j = a - 1;
    while (j >= 0 && /\s/.test(s[j]!)) j--;
    if (s[j] !== '>' || s[j - 1] === '/') break;
    const lt = s.lastIndexOf('<', j);
    const name = lt >= 0 && s[lt + 1] !== '/' ? tagName(s, lt) : null;
    if (!name || VOID.has(name) || name === 'body' || name === 'html' || name === 'head') break;
    let k = b;
    while (k < s.length && /\s/.test(s[k]!)) k++;
    if (s[k] !== '<' || s[k + 1] !== '/' || tagName(s, k) !== name) break;
    const gt = s.indexOf('>', k);
    if (gt < 0) break;
    a = lt;
    b = gt + 1;
  }
  return { start: a, end: b };
}

/** The end of `<x></x>` opened at `lt` (Word's `<o:p></o:p>` paragraph mark), or -1 when it has content. */
function emptyElementEnd(s: string, lt: number, gt: number): number {
  const raw = /^<([A-Za-z][\w:.-]{0,31})/.exec(s.slice(lt, lt + 34));
  if (!raw || s[gt - 1] === '/') return -1;
  const closing = `</${raw[1]!}>`;
  return s.slice(gt + 1, gt + 1 + closing.length).toLowerCase() === closing.toLowerCase() ? gt + 1 + closing.length : -1;
}

const VOID = new Set(['br', 'hr', 'img', 'meta', 'link', 'input', 'wbr', 'col', 'area', 'base', 'source']);

/** A link in the agent's prose: the link, with `<…>` around it when the text form puts it there. */
function looseTextLinkSpan(s: string, link: Link): ForeignSpan {
  let a = link.start;
  let b = link.end;
  if (s[a - 1] === '<' && s[b] === '>') {
    a--;
    b++;
  }
  return { start: a, end: b };
}

/** A link in HTML prose: the whole `<a>` element when the link is its href, else the link text. */
function looseHtmlLinkSpan(s: string, link: Link): ForeignSpan {
  const at = link.start;
  const lt = s.lastIndexOf('<', at);
  const gt = s.indexOf('>', at);
  if (lt >= 0 && gt > 0 && s.lastIndexOf('>', at) < lt && tagName(s, lt) === 'a' && at - lt < 2048) {
    const close = s.toLowerCase().indexOf('</a>', gt);
    if (close > 0 && close - gt < 4096) return { start: lt, end: close + 4 };
  }
  return looseTextLinkSpan(s, link);
}

// ---------------------------------------------------------------------------------------------------
// iCalendar

const FOREIGN_PROPERTIES: Record<string, ForeignProvider> = {
  'X-MICROSOFT-SKYPETEAMSMEETINGURL': 'teams',
  'X-MICROSOFT-ONLINEMEETINGCONFLINK': 'teams',
  'X-MICROSOFT-ONLINEMEETINGINFORMATION': 'teams',
  'X-GOOGLE-CONFERENCE': 'google-meet',
};
const LINK_PROPERTIES = new Set(['CONFERENCE', 'URL']);
const TEXT_PROPERTIES = new Set(['DESCRIPTION', 'X-ALT-DESC', 'COMMENT']);
const LOCATION_NAMES =
  /^(?:microsoft teams(?: meeting)?|réunion microsoft teams|microsoft teams-besprechung|zoom(?: meeting)?|réunion zoom|webex(?: meeting)?|google meet|goto ?meeting|whereby|bluejeans(?: meeting)?)$/i;

function scanIcs(raw: View, out: ForeignMeeting[]): void {
  const unfolded = unfold(raw);
  const s = unfolded.text;
  let start = 0;
  while (start < s.length) {
    let nl = s.indexOf('\n', start);
    if (nl < 0) nl = s.length;
    const lineEnd = nl > start && s[nl - 1] === '\r' ? nl - 1 : nl;
    scanIcsLine(unfolded, start, lineEnd, nl < s.length ? nl + 1 : nl, out);
    start = nl + 1;
  }
}

function scanIcsLine(unfolded: View, start: number, end: number, next: number, out: ForeignMeeting[]): void {
  const s = unfolded.text;
  const head = /^[A-Za-z0-9-]{1,64}/.exec(s.slice(start, Math.min(end, start + 64)));
  if (!head) return;
  const name = head[0].toUpperCase();
  // Value starts after the first ':' outside quoted parameter values.
  let colon = -1;
  let quoted = false;
  for (let i = start + head[0].length; i < end; i++) {
    if (s[i] === '"') quoted = !quoted;
    else if (s[i] === ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return;
  const params = s.slice(start + head[0].length, colon);
  const value = subView(unfolded, colon + 1, end);
  const wholeLine = (): ForeignSpan => ({ start: fromOf(unfolded, start), end: next > start ? toOf(unfolded, next - 1) : toOf(unfolded, end - 1) });
  const fixed = FOREIGN_PROPERTIES[name];
  if (fixed) {
    out.push({ provider: fixed, url: value.text.trim() || null, kind: 'property', spans: [wholeLine()] });
    return;
  }
  if (LINK_PROPERTIES.has(name) || (name.startsWith('X-') && name.endsWith('CONFERENCE'))) {
    const provider = foreignProviderOf(value.text);
    if (provider) out.push({ provider, url: value.text.trim(), kind: 'property', spans: [wholeLine()] });
    return;
  }
  if (name === 'LOCATION') {
    scanLocation(value, out);
    return;
  }
  if (TEXT_PROPERTIES.has(name)) {
    const html = name === 'X-ALT-DESC' || /FMTTYPE=text\/html/i.test(params) || looksLikeHtml(value.text);
    scanBody(value, html, out);
    // Thunderbird keeps the HTML description in ALTREP="data:text/html,<percent-encoded HTML>".
    const altrep = /;ALTREP="data:text\/html(?:;[^,"]{0,64})?,([^"]*)"/i.exec(params);
    if (altrep) {
      const at = start + head[0].length + altrep.index + altrep[0].length - 1 - altrep[1]!.length;
      scanBody(percentDecoded(subView(unfolded, at, at + altrep[1]!.length)), true, out);
    }
  }
}

/** LOCATION parts (separated by `\;` or `\,`) that name a foreign service or hold its link. */
function scanLocation(value: View, out: ForeignMeeting[]): void {
  const s = value.text;
  const parts: { start: number; end: number }[] = [];
  let at = 0;
  for (let i = 0; i <= s.length; i++) {
    // Outlook joins places with "; " (`\;`), Visio's own code with ", " (`\,`).
    if (i === s.length || s[i] === ';' || (s[i] === ',' && s[i - 1] === '\\')) {
      parts.push({ start: at, end: s[i - 1] === '\\' && i < s.length ? i - 1 : i });
      at = i + 1;
    }
  }
  const foreign = parts.map((p) => {
    const text = s.slice(p.start, p.end).replace(/\\,/g, ',').trim();
    return LOCATION_NAMES.test(text) ? ({ provider: providerOfName(text), url: null } as const) : foreignProviderOf(text) ? { provider: foreignProviderOf(text)!, url: text } : null;
  });
  if (!foreign.some(Boolean)) return;
  const spans: ForeignSpan[] = [];
  const allForeign = foreign.every(Boolean);
  parts.forEach((p, k) => {
    const f = foreign[k];
    if (!f) return;
    let a = p.start;
    let b = p.end;
    if (!allForeign) {
      // Take one separator with the part: the one after it, or before it for the last part.
      if (k < parts.length - 1) b = parts[k + 1]!.start;
      else a = parts[k - 1]!.end;
      while (b < s.length && s[b] === ' ') b++;
    }
    if (b > a) spans.push({ start: fromOf(value, a), end: toOf(value, b - 1) });
  });
  const first = foreign.find(Boolean)!;
  if (spans.length) out.push({ provider: first.provider, url: foreign.find((f) => f?.url)?.url ?? null, kind: 'location', spans });
}

function providerOfName(text: string): ForeignProvider {
  const t = text.toLowerCase();
  if (t.includes('teams')) return 'teams';
  if (t.includes('zoom')) return 'zoom';
  if (t.includes('webex')) return 'webex';
  if (t.includes('google')) return 'google-meet';
  if (t.includes('goto')) return 'goto';
  if (t.includes('whereby')) return 'whereby';
  return 'bluejeans';
}

// ---------------------------------------------------------------------------------------------------
// Offsets

function fromOf(view: View, k: number): number {
  return view.from ? view.from[k]! : k;
}

function toOf(view: View, k: number): number {
  return view.to ? view.to[k]! : k + 1;
}

/** A URL-encoded value read as text (UTF-8 sequences decoded as one char), offsets kept. */
function percentDecoded(view: View): View {
  const s = view.text;
  if (!s.includes('%')) return view;
  const b = new ViewBuilder(view);
  for (let i = 0; i < s.length; ) {
    const lead = s[i] === '%' ? Number.parseInt(s.slice(i + 1, i + 3), 16) : Number.NaN;
    if (!Number.isNaN(lead)) {
      const n = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
      let ch: string | null = null;
      try {
        ch = decodeURIComponent(s.slice(i, i + 3 * n));
      } catch {
        ch = null;
      }
      if (ch !== null && s.length >= i + 3 * n) {
        b.replace(i, 3 * n, ch);
        i += 3 * n;
        continue;
      }
    }
    b.keep(i++);
  }
  return b.build();
}

function subView(view: View, start: number, end: number): View {
  const from = new Int32Array(end - start);
  const to = new Int32Array(end - start);
  for (let k = start; k < end; k++) {
    from[k - start] = fromOf(view, k);
    to[k - start] = toOf(view, k);
  }
  return { text: view.text.slice(start, end), from, to };
}

/** Index in `view` of the first char whose original offset is at or after `rawStart`. */
function indexAtOrAfter(view: View, rawStart: number): number {
  if (!view.from) return rawStart;
  let lo = 0;
  let hi = view.from.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (view.from[mid]! < rawStart) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lineAt(lines: Line[], index: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]!.start <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function merge(spans: ForeignSpan[]): ForeignSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const merged: ForeignSpan[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}
