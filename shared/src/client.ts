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
import { SignInError } from './sign-in.js';
import type { Lang } from './types.js';

export type ErrorKind = 'http' | 'network' | 'timeout' | 'invalid-response';

export class VisioApiError extends Error {
  override readonly name = 'VisioApiError';
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly status: number = 0,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

export interface TokenSource {
  /** Current access token, or null when signed out (local mode needs none). */
  getAccessToken(): string | null | Promise<string | null>;
  /** Gets a fresh access token after a 401; true when the request is worth retrying. */
  refresh?(): Promise<boolean>;
}

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
    if (options.clientName) headers['x-visio-client'] = options.clientName;
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
    headers: { 'x-caldav-authorization': caldav.authorization, ...(caldav.server ? { 'x-caldav-server': caldav.server } : {}) },
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

const MESSAGES: Record<Lang, Record<string, string>> = {
  fr: {
    network: 'Impossible de joindre le service Visio. Vérifiez votre connexion et réessayez.',
    timeout: 'Le service Visio ne répond pas. Réessayez dans un instant.',
    'invalid-response': 'Le service Visio a envoyé une réponse illisible.',
    401: 'Votre session a expiré : reconnectez-vous.',
    403: 'Vous n’avez pas le droit de faire cette action.',
    404: 'Cette réunion n’existe pas ou ne vous appartient pas.',
    429: 'Trop de demandes en peu de temps : patientez un instant puis réessayez.',
    400: 'La demande est invalide',
    upstream: 'Le service Visio est momentanément indisponible. Réessayez dans quelques minutes.',
    'provider-account-unknown':
      'Votre compte Visio n’existe pas encore : connectez-vous une fois à Visio avec votre compte professionnel, puis réessayez. Si le problème persiste, contactez votre administrateur.',
    'provider-refused': 'Votre organisation n’est pas encore autorisée à créer des réunions Visio depuis cet outil. Contactez votre administrateur.',
    'caldav-credentials-refused': 'Votre serveur d’agenda a refusé l’identifiant ou le mot de passe d’application.',
    'caldav-server-not-allowed': 'Ce serveur d’agenda n’est pas autorisé par le service Visio.',
    'upstream-timeout': 'Votre serveur d’agenda ne répond pas. Réessayez dans un instant.',
    'invalid-calendar-object': 'Cet événement est illisible sur le serveur d’agenda ; il n’a pas été modifié.',
    'calendar-refuses-events': 'Cet agenda n’accepte pas les événements : choisissez-en un autre.',
    'no-foreign-meeting': 'Cet événement ne contient ni réunion Teams, Zoom, Webex ou Google Meet, ni salle Visio : il n’a pas été modifié.',
    'sign-in:cancelled': 'Connexion annulée.',
    'sign-in:denied': 'Connexion refusée : l’accès à votre compte n’a pas été autorisé. Recommencez en acceptant la demande, ou contactez votre administrateur.',
    'sign-in:state-mismatch': 'La réponse de connexion ne correspond pas à votre demande. Recommencez la connexion.',
    'sign-in:invalid-grant': 'La connexion a expiré avant d’aboutir. Recommencez la connexion.',
    'sign-in:network': 'Impossible de joindre le service Visio pour vous connecter. Vérifiez votre connexion et réessayez.',
    'sign-in:unavailable': 'Le service de connexion est momentanément indisponible. Réessayez dans quelques minutes.',
    'sign-in:blocked': 'La fenêtre de connexion n’a pas pu s’ouvrir. Fermez toute fenêtre de connexion déjà ouverte, autorisez les fenêtres pop-up, puis réessayez.',
    'sign-in:failed': 'La connexion a échoué. Réessayez ; si le problème persiste, contactez votre administrateur.',
    other: 'Une erreur est survenue',
  },
  en: {
    network: 'Cannot reach the Visio service. Check your connection and try again.',
    timeout: 'The Visio service is not answering. Try again in a moment.',
    'invalid-response': 'The Visio service sent an unreadable answer.',
    401: 'Your session has expired: please sign in again.',
    403: 'You are not allowed to do this.',
    404: 'This meeting does not exist or is not yours.',
    429: 'Too many requests in a short time: wait a moment and try again.',
    400: 'The request is invalid',
    upstream: 'The Visio service is temporarily unavailable. Try again in a few minutes.',
    'provider-account-unknown':
      'Your Visio account does not exist yet: sign in to Visio once with your work account, then try again. If this persists, contact your administrator.',
    'provider-refused': 'Your organisation is not yet allowed to create Visio meetings from this tool. Contact your administrator.',
    'caldav-credentials-refused': 'Your calendar server refused the user name or application password.',
    'caldav-server-not-allowed': 'This calendar server is not allowed by the Visio service.',
    'upstream-timeout': 'Your calendar server is not answering. Try again in a moment.',
    'invalid-calendar-object': 'This event is unreadable on the calendar server; it was left unchanged.',
    'calendar-refuses-events': 'This calendar does not accept events: choose another one.',
    'no-foreign-meeting': 'This event holds no Teams, Zoom, Webex or Google Meet meeting and no Visio room: it was left unchanged.',
    'sign-in:cancelled': 'Sign-in cancelled.',
    'sign-in:denied': 'Sign-in refused: access to your account was not granted. Try again and accept the request, or contact your administrator.',
    'sign-in:state-mismatch': 'The sign-in answer does not match your request. Please sign in again.',
    'sign-in:invalid-grant': 'The sign-in expired before it completed. Please sign in again.',
    'sign-in:network': 'Cannot reach the Visio service to sign in. Check your connection and try again.',
    'sign-in:unavailable': 'The sign-in service is temporarily unavailable. Try again in a few minutes.',
    'sign-in:blocked': 'The sign-in window could not open. Close any sign-in window already open, allow pop-ups, then try again.',
    'sign-in:failed': 'Sign-in failed. Try again; if this persists, contact your administrator.',
    other: 'Something went wrong',
  },
};

/**
 * A sentence a person can act on, in their language, for any error the client or the sign-in helper
 * (@visio/shared/sign-in) throws. Sign-in errors never echo what the provider said. Plain text: show it with
 * textContent.
 */
export function describeError(error: unknown, lang: Lang = 'fr'): string {
  const m = MESSAGES[lang];
  if (error instanceof SignInError) return m[`sign-in:${error.kind}`] ?? m['sign-in:failed']!;
  if (!(error instanceof VisioApiError)) return m.other!;
  if (error.kind !== 'http') return m[error.kind]!;
  const byType = error.problem?.type?.startsWith('urn:visio:problem:') ? m[error.problem.type.slice('urn:visio:problem:'.length)] : undefined;
  if (byType) return byType;
  if (error.status >= 500) return m.upstream!;
  const known = m[String(error.status)];
  if (known && error.status !== 400) return known;
  const base = known ?? m.other!;
  const detail = error.problem?.detail;
  if (!detail) return base;
  return lang === 'fr' ? `${base} : ${detail}` : `${base}: ${detail}`;
}
