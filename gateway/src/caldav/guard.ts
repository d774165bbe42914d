/**
 * The only way the gateway reaches a CalDAV server: a fetch that refuses anything outside the
 * configured allowlist (SSRF), follows redirects itself (each hop checked, credentials dropped when the
 * origin changes), checks every address a host name resolves to at connect time (no DNS rebinding to
 * a loopback, private, link-local or metadata address), and gives up after a timeout.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { ProblemError } from '../problem.js';

export interface CaldavSettings {
  /** Allowed servers: their base URLs (origin + path), as configured. */
  servers: string[];
  /** CIDR ranges a server's *host name* may resolve to although they are not public. */
  privateNetworks: string[];
  timeoutMs: number;
}

/** Addresses no host name may lead to unless an administrator allowed the range. */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) NON_PUBLIC.addSubnet(net, prefix, 'ipv6');

export const notAllowed = (detail: string, status: 403 | 502 = 403) =>
  new ProblemError(status, 'caldavNotAllowed', 'CalDAV server not allowed', detail);

export interface Allowlist {
  /** The configured base URL that `url` belongs to (same origin), or null. */
  match(url: URL): string | null;
  /** Parses an absolute URL or a path (resolved against `base`) and checks it; ProblemError 403 when refused. */
  resolve(value: string, base: string): URL;
  origins: string[];
}

export function createAllowlist(settings: CaldavSettings): Allowlist {
  const bases = settings.servers.map((s) => new URL(s));
  const origins = bases.map((b) => b.origin);
  const allowlist: Allowlist = {
    origins,
    match(url) {
      if (url.username || url.password) return null;
      const i = origins.indexOf(url.origin);
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
      if (!allowlist.match(url)) throw notAllowed(`${url.origin} is not one of the CalDAV servers this gateway may reach.`);
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

/**
 * A fetch for one gateway request. The first transport failure (timeout, refusal, unreachable server,
 * wrong credentials) is remembered and every later call fails the same way at once: tsdav retries
 * discovery on other URLs and swallows some errors, which must not multiply timeouts.
 */
export function createGuardedFetch(settings: CaldavSettings, allowlist: Allowlist, agent: Agent) {
  let fatal: CaldavTransportError | null = null;
  const fail = (problem: ProblemError, cause?: unknown): never => {
    fatal ??= new CaldavTransportError(problem, { cause });
    throw fatal.problem;
  };

  const guarded: GuardedFetch & { failure(): CaldavTransportError | null } = Object.assign(
    async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
      if (fatal) throw fatal.problem;
      let url = new URL(String(input));
      if (!allowlist.match(url)) fail(notAllowed(`${url.origin} is not one of the CalDAV servers this gateway may reach.`));
      const manual = init.redirect === 'manual';
      let headers = new Headers(init.headers);
      let method = (init.method ?? 'GET').toUpperCase();
      let body = init.body;
      for (let hop = 0; ; hop++) {
        let response: Response;
        try {
          response = (await undiciFetch(url, {
            method,
            headers: headers as never,
            body: body as never,
            redirect: 'manual',
            dispatcher: agent,
            signal: AbortSignal.timeout(settings.timeoutMs),
          })) as unknown as Response;
        } catch (error) {
          const cause = (error as { cause?: unknown }).cause;
          if (cause instanceof ProblemError) fail(cause, error);
          if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') {
            fail(new ProblemError(504, 'upstreamTimeout', 'CalDAV server timed out', `${url.origin} did not answer within ${settings.timeoutMs / 1000} s.`), error);
          }
          fail(new ProblemError(502, 'upstream', 'CalDAV server unreachable', `Cannot reach ${url.origin}.`), error);
        }
        if (response!.status === 401) {
          await response!.body?.cancel();
          fail(new ProblemError(403, 'caldavUnauthorized', 'CalDAV credentials refused', `${url.origin} refused the credentials sent in X-CalDAV-Authorization.`));
        }
        const location = response!.headers.get('location');
        if (manual || response!.status < 300 || response!.status >= 400 || response!.status === 304 || !location) return response!;
        await response!.body?.cancel();
        if (hop >= 4) fail(new ProblemError(502, 'upstream', 'Too many redirects', `${url.origin} redirected more than 5 times.`));
        const next = new URL(location, url);
        if (!allowlist.match(next)) fail(notAllowed(`${url.origin} redirected to ${next.origin}, which is not an allowed CalDAV server.`, 502));
        // Credentials stay with the origin they were given for.
        if (next.origin !== url.origin) {
          headers = new Headers(headers);
          headers.delete('authorization');
        }
        if (response!.status === 303 || ((response!.status === 301 || response!.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
      }
    },
    { failure: () => fatal },
  );
  return guarded;
}

/**
 * The connection pool: host names are resolved here and every address checked. An address literal in
 * the allowlist is reached as configured (an administrator wrote it); it never goes through lookup.
 */
export function createCaldavAgent(settings: CaldavSettings): Agent {
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
  return new Agent({ connect: { lookup: lookup as never, timeout: settings.timeoutMs }, keepAliveTimeout: 10_000, connections: 16 });
}
