/**
 * La Suite Meet's external API: rooms registered in Visio with the agent as owner, an access level and a
 * dial-in PIN. The gateway acts for each agent with a delegated token (token endpoint, `scope` = the agent's
 * e-mail). Contract: testing/contracts/meet-external-api.openapi.yaml.
 *
 * Creating a room is not idempotent on Meet's side, so an uncertain outcome (timeout, 5xx) is never simply
 * retried: the creation is recorded in the store first, with the agent's rooms as they were, and after an
 * uncertain outcome the agent's rooms are listed again to adopt the one the attempt made.
 */
import { randomUUID } from 'node:crypto';
import { normalizeRoomCode, type AccessLevel, type Telephony } from '@visio/shared';
import { z } from 'zod';
import { ConfigError, flag, httpUrl, list } from '../env.js';
import type { User } from '../identity.js';
import type { Logger } from '../logger.js';
import { ProblemError } from '../problem.js';
import type { PendingCreation, Store, StoredRoom } from '../store/store.js';
import type { ProviderContext, ProviderDefinition, ProviderRoom, RoomProvider } from './provider.js';

export interface MeetOptions {
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  instanceUrl: string;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  deleteEnabled: boolean;
  phoneNumber?: string | undefined;
  probeEmail: string;
  configuration?: MeetRoomConfiguration | undefined;
  store: Store;
  log: Logger;
}

export interface MeetRoomConfiguration {
  can_publish_sources?: string[];
  everyone_can_mute?: boolean;
}

/** A room as the external API returns it (only the fields the gateway reads). */
interface MeetRoom {
  id: string;
  slug?: string;
  access_level?: AccessLevel;
  url?: string;
  telephony?: { enabled?: boolean; pin_code?: string; phone_number?: string; default_country?: string };
}

type Outcome =
  | { kind: 'response'; status: number; body: unknown; retryAfterMs?: number | undefined }
  | { kind: 'timeout' }
  /** `sent: false` when the connection was refused: the request certainly did nothing. */
  | { kind: 'network'; sent: boolean };

interface CachedToken {
  value: string;
  refreshAt: number;
}

const MAX_LIST_PAGES = 50;
const PAGE_SIZE = 100;

const PUBLISH_SOURCES = ['camera', 'microphone', 'screen_share', 'screen_share_audio'] as const;

/** La Suite Meet external API (VISIO_PROVIDER=meet). */
export const MeetEnvSchema = z.object({
  MEET_API_URL: httpUrl,
  MEET_CLIENT_ID: z.string().min(1).max(200),
  MEET_CLIENT_SECRET: z.string().min(1).max(500),
  MEET_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8000),
  MEET_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  MEET_RETRY_DELAY_MS: z.coerce.number().int().min(1).max(60_000).default(250),
  MEET_DELETE_ENABLED: flag.default(false),
  MEET_PHONE_NUMBER: z
    .string()
    .regex(/^\+[1-9]\d{4,14}$/, 'an E.164 number such as +33187210000')
    .optional(),
  MEET_PROBE_EMAIL: z.email().optional(),
  MEET_PUBLISH_SOURCES: list.pipe(z.array(z.enum(PUBLISH_SOURCES))),
  MEET_EVERYONE_CAN_MUTE: flag.optional(),
});

export const meet: ProviderDefinition<typeof MeetEnvSchema> = {
  name: 'meet',
  env: MeetEnvSchema,
  create: (env, context) => meetProvider(meetOptions(env, context)),
};

export function meetOptions(env: z.output<typeof MeetEnvSchema>, context: ProviderContext): MeetOptions {
  const configuration: MeetRoomConfiguration = {
    ...(env.MEET_PUBLISH_SOURCES.length ? { can_publish_sources: env.MEET_PUBLISH_SOURCES } : {}),
    ...(env.MEET_EVERYONE_CAN_MUTE !== undefined ? { everyone_can_mute: env.MEET_EVERYONE_CAN_MUTE } : {}),
  };
  return {
    apiUrl: env.MEET_API_URL,
    clientId: env.MEET_CLIENT_ID,
    clientSecret: env.MEET_CLIENT_SECRET,
    instanceUrl: context.instanceUrl,
    timeoutMs: env.MEET_TIMEOUT_MS,
    retries: env.MEET_RETRIES,
    retryDelayMs: env.MEET_RETRY_DELAY_MS,
    deleteEnabled: env.MEET_DELETE_ENABLED,
    phoneNumber: env.MEET_PHONE_NUMBER,
    probeEmail: probeEmail(env.MEET_PROBE_EMAIL, context),
    configuration: Object.keys(configuration).length ? configuration : undefined,
    store: context.store,
    log: context.log,
  };
}

// Readiness asks the token endpoint for a token on behalf of this agent; with sign-in there is no default one.
function probeEmail(configured: string | undefined, context: ProviderContext): string {
  if (configured) return configured;
  if (context.localUserEmail) return context.localUserEmail;
  throw new ConfigError('Invalid configuration:\n  MEET_PROBE_EMAIL: required with sign-in (OIDC_ISSUER): an agent e-mail the readiness check asks Meet a token for');
}

export function meetProvider(options: MeetOptions): RoomProvider & { tokensFetched(): number } {
  const { store, log } = options;
  const api = options.apiUrl.replace(/\/+$/, '');
  const tokens = new Map<string, CachedToken>();
  const inflight = new Map<string, Promise<CachedToken>>();
  let tokensFetched = 0;
  let learnedPhone: string | undefined;

  // ---- transport ---------------------------------------------------------------------------------

  async function send(method: string, path: string, init: { token?: string; json?: unknown; form?: Record<string, string> } = {}): Promise<Outcome> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    let response: Response;
    try {
      response = await fetch(`${api}${path}`, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs), redirect: 'follow' });
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { kind: 'timeout' };
      const code = (error as { cause?: { code?: string } }).cause?.code;
      return { kind: 'network', sent: !(code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') };
    }
    let parsed: unknown = null;
    try {
      const text = await response.text();
      parsed = text ? JSON.parse(text) : null;
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { kind: 'timeout' };
      parsed = null; // an HTML error page from a proxy, say
    }
    return { kind: 'response', status: response.status, body: parsed, retryAfterMs: retryAfter(response.headers.get('retry-after')) };
  }

  const retryable = (o: Outcome) => o.kind !== 'response' || o.status === 429 || o.status >= 500;
  /** True when the request may have taken effect although no success came back. */
  const uncertain = (o: Outcome) => o.kind === 'timeout' || (o.kind === 'network' && o.sent) || (o.kind === 'response' && o.status >= 500);

  async function pause(attempt: number, last: Outcome | undefined): Promise<void> {
    // Exponential backoff with jitter; a Retry-After from Meet is honoured up to a bound.
    const ceiling = Math.min(options.retryDelayMs * 2 ** (attempt - 1), options.retryDelayMs * 16);
    let ms = ceiling / 2 + Math.random() * (ceiling / 2);
    if (last?.kind === 'response' && last.retryAfterMs !== undefined) ms = Math.max(ms, Math.min(last.retryAfterMs, 10_000));
    await new Promise((r) => setTimeout(r, ms));
  }

  /** The problem a person sees when Meet stayed unavailable through every retry. */
  function gaveUp(last: Outcome | undefined, what: string): ProblemError {
    const tries = options.retries + 1;
    if (!last || last.kind === 'network') {
      return new ProblemError(503, 'unavailable', 'Visio is unreachable', `The gateway cannot reach La Suite Meet to ${what} (${tries} attempts). Try again in a few minutes.`, {
        headers: { 'retry-after': '30' },
      });
    }
    if (last.kind === 'timeout') {
      return new ProblemError(
        504,
        'upstream',
        'Visio did not answer in time',
        `La Suite Meet did not answer within ${options.timeoutMs / 1000} s to ${what} (${tries} attempts). Try again in a few minutes.`,
      );
    }
    if (last.status === 429) {
      const seconds = Math.max(1, Math.ceil((last.retryAfterMs ?? 30_000) / 1000));
      return new ProblemError(503, 'unavailable', 'Visio is busy', `La Suite Meet is limiting requests; try again in ${seconds} s.`, { headers: { 'retry-after': String(seconds) } });
    }
    return new ProblemError(502, 'upstream', 'Visio failed', `La Suite Meet answered ${last.status} to ${what} (${tries} attempts). Try again in a few minutes.`);
  }

  // ---- delegated tokens ----------------------------------------------------------------------------

  async function fetchToken(email: string): Promise<CachedToken> {
    let last: Outcome | undefined;
    for (let attempt = 0; attempt <= options.retries; attempt++) {
      if (attempt > 0) await pause(attempt, last);
      const outcome = await send('POST', '/application/token/', {
        form: { client_id: options.clientId, client_secret: options.clientSecret, grant_type: 'client_credentials', scope: email },
      });
      if (outcome.kind === 'response' && outcome.status === 200) {
        const body = outcome.body as { access_token?: unknown; expires_in?: unknown } | null;
        if (typeof body?.access_token !== 'string' || !body.access_token) {
          throw new ProblemError(502, 'upstream', 'Visio sent an unreadable answer', 'La Suite Meet\u2019s token endpoint answered without an access_token.');
        }
        const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 300_000;
        tokensFetched++;
        // Refresh shortly before expiry: a tenth of the lifetime early, at most a minute.
        return { value: body.access_token, refreshAt: Date.now() + lifetime - Math.min(60_000, lifetime / 10) };
      }
      if (!retryable(outcome)) throw tokenRefusal(outcome as Extract<Outcome, { kind: 'response' }>, email);
      last = outcome;
      log.warn('meet token request failed, retrying', { attempt: attempt + 1, outcome: describe(outcome) });
    }
    throw gaveUp(last, 'issue a token');
  }

  function tokenRefusal(outcome: Extract<Outcome, { kind: 'response' }>, email: string): ProblemError {
    const said = upstreamMessage(outcome.body);
    if ((outcome.status === 400 || outcome.status === 404) && /user not found/i.test(said)) {
      return new ProblemError(
        403,
        'providerAccountUnknown',
        'No Visio account for this agent',
        `La Suite Meet has no user ${email}. The agent signs in to ${options.instanceUrl} once to create the account, or the Meet administrator allows the application to create users.`,
      );
    }
    if (outcome.status === 403) {
      const domain = email.split('@')[1] ?? '';
      return new ProblemError(
        403,
        'providerRefused',
        'Visio refuses this agent\u2019s domain',
        `La Suite Meet does not let the gateway\u2019s application act for the domain ${domain}: the Meet administrator adds it to the application\u2019s allowed domains.`,
      );
    }
    if (outcome.status === 401) {
      return new ProblemError(
        502,
        'upstream',
        'Visio refused the gateway',
        `La Suite Meet refused the gateway\u2019s application (${said || 'invalid credentials'}): the administrator checks MEET_CLIENT_ID and MEET_CLIENT_SECRET and that the application is active in Meet.`,
      );
    }
    if (outcome.status === 404) {
      return new ProblemError(
        502,
        'upstream',
        'Visio\u2019s external API is off',
        'La Suite Meet answered 404 at its token endpoint: the Meet administrator sets EXTERNAL_API_ENABLED and turns the application feature on; check MEET_API_URL.',
      );
    }
    return new ProblemError(502, 'upstream', 'Visio refused the gateway', `La Suite Meet refused the token request with ${outcome.status}${said ? ` (${said})` : ''}.`);
  }

  /** The agent's token: cached until shortly before expiry, one request in flight per agent. */
  async function token(email: string, stale?: string): Promise<string> {
    const key = email.toLowerCase();
    const cached = tokens.get(key);
    if (cached && cached.refreshAt > Date.now() && cached.value !== stale) return cached.value;
    let pending = inflight.get(key);
    if (!pending) {
      pending = fetchToken(email)
        .then((fresh) => {
          if (tokens.size > 10_000) for (const [k, t] of tokens) if (t.refreshAt <= Date.now()) tokens.delete(k);
          tokens.set(key, fresh);
          return fresh;
        })
        .finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    return (await pending).value;
  }

  /** One call with the agent's token; a 401 gets one fresh token and one more try. */
  async function authed(email: string, method: string, path: string, json?: unknown): Promise<Outcome> {
    const first = await token(email);
    const outcome = await send(method, path, { token: first, json });
    if (outcome.kind !== 'response' || outcome.status !== 401) return outcome;
    const fresh = await token(email, first);
    const again = await send(method, path, { token: fresh, json });
    if (again.kind === 'response' && again.status === 401) {
      throw new ProblemError(502, 'upstream', 'Visio refused the gateway', 'La Suite Meet refused a freshly issued token; the administrator checks the application in Meet.');
    }
    return again;
  }

  function roomsRefusal(outcome: Extract<Outcome, { kind: 'response' }>, what: string): ProblemError {
    const said = upstreamMessage(outcome.body);
    if (outcome.status === 403) {
      return new ProblemError(
        502,
        'upstream',
        'Visio refused the gateway',
        `La Suite Meet refused to ${what} (${said || 'insufficient scope'}): the Meet administrator grants the application the rooms:create, rooms:list and rooms:retrieve scopes.`,
      );
    }
    if (outcome.status === 400) {
      return new ProblemError(400, 'validation', 'Visio refused the room settings', `La Suite Meet refused to ${what}: ${said || 'invalid settings'}.`, {
        errors: [{ path: 'accessLevel', message: said || 'refused by Visio' }],
      });
    }
    return new ProblemError(502, 'upstream', 'Visio refused the request', `La Suite Meet answered ${outcome.status} to ${what}${said ? ` (${said})` : ''}.`);
  }

  /** A safe (read) call: retried on 429, 5xx, timeouts and network faults. */
  async function read(email: string, path: string, what: string): Promise<Extract<Outcome, { kind: 'response' }>> {
    let last: Outcome | undefined;
    for (let attempt = 0; attempt <= options.retries; attempt++) {
      if (attempt > 0) await pause(attempt, last);
      const outcome = await authed(email, 'GET', path);
      if (!retryable(outcome)) return outcome as Extract<Outcome, { kind: 'response' }>;
      last = outcome;
      log.warn('meet request failed, retrying', { op: what, attempt: attempt + 1, outcome: describe(outcome) });
    }
    throw gaveUp(last, what);
  }

  async function listAll(email: string): Promise<MeetRoom[]> {
    const rooms: MeetRoom[] = [];
    for (let page = 1; page <= MAX_LIST_PAGES; page++) {
      const outcome = await read(email, `/rooms/?page=${page}&page_size=${PAGE_SIZE}`, 'list rooms');
      if (outcome.status !== 200) throw roomsRefusal(outcome, 'list rooms');
      const body = outcome.body as { results?: unknown; next?: unknown } | null;
      if (!Array.isArray(body?.results)) throw new ProblemError(502, 'upstream', 'Visio sent an unreadable answer', 'La Suite Meet listed rooms without results.');
      rooms.push(...(body.results as MeetRoom[]).filter((r) => typeof r?.id === 'string'));
      if (!body.next) break;
    }
    return rooms;
  }

  // ---- mapping ------------------------------------------------------------------------------------

  function toProviderRoom(room: MeetRoom, requested: AccessLevel): ProviderRoom {
    const code = room.slug ? normalizeRoomCode(room.slug) : null;
    if (!code) throw new ProblemError(502, 'upstream', 'Visio sent an unreadable answer', 'La Suite Meet returned a room whose slug is not a Visio room code.');
    const url = room.url && /^https?:\/\//.test(room.url) ? room.url : `${options.instanceUrl}/${code}`;
    return { code, url, accessLevel: room.access_level ?? requested, telephony: telephonyOf(room), providerRef: room.id };
  }

  function telephonyOf(room: MeetRoom): Telephony | undefined {
    const t = room.telephony;
    if (!t?.enabled || !t.phone_number || !t.pin_code) return undefined;
    const phoneNumber = toE164(t.phone_number, t.default_country);
    const pin = t.pin_code.replace(/\s/g, '');
    if (!phoneNumber || !/^\d{4,20}$/.test(pin)) {
      log.warn('meet telephony not usable', { roomRef: room.id, reason: phoneNumber ? 'PIN is not 4 to 20 digits' : 'phone number is not convertible to E.164' });
      return undefined;
    }
    learnedPhone = phoneNumber;
    const country = t.default_country && /^[A-Z]{2}$/.test(t.default_country) ? t.default_country : undefined;
    return { phoneNumber, pin, ...(country ? { country } : {}) };
  }

  // ---- creation without duplicates ----------------------------------------------------------------

  /** After an uncertain outcome: adopt a room of the agent's that appeared since the creation started. */
  async function reconcile(pending: PendingCreation, email: string, accessLevel: AccessLevel): Promise<ProviderRoom | null> {
    const before = new Set(pending.baseline);
    for (const room of await listAll(email)) {
      if (before.has(room.id) || (room.access_level && room.access_level !== accessLevel)) continue;
      if (await store.settlePendingCreation(pending.id, room.id)) {
        log.info('meet room adopted after an uncertain answer', { pending: pending.id, roomRef: room.id });
        return toProviderRoom(room, accessLevel);
      }
    }
    return null;
  }

  return {
    name: 'meet',
    get telephony() {
      const phoneNumber = learnedPhone ?? options.phoneNumber;
      return phoneNumber ? { enabled: true, phoneNumber } : { enabled: false };
    },
    tokensFetched: () => tokensFetched,

    async createRoom({ owner, accessLevel }) {
      const email = owner.email;
      const body = { access_level: accessLevel, ...(options.configuration ? { configuration: options.configuration } : {}) };
      const pending: PendingCreation = {
        id: randomUUID(),
        owner: owner.sub,
        provider: 'meet',
        startedAt: new Date().toISOString(),
        baseline: (await listAll(email)).map((r) => r.id),
      };
      await store.recordPendingCreation(pending);
      let last: Outcome | undefined;
      for (let attempt = 0; attempt <= options.retries; attempt++) {
        if (attempt > 0) await pause(attempt, last);
        let outcome: Outcome;
        try {
          outcome = await authed(email, 'POST', '/rooms/', body);
        } catch (error) {
          await store.dropPendingCreation(pending.id);
          throw error;
        }
        if (outcome.kind === 'response' && outcome.status === 201) {
          const room = outcome.body as MeetRoom | null;
          if (typeof room?.id !== 'string') throw new ProblemError(502, 'upstream', 'Visio sent an unreadable answer', 'La Suite Meet created a room without an id.');
          if (await store.settlePendingCreation(pending.id, room.id)) return toProviderRoom(room, accessLevel);
          // Another uncertain request adopted this room; the room it made in vain, if any, is ours to find.
        } else if (!retryable(outcome)) {
          await store.dropPendingCreation(pending.id);
          throw roomsRefusal(outcome as Extract<Outcome, { kind: 'response' }>, 'create a room');
        } else {
          last = outcome;
          log.warn('meet room creation failed', { attempt: attempt + 1, outcome: describe(outcome), pending: pending.id });
          if (!uncertain(outcome)) continue;
        }
        try {
          const adopted = await reconcile(pending, email, accessLevel);
          if (adopted) return adopted;
        } catch (error) {
          // Meet cannot tell whether a room was made: keep the record, never try again blindly.
          log.error('meet room creation left unresolved', { pending: pending.id, error });
          throw error;
        }
      }
      await store.dropPendingCreation(pending.id);
      throw gaveUp(last, 'create a room');
    },

    async retrieveRoom(room: StoredRoom, owner: User) {
      if (!room.providerRef) return null;
      const outcome = await read(owner.email, `/rooms/${encodeURIComponent(room.providerRef)}/`, 'retrieve a room');
      if (outcome.status === 404) return null;
      if (outcome.status !== 200) throw roomsRefusal(outcome, 'retrieve a room');
      return toProviderRoom(outcome.body as MeetRoom, room.accessLevel);
    },

    async listRooms(owner: User) {
      const rooms: ProviderRoom[] = [];
      for (const room of await listAll(owner.email)) {
        try {
          rooms.push(toProviderRoom(room, 'trusted'));
        } catch {
          // A room with a custom slug is not one the gateway can hand out.
        }
      }
      return rooms;
    },

    async deleteRoom(room: StoredRoom, owner: User) {
      if (!options.deleteEnabled || !room.providerRef) {
        return {
          providerDeleted: false,
          detail: 'La Suite Meet has no delete endpoint yet: the room stays in Visio (its owner can still use it); the gateway forgot it.',
        };
      }
      const outcome = await authed(owner.email, 'DELETE', `/rooms/${encodeURIComponent(room.providerRef)}/`);
      if (outcome.kind === 'response' && (outcome.status === 204 || outcome.status === 200 || outcome.status === 404)) return { providerDeleted: true };
      if (outcome.kind === 'response' && outcome.status < 500 && outcome.status !== 429) throw roomsRefusal(outcome, 'delete a room');
      throw gaveUp(outcome, 'delete a room');
    },

    /** Readiness: the token endpoint answers (a refusal for the probe user still proves it works). */
    async check() {
      const outcome = await send('POST', '/application/token/', {
        form: { client_id: options.clientId, client_secret: options.clientSecret, grant_type: 'client_credentials', scope: options.probeEmail },
      });
      if (outcome.kind === 'response' && [200, 400, 403].includes(outcome.status)) return;
      throw new Error(`Meet token endpoint: ${describe(outcome)}`);
    },
  };
}

/** `+33 1 87 21 00 00`, `+1-555-0100`, `0033…`, or a French national number with country FR → E.164. */
export function toE164(phone: string, country?: string): string | null {
  const compact = phone.replace(/[\s().\-\u00a0]/g, '');
  if (/^\+[1-9]\d{4,14}$/.test(compact)) return compact;
  if (/^00[1-9]\d{4,14}$/.test(compact)) return `+${compact.slice(2)}`;
  if (country === 'FR' && /^0[1-9]\d{8}$/.test(compact)) return `+33${compact.slice(1)}`;
  return null;
}

function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Meet's own words (`error` on the token endpoint, `detail` elsewhere), shortened. */
function upstreamMessage(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const b = body as Record<string, unknown>;
  const text =
    typeof b.error === 'string'
      ? b.error
      : typeof b.detail === 'string'
        ? b.detail
        : Object.values(b)
            .flat()
            .filter((v) => typeof v === 'string')
            .join(' ');
  return text.replace(/[\u0000-\u001f]/g, ' ').slice(0, 200);
}

function describe(o: Outcome): string {
  return o.kind === 'response' ? `HTTP ${o.status}` : o.kind === 'timeout' ? 'timeout' : o.sent ? 'connection lost' : 'connection refused';
}
