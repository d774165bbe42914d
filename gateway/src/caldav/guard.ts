/**
 * The only way the gateway reaches a CalDAV server: a fetch that refuses anything outside the
 * configured allowlist (SSRF), follows redirects itself (each hop checked, credentials dropped when the
 * origin changes), checks every address a host name resolves to at connect time (no DNS rebinding to
 * a loopback, private, link-local or metadata address), and gives up after a timeout.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { pipeline, type Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { Agent, type Dispatcher } from 'undici';
import { ProblemError } from '../problem.js';

export interface CaldavSettings {
  /** Allowed servers: their base URLs (origin + path), as configured. */
  servers: string[];
  /** CIDR ranges a server's *host name* may resolve to although they are not public. */
  privateNetworks: string[];
  timeoutMs: number;
  /** Decompressed size caps of one object (GET, and PROPFIND answers) and of one multistatus (REPORT). */
  maxObjectBytes: number;
  maxMultistatusBytes: number;
  /** Connections per server origin: small servers answer a few requests at a time. */
  connections: number;
  /** Recurrence expansion time one upcoming-meetings request may spend. */
  expansionMs: number;
  /** How long discovery (principal, calendar home, calendars) is reused per agent and server; 0: never. */
  discoveryTtlMs: number;
}

/** Addresses no host name may lead to unless an administrator allowed the range. */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');

export const notAllowed = (detail: string, status: 403 | 502 = 403) => new ProblemError(status, 'caldavNotAllowed', 'CalDAV server not allowed', detail);

export interface Allowlist {
  /** The configured base URL that `url` lies under (same origin, path under the base path), or null. */
  match(url: URL): string | null;
  /** Parses an absolute URL or a path (resolved against `base`) and checks it; ProblemError 403 when refused. */
  resolve(value: string, base: string): URL;
  origins: string[];
}

// RFC 6764: clients look the CalDAV service up at this path of the origin, outside any base path.
const WELL_KNOWN = '/.well-known/caldav';

/**
 * The path's segments, percent-decoded, or null when a segment could lead elsewhere once the server
 * decodes it: an encoded slash or backslash, a dot-segment (also `..;` as Tomcat reads it), a NUL.
 * The URL parser has already resolved plain and `%2e` dot-segments.
 */
function pathSegments(pathname: string): string[] | null {
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (/[/\\\0]/.test(segment) || /^\.\.?(;.*)?$/.test(segment) || /%(2e|2f|5c|00)/i.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

function underBase(url: URL, base: URL): boolean {
  if (url.origin !== base.origin) return false;
  if (url.pathname === WELL_KNOWN) return true;
  const path = pathSegments(url.pathname);
  const prefix = pathSegments(base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`);
  if (!path || !prefix) return false;
  // The base itself with or without its trailing slash, or anything below it.
  const inside = prefix.slice(0, -1);
  return path.length >= inside.length && inside.every((s, i) => path[i] === s);
}

const outside = (url: URL) => `${url.origin}${url.pathname.slice(0, 200)} is not under one of the CalDAV servers this gateway may reach.`;

export function createAllowlist(settings: Pick<CaldavSettings, 'servers'>): Allowlist {
  const bases = settings.servers.map((s) => new URL(s));
  const origins = [...new Set(bases.map((b) => b.origin))];
  const allowlist: Allowlist = {
    origins,
    match(url) {
      if (url.username || url.password) return null;
      const i = bases.findIndex((b) => underBase(url, b));
      return i < 0 ? null : settings.servers[i]!;
    },
    resolve(value, base) {
      let url: URL;
      try {
        url = new URL(value, base);
      } catch {
        throw new ProblemError(400, 'validation', 'Invalid request', `not a URL: ${JSON.stringify(value.slice(0, 200))}`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw notAllowed(`Only http and https CalDAV URLs are allowed, not ${url.protocol}`);
      if (!allowlist.match(url)) throw notAllowed(outside(url));
      url.hash = '';
      return url;
    },
  };
  return allowlist;
}

/** What a CalDAV request may fail with before any answer arrives. */
export class CaldavTransportError extends Error {
  override readonly name = 'CaldavTransportError';
  constructor(
    readonly problem: ProblemError,
    options?: ErrorOptions,
  ) {
    super(problem.message, options);
  }
}

export type GuardedFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** What the last upstream answer was, so that a failure the CalDAV library reports vaguely reads as what it is. */
export interface UpstreamAnswer {
  method: string;
  url: string;
  status: number;
  contentType: string;
}

/**
 * At most `connections` requests in flight per server origin, shared by every agent's requests, so a
 * small server is not sent more than it serves. Time spent waiting here is the gateway's, not the server's.
 */
export function createOriginLimiter(connections: number) {
  const state = new Map<string, { active: number; waiting: (() => void)[] }>();
  return {
    async acquire(origin: string, waitMs: number): Promise<() => void> {
      let entry = state.get(origin);
      if (!entry) state.set(origin, (entry = { active: 0, waiting: [] }));
      const slot = entry;
      if (slot.active >= connections) {
        await new Promise<void>((resolve, reject) => {
          const wake = () => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(() => {
            slot.waiting.splice(slot.waiting.indexOf(wake), 1);
            reject(
              new ProblemError(503, 'unavailable', 'CalDAV server busy', `${origin} already has ${connections} requests in flight from this gateway; try again.`, { headers: { 'retry-after': '1' } }),
            );
          }, waitMs);
          slot.waiting.push(wake);
        });
      }
      slot.active++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        slot.active--;
        const next = slot.waiting.shift();
        if (next) next();
        else if (slot.active === 0) state.delete(origin);
      };
    },
  };
}

export type OriginLimiter = ReturnType<typeof createOriginLimiter>;

// REPORT answers (many events) are parsed in a worker; PROPFIND answers (discovery) are parsed by tsdav on
// the event loop, so they get the smaller cap.
const MULTISTATUS_METHODS = new Set(['REPORT']);
// Methods that change nothing (RFC 9110 §9.2.1; WebDAV's PROPFIND and REPORT are safe too): sent once more
// when the server dropped the connection before answering. SOGo and Apache close kept-alive connections at
// will, and a request written on one just closed fails without the server having seen it.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PROPFIND', 'REPORT']);
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
/** The error's code, else its cause's: undici's `request` throws socket and TLS errors bare, `fetch` wrapped them. */
function errorCode(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  return String(e?.code ?? e?.cause?.code ?? '');
}
const droppedBeforeAnswer = (error: unknown) => DROPPED.has(errorCode(error));
// Statuses whose answer has no body (the Fetch standard refuses one).
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

// OpenSSL's verification codes (as Node reports them) for a chain the gateway does not trust.
const UNTRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);

/** A refused TLS certificate, said as what an administrator must fix; null for other failures. */
function certificateProblem(url: URL, error: unknown): ProblemError | null {
  const code = errorCode(error);
  const refused = (why: string) => new ProblemError(502, 'upstream', 'CalDAV server certificate refused', `${url.origin}: ${why} (${code}).`);
  if (UNTRUSTED.has(code)) return refused('its TLS certificate is not signed by an authority this gateway trusts; give the gateway that authority in NODE_EXTRA_CA_CERTS');
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return refused(`its TLS certificate is not for ${url.hostname}`);
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return refused('its TLS certificate is outside its validity dates');
  return null;
}

/** An upstream answer read whole: what the gateway's own requests use (no web Response, no web streams). */
export interface UpstreamResponse {
  status: number;
  /** A 2xx status. */
  ok: boolean;
  statusText: string;
  /** Lower-case names; a repeated header is joined with ", " as fetch does. */
  headers: Record<string, string>;
  /** Decompressed. */
  body: Buffer;
  header(name: string): string | null;
  text(): string;
}

export interface UpstreamRequest {
  method?: string;
  /** Lower-case names. */
  headers?: Record<string, string>;
  body?: string | Buffer;
  redirect?: 'follow' | 'manual';
}

// A chain of codings longer than this is refused (as undici's fetch does: CVE-2022-32206 in curl).
const MAX_CODINGS = 5;

/** Decoders for a Content-Encoding chain, last coding first; none when a coding is unknown (read as sent). */
function decodersFor(contentEncoding: string | undefined): Transform[] | null {
  if (!contentEncoding) return [];
  const codings = contentEncoding.toLowerCase().split(',');
  if (codings.length > MAX_CODINGS) return null;
  const decoders: Transform[] = [];
  // Lenient like browsers and curl: a truncated but otherwise valid stream is still read.
  const lenient = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]!.trim();
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(zlib.createGunzip(lenient));
    else if (coding === 'deflate') decoders.push(zlib.createInflate(lenient));
    else if (coding === 'br') decoders.push(zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }));
    else if (coding === 'identity') continue;
    else return [];
  }
  return decoders;
}

function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** UTF-8 decoded as fetch's text() does it: a leading byte order mark dropped. */
const utf8 = (body: Buffer) => (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.toString('utf8', 3) : body.toString('utf8'));

function answerOf(status: number, statusText: string, headers: Record<string, string>, body: Buffer): UpstreamResponse {
  return { status, ok: status >= 200 && status <= 299, statusText, headers, body, header: (name) => headers[name.toLowerCase()] ?? null, text: () => utf8(body) };
}

/** A fetch RequestInit's headers as lower-case records (tsdav passes plain objects). */
function headerRecord(init: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init).forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/**
 * The requests of one gateway request. Each answer is read whole here, within the size cap of its kind
 * (decompressed bytes) and within the timeout, which runs from the moment a connection slot is
 * granted to the last byte of the body; the caller gets it from memory. The first transport failure
 * (timeout, refusal, unreachable server, oversized answer, wrong credentials) is remembered and every
 * later call fails the same way at once: tsdav retries discovery on other URLs and swallows some
 * errors, which must not multiply timeouts. Sent with undici's `request`, not `fetch`: a fetch costs
 * five times the CPU (web streams, Headers validation) of the same exchange. The call itself is a fetch
 * for tsdav; `send` is the gateway's own, lighter path.
 */
export function createGuardedFetch(settings: CaldavSettings, allowlist: Allowlist, agent: Agent, limiter: OriginLimiter = createOriginLimiter(settings.connections)) {
  let fatal: CaldavTransportError | null = null;
  let last: UpstreamAnswer | null = null;
  let refusal: ProblemError | null = null;
  const fail = (problem: ProblemError, cause?: unknown): never => {
    fatal ??= new CaldavTransportError(problem, { cause });
    throw fatal.problem;
  };
  const timedOut = (url: URL) => new ProblemError(504, 'upstreamTimeout', 'CalDAV server timed out', `${url.origin} did not answer in full within ${settings.timeoutMs / 1000} s.`);

  /** One request and its whole answer, or a ProblemError. */
  async function exchange(url: URL, method: string, headers: Record<string, string>, body: string | Buffer | undefined): Promise<UpstreamResponse> {
    // Waiting for a slot has its own, longer bound: a queue behind a slow server is not that server's timeout.
    const release = await limiter.acquire(url.origin, settings.timeoutMs * 3).catch((problem: ProblemError) => fail(problem));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
    const cap = MULTISTATUS_METHODS.has(method) ? settings.maxMultistatusBytes : settings.maxObjectBytes;
    const capName = MULTISTATUS_METHODS.has(method) ? 'CALDAV_MAX_MULTISTATUS_BYTES' : 'CALDAV_MAX_OBJECT_BYTES';
    const tooLarge = () => new ProblemError(502, 'upstreamTooLarge', 'CalDAV answer too large', `${url.origin} answered ${method} with more than ${cap} bytes, this gateway's cap (${capName}).`);
    // Compressed answers are welcome where no encoding was asked (what fetch asks for by default).
    const sent = 'accept-encoding' in headers ? headers : { ...headers, 'accept-encoding': url.protocol === 'https:' ? 'br, gzip, deflate' : 'gzip, deflate' };
    let response: Dispatcher.ResponseData | undefined;
    let decoders: Transform[] = [];
    try {
      try {
        const send = () =>
          agent.request({ origin: url.origin, path: `${url.pathname}${url.search}`, method, headers: sent, body: body ?? null, signal: controller.signal, headersTimeout: 0, bodyTimeout: 0 });
        response = await send().catch((error: unknown) => {
          if (!SAFE_METHODS.has(method) || controller.signal.aborted || !droppedBeforeAnswer(error)) throw error;
          return send();
        });
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        if (error instanceof ProblemError) fail(error);
        if (cause instanceof ProblemError) fail(cause, error);
        if (controller.signal.aborted) fail(timedOut(url), error);
        const tls = certificateProblem(url, error);
        if (tls) fail(tls, error);
        fail(new ProblemError(502, 'upstream', 'CalDAV server unreachable', `Cannot reach ${url.origin}.`), error);
      }
      const answer = response!;
      const headersOut = flatHeaders(answer.headers);
      const status = answer.statusCode;
      last = { method, url: url.href, status, contentType: headersOut['content-type'] ?? '' };
      if (status < 200 || status > 599) fail(new ProblemError(502, 'upstream', 'CalDAV server error', `${url.origin} answered ${method} with status ${status}, which HTTP does not define.`));
      if (Number(headersOut['content-length']) > cap) fail(tooLarge());
      // Read even when empty (HEAD, 204): a body left unread would cost the kept-alive connection.
      const empty = method === 'HEAD' || NULL_BODY.has(status);
      const chain = empty ? [] : decodersFor(headersOut['content-encoding']);
      if (chain === null) fail(new ProblemError(502, 'upstream', 'CalDAV server error', `${url.origin} answered ${method} with more than ${MAX_CODINGS} content codings.`));
      const chunks: Buffer[] = [];
      let size = 0;
      decoders = chain!;
      // pipeline: a failure anywhere in the chain ends the read below with it.
      const source: AsyncIterable<Buffer> = decoders.length ? (pipeline([answer.body, ...decoders], () => undefined) as unknown as Transform) : answer.body;
      try {
        // Decompressed bytes: a small gzip answer may inflate to gigabytes.
        for await (const chunk of source) {
          size += chunk.byteLength;
          if (size > cap) fail(tooLarge());
          chunks.push(chunk);
        }
      } catch (error) {
        if (error instanceof ProblemError) throw error;
        if (controller.signal.aborted) fail(timedOut(url), error);
        fail(new ProblemError(502, 'upstream', 'CalDAV answer cut off', `${url.origin} closed the connection while answering ${method}.`), error);
      }
      delete headersOut['content-encoding'];
      delete headersOut['content-length'];
      return answerOf(status, answer.statusText ?? '', headersOut, empty ? Buffer.alloc(0) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    } finally {
      clearTimeout(timer);
      // A body not read to its end (refused, failed) is dropped with its connection.
      if (response && !response.body.readableEnded) response.body.on('error', () => undefined).destroy();
      for (const decoder of decoders) decoder.destroy();
      release();
    }
  }

  /** The request, redirects followed here (each hop checked, credentials kept to their origin). */
  async function send(input: string | URL, init: UpstreamRequest = {}): Promise<UpstreamResponse> {
    if (fatal) throw fatal.problem;
    let url = new URL(String(input));
    // Not fatal: after a failure the CalDAV library also tries the origin's root, a guess of its
    // own, and the failure that made it guess is the one to report.
    if (!allowlist.match(url)) {
      const problem = notAllowed(outside(url));
      if (url.pathname !== '/') refusal = problem;
      throw problem;
    }
    const manual = init.redirect === 'manual';
    let headers = init.headers ?? {};
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    for (let hop = 0; ; hop++) {
      const response = await exchange(url, method, headers, body);
      if (response.status === 401) {
        fail(new ProblemError(403, 'caldavUnauthorized', 'CalDAV credentials refused', `${url.origin} refused the credentials sent in X-CalDAV-Authorization.`));
      }
      const location = response.header('location');
      if (manual || response.status < 300 || response.status >= 400 || response.status === 304 || !location) return response;
      if (hop >= 4) fail(new ProblemError(502, 'upstream', 'Too many redirects', `${url.origin} redirected more than 5 times.`));
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        fail(new ProblemError(502, 'upstream', 'CalDAV server error', `${url.origin} redirected to an invalid address.`));
      }
      if (!allowlist.match(next!)) fail(notAllowed(`${url.origin} redirected to ${next!.origin}${next!.pathname.slice(0, 200)}, which is not under an allowed CalDAV server.`, 502));
      // Credentials stay with the origin they were given for.
      if (next!.origin !== url.origin) {
        const { authorization: _dropped, ...rest } = headers;
        headers = rest;
      }
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next!;
    }
  }

  const guarded: GuardedFetch & {
    send: typeof send;
    failure(): CaldavTransportError | null;
    lastAnswer(): UpstreamAnswer | null;
    refusal(): ProblemError | null;
  } = Object.assign(
    async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
      const body = init.body;
      if (body !== undefined && body !== null && typeof body !== 'string' && !Buffer.isBuffer(body)) throw new TypeError('The CalDAV fetch sends string or Buffer bodies only.');
      const answer = await send(input, {
        method: init.method ?? 'GET',
        headers: headerRecord(init.headers),
        ...(body == null ? {} : { body }),
        redirect: init.redirect === 'manual' ? 'manual' : 'follow',
      });
      return new Response(NULL_BODY.has(answer.status) ? null : (answer.body as unknown as Uint8Array<ArrayBuffer>), { status: answer.status, statusText: answer.statusText, headers: answer.headers });
    },
    { send, failure: () => fatal, lastAnswer: () => last, refusal: () => refusal },
  );
  return guarded;
}

/**
 * The connection pool: host names are resolved here and every address checked. An address literal in
 * the allowlist is reached as configured (an administrator wrote it); it never goes through lookup.
 */
export function createCaldavAgent(settings: Pick<CaldavSettings, 'privateNetworks' | 'timeoutMs' | 'connections'>): Agent {
  const allowed = new BlockList();
  for (const cidr of settings.privateNetworks) {
    const [net, prefix] = cidr.split('/');
    allowed.addSubnet(net!, Number(prefix), isIP(net!) === 6 ? 'ipv6' : 'ipv4');
  }
  const acceptable = (address: string, family: number) => {
    const type = family === 6 ? 'ipv6' : 'ipv4';
    return !NON_PUBLIC.check(address, type) || allowed.check(address, type);
  };
  const lookup = (hostname: string, options: object, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((a) => !acceptable(a.address, a.family));
      if (refused) {
        return callback(notAllowed(`${hostname} resolves to ${refused.address}, a non-public address this gateway may not reach.`) as unknown as Error, '', 0);
      }
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
  return new Agent({ connect: { lookup: lookup as never, timeout: settings.timeoutMs }, keepAliveTimeout: 10_000, connections: settings.connections });
}
