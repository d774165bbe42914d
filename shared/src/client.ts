/**
 * Typed client of the gateway, used by every UI (browser extension, Outlook, Thunderbird, the gateway's
 * own page). Imports only types from the contract, so it does not bundle zod.
 */
import type {
  CalendarEventRef,
  CalendarEventResult,
  CalendarList,
  CreateCalendarEventRequest,
  CreateRoomRequest,
  DeleteRoomResult,
  GatewayConfig,
  IcsRequest,
  Invitation,
  Migration,
  MigrationApply,
  MigrationRequest,
  Problem,
  Room,
  RoomPage,
  SwitchEventResult,
  RoomSchedule,
  RoomState,
  UpcomingMeetings,
} from './contract.js';
import { VisioApiError } from './errors.js';
import type { Lang, TokenSource } from './types.js';
import { CALDAV_AUTH_HEADER, CALDAV_SERVER_HEADER, CLIENT_HEADER } from './wire.js';

export { describeError, VisioApiError, type ErrorKind } from './errors.js';
export type { TokenSource } from './types.js';

export interface VisioClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  /** Per request, default 10 s. */
  timeoutMs?: number;
  auth?: TokenSource;
  /** Which client calls (`outlook`, `thunderbird`, `browser`, `page`): recorded in the audit trail. */
  clientName?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/**
 * The agent's own CalDAV credentials, sent with each calendar request and never kept by the gateway.
 * `authorization` is an HTTP Authorization value: `Basic base64(user:app-password)` or `Bearer token`.
 */
export interface CaldavCredentials {
  authorization: string;
  /** One of the gateway's allowed CalDAV servers; may be left out when the gateway allows only one. */
  server?: string;
}

/** `Basic …` value for a user name and an application password (UTF-8). */
export function basicCaldavAuthorization(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

export interface IcsFile {
  ics: string;
  filename: string;
}

export interface VisioClient {
  getConfig(options?: RequestOptions): Promise<GatewayConfig>;
  createRoom(request?: CreateRoomRequest, options?: RequestOptions & { idempotencyKey?: string }): Promise<Room>;
  listRooms(query?: { limit?: number; cursor?: string; state?: 'open' | 'ended' | 'all' }, options?: RequestOptions): Promise<RoomPage>;
  getRoom(code: string, options?: RequestOptions): Promise<Room>;
  /** Ends the room (deleted at the provider where it can): for an event deleted or cancelled. */
  deleteRoom(code: string, options?: RequestOptions): Promise<DeleteRoomResult>;
  /** Tells the room when its meeting takes place (on add and whenever the event's time changes). */
  setRoomSchedule(code: string, schedule: RoomSchedule, options?: RequestOptions): Promise<Room>;
  /** Whether a room's link still opens a meeting: Join says "ended" (see `roomEndedText`) instead of opening it. */
  getRoomState(code: string, options?: RequestOptions): Promise<RoomState>;
  getInvitation(code: string, lang?: Lang, options?: RequestOptions): Promise<Invitation>;
  createIcs(request: IcsRequest, options?: RequestOptions): Promise<IcsFile>;
  listCalendars(caldav: CaldavCredentials, options?: RequestOptions): Promise<CalendarList>;
  createCalendarEvent(request: CreateCalendarEventRequest, caldav: CaldavCredentials, options?: RequestOptions): Promise<CalendarEventResult>;
  /** Adds a Visio room to an existing event (idempotent: an event with a room keeps it). */
  addVisioToEvent(ref: CalendarEventRef, caldav: CaldavCredentials, options?: RequestOptions): Promise<CalendarEventResult>;
  /** Removes the room from the event and releases it. */
  removeVisioFromEvent(ref: CalendarEventRef, caldav: CaldavCredentials, options?: RequestOptions): Promise<CalendarEventResult>;
  /** The agent's meetings of the next `hours` hours that carry a Visio link, all calendars. */
  upcomingMeetings(hours: number, caldav: CaldavCredentials, options?: RequestOptions): Promise<UpcomingMeetings>;
  /** "Passer à Visio" on one event: its Teams/Zoom/… meeting replaced by a Visio room. */
  switchEventToVisio(ref: CalendarEventRef, caldav: CaldavCredentials, options?: RequestOptions): Promise<SwitchEventResult>;
  /** Plans switching a time range of the agent's calendars; `applyMigration` converts, `getMigration` follows. */
  planMigration(request: MigrationRequest, caldav: CaldavCredentials, options?: RequestOptions): Promise<Migration>;
  applyMigration(id: string, request: MigrationApply, caldav: CaldavCredentials, options?: RequestOptions): Promise<Migration>;
  getMigration(id: string, options?: RequestOptions): Promise<Migration>;
  /** The migration's per-event report, as CSV text. */
  getMigrationReportCsv(id: string, options?: RequestOptions): Promise<string>;
  /** Low-level JSON call for routes added by later features; same errors, auth and timeouts. */
  request<T>(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal }): Promise<T>;
}

export function createVisioClient(options: VisioClientOptions): VisioClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function send(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal }, retried: boolean): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json, text/calendar', ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (options.clientName) headers[CLIENT_HEADER] = options.clientName;
    const token = await options.auth?.getAccessToken();
    if (token) headers.authorization = `Bearer ${token}`;

    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = init.signal ? anySignal([init.signal, timeout.signal]) : timeout.signal;
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal,
        credentials: 'omit',
        redirect: 'error',
      });
    } catch (cause) {
      if (timeout.signal.aborted) throw new VisioApiError(`The gateway did not answer within ${timeoutMs / 1000} s`, 'timeout');
      if (init.signal?.aborted) throw cause;
      throw new VisioApiError(`Cannot reach the gateway at ${base}`, 'network');
    } finally {
      clearTimeout(timer);
    }
    if (response.status === 401 && !retried && options.auth?.refresh && (await options.auth.refresh())) {
      return send(method, path, init, true);
    }
    if (!response.ok) throw await toError(response);
    return response;
  }

  async function json<T>(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<T> {
    const response = await send(method, path, init, false);
    try {
      return (await response.json()) as T;
    } catch {
      throw new VisioApiError('The gateway sent an unreadable answer', 'invalid-response', response.status);
    }
  }

  const code = (value: string) => encodeURIComponent(value);
  const dav = (caldav: CaldavCredentials, o: RequestOptions) => ({
    headers: { [CALDAV_AUTH_HEADER]: caldav.authorization, ...(caldav.server ? { [CALDAV_SERVER_HEADER]: caldav.server } : {}) },
    ...(o.signal ? { signal: o.signal } : {}),
  });

  return {
    getConfig: (o = {}) => json('GET', '/v1/config', o),
    createRoom: (request = {}, o = {}) =>
      json('POST', '/v1/rooms', {
        body: request,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.idempotencyKey ? { headers: { 'idempotency-key': o.idempotencyKey } } : {}),
      }),
    listRooms: (query = {}, o = {}) => {
      const params = new URLSearchParams();
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      if (query.cursor !== undefined) params.set('cursor', query.cursor);
      if (query.state !== undefined) params.set('state', query.state);
      const qs = params.toString();
      return json('GET', `/v1/rooms${qs ? `?${qs}` : ''}`, o);
    },
    getRoom: (c, o = {}) => json('GET', `/v1/rooms/${code(c)}`, o),
    deleteRoom: (c, o = {}) => json('DELETE', `/v1/rooms/${code(c)}`, o),
    setRoomSchedule: (c, schedule, o = {}) => json('PUT', `/v1/rooms/${code(c)}/schedule`, { body: schedule, ...(o.signal ? { signal: o.signal } : {}) }),
    getRoomState: (c, o = {}) => json('GET', `/v1/rooms/${code(c)}/state`, o),
    getInvitation: (c, lang = 'fr', o = {}) => json('GET', `/v1/rooms/${code(c)}/invitation?lang=${lang}`, o),
    async createIcs(request, o = {}) {
      const response = await send('POST', '/v1/ics', { body: request, ...(o.signal ? { signal: o.signal } : {}) }, false);
      const disposition = response.headers.get('content-disposition') ?? '';
      const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'visio.ics';
      return { ics: await response.text(), filename };
    },
    listCalendars: (caldav, o = {}) => json('GET', '/v1/calendars', dav(caldav, o)),
    createCalendarEvent: (request, caldav, o = {}) => json('POST', '/v1/calendars/events', { body: request, ...dav(caldav, o) }),
    addVisioToEvent: (ref, caldav, o = {}) => json('POST', '/v1/calendars/events/visio', { body: ref, ...dav(caldav, o) }),
    removeVisioFromEvent: (ref, caldav, o = {}) => json('DELETE', '/v1/calendars/events/visio', { body: ref, ...dav(caldav, o) }),
    upcomingMeetings: (hours, caldav, o = {}) => json('GET', `/v1/meetings/upcoming?hours=${encodeURIComponent(String(hours))}`, dav(caldav, o)),
    switchEventToVisio: (ref, caldav, o = {}) => json('POST', '/v1/calendars/events/switch', { body: ref, ...dav(caldav, o) }),
    planMigration: (request, caldav, o = {}) => json('POST', '/v1/calendars/migrations', { body: request, ...dav(caldav, o) }),
    applyMigration: (id, request, caldav, o = {}) => json('POST', `/v1/calendars/migrations/${encodeURIComponent(id)}/apply`, { body: request, ...dav(caldav, o) }),
    getMigration: (id, o = {}) => json('GET', `/v1/calendars/migrations/${encodeURIComponent(id)}`, o),
    async getMigrationReportCsv(id, o = {}) {
      const response = await send('GET', `/v1/calendars/migrations/${encodeURIComponent(id)}/report.csv`, o.signal ? { signal: o.signal } : {}, false);
      return response.text();
    },
    request: (method, path, init = {}) => json(method, path, init),
  };
}

async function toError(response: Response): Promise<VisioApiError> {
  let problem: Problem | undefined;
  try {
    const body = (await response.json()) as Partial<Problem>;
    if (typeof body?.title === 'string' && typeof body.status === 'number') problem = body as Problem;
  } catch {
    // Not JSON (a proxy's error page, say): the status alone must do.
  }
  const message = problem ? (problem.detail ? `${problem.title}: ${problem.detail}` : problem.title) : `The gateway answered ${response.status}`;
  return new VisioApiError(message, 'http', response.status, problem);
}

// AbortSignal.any is missing in older Thunderbird/Safari builds.
function anySignal(signals: AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  for (const s of signals) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}
