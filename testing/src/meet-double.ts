/**
 * A test double of La Suite Meet's external API over real HTTP on loopback, for tests of anything that
 * calls Meet. Every request it receives and every answer it gives is checked against the published
 * OpenAPI document (testing/contracts/meet-external-api.openapi.yaml); departures are collected in
 * `violations` and the request is answered 400, so a contract drift fails the test.
 *
 * It implements the semantics the document leaves to prose (shared/reference/README.md): delegated tokens
 * (`scope` = the user's e-mail, application allowed per e-mail domain, unknown users), room ownership, slugs,
 * URLs, telephony PINs, pagination, scopes. Faults are scripted: slow answers, 5xx and 429 (before or after
 * the room is made), revoked tokens. Undocumented statuses (5xx, 429, the 404 of a disabled external API)
 * are infrastructure faults and only those bypass the answer check. A documented path called with a method
 * the document does not give it gets Django REST framework's 405 (how Meet refuses a room deletion).
 */
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenApiContract, referenceFile, type ContractViolation, type MatchedOperation } from './openapi-contract.ts';

export type MeetOperation = 'generateToken' | 'listRooms' | 'createRoom' | 'retrieveRoom';

export interface MeetFault {
  /** Which operation it hits; all when absent. */
  op?: MeetOperation;
  /** Answer this status instead (5xx, 429). */
  status?: number;
  /** Wait this long before answering (a client with a shorter timeout sees a timeout). */
  delayMs?: number;
  /** Do the work (make the room) before failing: the client cannot know it happened. */
  afterEffect?: boolean;
  /** Seconds, sent as Retry-After with a 429. */
  retryAfter?: number;
  /** How many requests it hits (default 1; Infinity for a storm). */
  times?: number;
  /** Chance of hitting each matching request (default 1). */
  probability?: number;
}

export interface MeetDoubleOptions {
  clientId?: string;
  clientSecret?: string;
  /** Users Meet knows (e-mail addresses). */
  users?: string[];
  /** Whether the token endpoint creates unknown users (Meet's user-creation setting). */
  allowUserCreation?: boolean;
  /** E-mail domains the application may act for. */
  allowedDomains?: string[];
  applicationActive?: boolean;
  /** When false, the external API is not mounted (every path answers 404, as Django would). */
  externalApiEnabled?: boolean;
  tokenLifetimeSeconds?: number;
  scopes?: string[];
  /** The instance base URL rooms' `url` is built on. */
  instanceUrl?: string;
  /** Dial-in as Meet's settings hold it; false when telephony is off. */
  telephony?: { phoneNumber: string; defaultCountry: string } | false;
}

export interface MeetRoomRecord {
  id: string;
  name: string;
  slug: string;
  access_level: 'public' | 'trusted' | 'restricted';
  url: string;
  configuration: Record<string, unknown>;
  telephony: { enabled: boolean; pin_code?: string; phone_number?: string; default_country?: string };
  owner: string;
}

export interface MeetDouble {
  /** Base URL of the external API (what the gateway's MEET_API_URL is). */
  url: string;
  readonly violations: ContractViolation[];
  /** Each request: operation and status answered. */
  readonly log: { op: string; status: number }[];
  tokensIssued(user?: string): number;
  rooms(owner?: string): MeetRoomRecord[];
  /** Makes a room as if the user did it in Visio's web app (not through the API). */
  addRoomDirectly(owner: string, accessLevel?: MeetRoomRecord['access_level']): MeetRoomRecord;
  fault(fault: MeetFault): void;
  clearFaults(): void;
  /** Every token issued so far now answers 401 (as after a key rotation). */
  revokeTokens(): void;
  addUser(email: string): void;
  close(): Promise<void>;
}

const DEFAULT_SCOPES = ['rooms:list', 'rooms:retrieve', 'rooms:create'];
const ISSUER = 'lasuite-meet';

export async function startMeetDouble(options: MeetDoubleOptions = {}): Promise<MeetDouble> {
  const contract = OpenApiContract.load(referenceFile('meet-external-api.openapi.yaml'));
  const base = contract.basePath;
  const clientId = options.clientId ?? '550e8400-e29b-41d4-a716-446655440000';
  const clientSecret = options.clientSecret ?? 'meet-double-secret-0123456789abcdef';
  const signingKey = randomUUID();
  const users = new Map<string, string>((options.users ?? []).map((e) => [e.toLowerCase(), randomUUID()]));
  const allowedDomains = (options.allowedDomains ?? ['example.gouv.fr']).map((d) => d.toLowerCase());
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  const instanceUrl = (options.instanceUrl ?? 'https://visio.example.gouv.fr').replace(/\/+$/, '');
  const telephony = options.telephony === undefined ? { phoneNumber: '+33 1 87 21 00 00', defaultCountry: 'FR' } : options.telephony;
  const rooms: MeetRoomRecord[] = [];
  const issued: string[] = [];
  const violations: ContractViolation[] = [];
  const log: { op: string; status: number }[] = [];
  let faults: (MeetFault & { left: number })[] = [];
  let revokedBefore = 0;
  let tokenSerial = 0;

  function newRoom(owner: string, accessLevel: MeetRoomRecord['access_level'], configuration: Record<string, unknown>): MeetRoomRecord {
    const letters = () => Array.from({ length: 10 }, () => String.fromCharCode(97 + randomInt(26))).join('');
    let slug: string;
    do {
      const l = letters();
      slug = `${l.slice(0, 3)}-${l.slice(3, 7)}-${l.slice(7)}`;
    } while (rooms.some((r) => r.slug === slug));
    const room: MeetRoomRecord = {
      id: randomUUID(),
      name: slug,
      slug,
      access_level: accessLevel,
      url: `${instanceUrl}/${slug}`,
      configuration,
      telephony: telephony ? { enabled: true, pin_code: String(randomInt(10 ** 9, 10 ** 10)), phone_number: telephony.phoneNumber, default_country: telephony.defaultCountry } : { enabled: false },
      owner,
    };
    rooms.push(room);
    return room;
  }

  const publicRoom = ({ owner: _owner, ...room }: MeetRoomRecord) => room;

  function sign(payload: Record<string, unknown>): string {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(payload)}`;
    return `${head}.${createHmac('sha256', signingKey).update(head).digest('base64url')}`;
  }

  function verify(token: string): { user_id: string; scope: string; serial: number } | 'expired' | null {
    const [head, payload, signature] = token.split('.');
    if (!head || !payload || !signature) return null;
    const expected = createHmac('sha256', signingKey).update(`${head}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { exp: number; user_id: string; scope: string; serial: number; iss: string };
    if (claims.iss !== ISSUER) return null;
    if (claims.exp * 1000 <= Date.now() || claims.serial < revokedBefore) return 'expired';
    return claims;
  }

  const userEmail = (id: string) => [...users].find(([, uid]) => uid === id)?.[0];

  type Answer = { status: number; body?: unknown; headers?: Record<string, string>; raw?: string; infrastructure?: boolean };

  function tokenEndpoint(body: Record<string, string>): Answer {
    if (body.client_id !== clientId || body.client_secret !== clientSecret) return { status: 401, body: { error: 'Invalid credentials' } };
    if (options.applicationActive === false) return { status: 401, body: { error: 'Application is inactive' } };
    const email = body.scope!.toLowerCase();
    if (!allowedDomains.includes(email.split('@')[1] ?? '')) return { status: 403, body: { error: 'This application is not authorized for this email domain.' } };
    if (!users.has(email)) {
      if (!options.allowUserCreation) return { status: 400, body: { error: 'User not found.' } };
      users.set(email, randomUUID());
    }
    const now = Math.floor(Date.now() / 1000);
    const access_token = sign({ iss: ISSUER, iat: now, exp: now + lifetime, client_id: clientId, user_id: users.get(email), delegated: true, scope: scopes.join(' '), serial: tokenSerial++ });
    issued.push(email);
    return { status: 200, body: { access_token, token_type: 'Bearer', expires_in: lifetime, scope: scopes.join(' ') } };
  }

  function authorize(req: IncomingMessage, matched: MatchedOperation): { email: string } | Answer {
    const header = req.headers.authorization ?? '';
    const claims = header.startsWith('Bearer ') ? verify(header.slice(7)) : null;
    if (claims === 'expired') return { status: 401, body: { detail: 'Token expired.' } };
    if (!claims) return { status: 401, body: { detail: 'Invalid token.' } };
    const email = userEmail(claims.user_id);
    if (!email) return { status: 401, body: { detail: 'Invalid token.' } };
    const needed = (matched.operation.security?.[0]?.BearerAuth ?? []) as string[];
    const granted = claims.scope.split(' ');
    const missing = needed.find((s) => !granted.includes(s));
    if (missing) return { status: 403, body: { detail: `Insufficient permissions. Required scope: '${missing}'` } };
    return { email };
  }

  function roomsEndpoint(matched: MatchedOperation, email: string, query: URLSearchParams, body: unknown, effect: boolean): Answer {
    switch (matched.operationId) {
      case 'createRoom': {
        const b = (body ?? {}) as { access_level?: MeetRoomRecord['access_level']; configuration?: Record<string, unknown> };
        if (!effect) return { status: 201, body: {} };
        return { status: 201, body: publicRoom(newRoom(email, b.access_level ?? 'trusted', b.configuration ?? {})) };
      }
      case 'listRooms': {
        const page = Number(query.get('page') ?? 1);
        const size = Number(query.get('page_size') ?? 20);
        const mine = rooms.filter((r) => r.owner === email);
        const link = (p: number) => `${listUrl}?page=${p}&page_size=${size}`;
        return {
          status: 200,
          body: {
            count: mine.length,
            next: page * size < mine.length ? link(page + 1) : null,
            previous: page > 1 ? link(page - 1) : null,
            results: mine.slice((page - 1) * size, page * size).map(publicRoom),
          },
        };
      }
      case 'retrieveRoom': {
        const room = rooms.find((r) => r.id === matched.params.id && r.owner === email);
        return room ? { status: 200, body: publicRoom(room) } : { status: 404, body: { detail: 'Not found.' } };
      }
    }
    return { status: 404, body: { detail: 'Not found.' } };
  }

  function takeFault(op: string): MeetFault | undefined {
    const fault = faults.find((f) => f.left > 0 && (!f.op || f.op === op) && Math.random() < (f.probability ?? 1));
    if (fault) fault.left--;
    faults = faults.filter((f) => f.left > 0);
    return fault;
  }

  async function handle(req: IncomingMessage, rawBody: string): Promise<{ answer: Answer; matched: MatchedOperation | null }> {
    const url = new URL(req.url ?? '/', 'http://double');
    if (!url.pathname.startsWith(`${base}/`) || options.externalApiEnabled === false) {
      return { answer: { status: 404, raw: '<h1>Not Found</h1>', headers: { 'content-type': 'text/html' }, infrastructure: true }, matched: null };
    }
    // A documented path with a method the document does not give it: Django REST framework's answer
    // (APIView.http_method_not_allowed: 405, `Method "DELETE" not allowed.`, Allow listing the others).
    // That is how Meet refuses a room deletion while its published API has none.
    const method = (req.method ?? 'GET').toUpperCase();
    const allowed = contract.methodsAt(url.pathname.slice(base.length));
    if (allowed.length > 0 && !allowed.includes(method)) {
      return { answer: { status: 405, body: { detail: `Method "${method}" not allowed.` }, headers: { allow: [...allowed, 'OPTIONS'].join(', ') }, infrastructure: true }, matched: null };
    }
    const checked = contract.checkRequest({
      method: req.method ?? 'GET',
      path: url.pathname.slice(base.length),
      query: url.searchParams,
      contentType: req.headers['content-type'],
      rawBody,
    });
    if (checked.violations.length || !checked.matched) {
      violations.push(...checked.violations);
      return { answer: { status: 400, body: { detail: `contract violation: ${checked.violations.map((v) => v.message).join('; ')}` }, infrastructure: true }, matched: null };
    }
    const matched = checked.matched;
    const fault = takeFault(matched.operationId);
    const effect = !fault?.status || fault.afterEffect === true;
    let answer: Answer;
    if (matched.operationId === 'generateToken') {
      answer = effect ? tokenEndpoint(checked.body as Record<string, string>) : { status: 0 };
    } else {
      const auth = authorize(req, matched);
      answer = 'status' in auth ? auth : roomsEndpoint(matched, auth.email, url.searchParams, checked.body, effect);
    }
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.status) {
      answer =
        fault.status === 429
          ? { status: 429, body: { detail: 'Request was throttled.' }, headers: { 'retry-after': String(fault.retryAfter ?? 1) }, infrastructure: true }
          : { status: fault.status, raw: `<html><body><h1>${fault.status}</h1></body></html>`, headers: { 'content-type': 'text/html' }, infrastructure: true };
    }
    return { answer, matched };
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const handled = handle(req, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        // A bug in the double must fail the test, not hang the client.
        violations.push({ where: 'request', operation: `${req.method} ${req.url}`, message: `the double failed: ${String(error)}` });
        return { answer: { status: 500, raw: 'double failure', infrastructure: true } as Answer, matched: null };
      });
      void handled.then(({ answer, matched }) => {
        const raw = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
        const headers = { 'content-type': 'application/json', ...answer.headers };
        if (matched && !answer.infrastructure) violations.push(...contract.checkResponse(matched, answer.status, headers['content-type'], raw));
        log.push({ op: matched?.operationId ?? `${req.method} ${req.url}`, status: answer.status });
        if (res.destroyed) return;
        res.writeHead(answer.status, headers).end(raw);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const apiUrl = `http://127.0.0.1:${port}${base}`;
  const listUrl = `${apiUrl}/rooms`;

  return {
    url: apiUrl,
    violations,
    log,
    tokensIssued: (user) => (user ? issued.filter((e) => e === user.toLowerCase()).length : issued.length),
    rooms: (owner) => rooms.filter((r) => !owner || r.owner === owner.toLowerCase()),
    addRoomDirectly: (owner, accessLevel = 'trusted') => newRoom(owner.toLowerCase(), accessLevel, {}),
    fault: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    clearFaults: () => {
      faults = [];
    },
    revokeTokens: () => {
      revokedBefore = tokenSerial;
    },
    addUser: (email) => {
      users.set(email.toLowerCase(), randomUUID());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
