/**
 * The gateway's API contract: one zod schema per request, response and error. The gateway validates
 * with these and generates /openapi.json from them; clients import only the inferred types.
 */
import { z } from 'zod';
import { isRoomCode, normalizeRoomCode } from './room-code.js';
import { ACCESS_LEVELS, LANGS, PROVIDERS, type AccessLevel, type Lang, type ProviderName, type Telephony } from './types.js';
import { PROBLEM_TYPE_PREFIX } from './wire.js';

// Control characters (CR, LF, NUL, …) never belong in a one-line value.
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const line = (max: number) => z.string().trim().min(1).max(max).regex(NO_CONTROL, 'must be a single line without control characters');

export const AccessLevelSchema = z.enum(ACCESS_LEVELS) satisfies z.ZodType<AccessLevel>;
export const LangSchema = z.enum(LANGS) satisfies z.ZodType<Lang>;
export const ProviderSchema = z.enum(PROVIDERS) satisfies z.ZodType<ProviderName>;

/** A room code in any form the Visio web app accepts, normalised to `abc-defg-hij`. */
export const RoomCodeSchema = z
  .string()
  .max(32)
  .transform((value, ctx) => {
    const code = normalizeRoomCode(value);
    if (code === null) {
      ctx.addIssue({ code: 'custom', message: 'not a Visio room code (expected abc-defg-hij)' });
      return z.NEVER;
    }
    return code;
  })
  .meta({ example: 'abc-defg-hij', description: 'Room code, `abc-defg-hij`; `ABCDEFGHIJ` is accepted and normalised.' });

export const TelephonySchema = z
  .object({
    phoneNumber: z.string().regex(/^\+[1-9]\d{4,14}$/).meta({ example: '+33187210000' }),
    pin: z.string().regex(/^\d{4,20}$/).meta({ example: '1234567890' }),
    country: z.string().length(2).optional(),
  })
  .meta({ id: 'Telephony', description: 'Dial-in: number in E.164 form and the room PIN (digits).' }) satisfies z.ZodType<Telephony>;

export const EventUidSchema = z.string().min(1).max(255).regex(NO_CONTROL, 'must not contain control characters');

export const CreateRoomRequestSchema = z
  .strictObject({
    title: line(255).optional(),
    accessLevel: AccessLevelSchema.optional(),
    eventUid: EventUidSchema.optional().meta({ description: 'UID of the calendar event the room is for; one room per event and owner.' }),
  })
  .meta({ id: 'CreateRoomRequest' });

export const RoomSchema = z
  .object({
    code: z.string().refine(isRoomCode).meta({ example: 'abc-defg-hij' }),
    url: z.url(),
    accessLevel: AccessLevelSchema,
    provider: ProviderSchema,
    telephony: TelephonySchema.optional(),
    eventUid: z.string().optional(),
    title: z.string().optional(),
    createdAt: z.iso.datetime(),
    endedAt: z.iso.datetime().optional().meta({ description: 'When the provider reported the meeting over (LiveKit); absent while it may run.' }),
  })
  .meta({ id: 'Room' });

export const RoomPageSchema = z
  .object({
    items: z.array(RoomSchema),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` to get the next page; null on the last page.' }),
  })
  .meta({ id: 'RoomPage' });

export const ListRoomsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).regex(/^[A-Za-z0-9_-]+$/).optional(),
});

export const DeleteRoomResultSchema = z
  .object({
    code: z.string(),
    deleted: z.literal(true),
    providerDeleted: z.boolean().meta({ description: 'False when the provider cannot delete rooms (the gateway only forgot it).' }),
    detail: z.string().optional(),
  })
  .meta({ id: 'DeleteRoomResult' });

export const InvitationQuerySchema = z.strictObject({ lang: LangSchema.default('fr') });

export const InvitationSchema = z
  .object({ subject: z.string(), html: z.string(), text: z.string() })
  .meta({ id: 'Invitation' });

export const PersonSchema = z.strictObject({
  email: z.email().max(254),
  name: line(200).optional(),
});

export const AttendeeSchema = PersonSchema.extend({
  role: z.enum(['REQ-PARTICIPANT', 'OPT-PARTICIPANT', 'CHAIR', 'NON-PARTICIPANT']).optional(),
  rsvp: z.boolean().optional(),
});

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Local wall time in `timeZone` ("2026-12-01T10:00:00") or an absolute time with Z/offset. */
const DateTimeSchema = z.iso
  .datetime({ local: true, offset: true })
  .refine(isCalendarDate, 'not a real calendar date')
  .meta({ example: '2026-12-01T10:00:00' });

// The format check lets 2026-02-30 through; Date would silently roll it over to March.
function isCalendarDate(value: string): boolean {
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The meeting fields shared by `.ics` files and calendar events. */
const meetingFields = {
  title: line(255),
  start: DateTimeSchema,
  end: DateTimeSchema,
  timeZone: z.string().max(64).refine(isTimeZone, 'unknown time zone').meta({ example: 'Europe/Paris' }),
  description: z.string().max(8000).optional(),
  location: line(500).optional(),
  organizer: PersonSchema.optional(),
  attendees: z.array(AttendeeSchema).max(500).optional(),
  rrule: z.string().max(500).regex(/^[A-Z0-9=;,:+-]+$/i, 'not an RRULE value (e.g. FREQ=WEEKLY;BYDAY=MO)').optional(),
  lang: LangSchema.default('fr'),
};
const endAfterStart = { message: 'end must be after start', path: ['end'] };

export const IcsRequestSchema = z
  .strictObject({
    ...meetingFields,
    room: RoomCodeSchema.optional().meta({ description: 'An existing room of yours; a new room is created when absent.' }),
  })
  .refine((r) => wallTime(r.end) > wallTime(r.start), endAfterStart)
  .meta({ id: 'IcsRequest' });

// Comparable form of two ISO date-times; both are in the same zone unless an offset says otherwise.
function wallTime(value: string): number {
  return /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? Date.parse(value) : Date.parse(`${value}Z`);
}

export const ConfigSchema = z
  .object({
    instanceName: z.string(),
    instanceUrl: z.url(),
    provider: ProviderSchema,
    telephony: z.object({ enabled: z.boolean(), phoneNumber: z.string().optional() }),
    languages: z.array(LangSchema),
    defaultLanguage: LangSchema,
    accessLevels: z.array(AccessLevelSchema),
    defaultAccessLevel: AccessLevelSchema,
    auth: z.object({
      mode: z.enum(['local', 'oidc']),
      loginUrl: z.string().optional(),
      tokenUrl: z.string().optional(),
      logoutUrl: z.string().optional(),
    }),
    version: z.string(),
  })
  .meta({ id: 'Config' });

export const HealthSchema = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()).optional() }).meta({ id: 'Health' });

/** RFC 9457 problem details, as every gateway error is served (`application/problem+json`). */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    /** OAuth error code on the sign-in endpoints (`invalid_grant`, `invalid_client`, ...). */
    error: z.string().optional(),
  })
  .meta({ id: 'Problem' });

// --- Sign-in (OIDC mode): the gateway's own OAuth endpoints for its registered clients ---

export const ClientIdSchema = z.string().regex(/^[a-z0-9-]{1,32}$/, 'a registered client id');
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
export const CodeVerifierSchema = z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/, 'a PKCE code_verifier (43-128 unreserved characters)');
const OpaqueSchema = z.string().min(1).max(4096).regex(/^[\x21-\x7e]+$/, 'printable ASCII');

/** `POST /auth/token`, form-encoded (RFC 6749) or JSON. Unknown parameters are ignored, as OAuth requires. */
export const TokenRequestSchema = z
  .discriminatedUnion('grant_type', [
    z.object({
      grant_type: z.literal('authorization_code'),
      code: OpaqueSchema,
      code_verifier: CodeVerifierSchema,
      client_id: ClientIdSchema,
      redirect_uri: z.string().min(1).max(2000),
    }),
    z.object({ grant_type: z.literal('refresh_token'), refresh_token: OpaqueSchema, client_id: ClientIdSchema }),
  ])
  .meta({ id: 'TokenRequest' });

export const TokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string(),
    scope: z.string(),
  })
  .meta({ id: 'TokenResponse' });

/** `POST /auth/logout`: revokes the session of this refresh token (and of the bearer access token, if sent). */
export const LogoutRequestSchema = z.object({ refresh_token: OpaqueSchema.optional(), client_id: ClientIdSchema.optional() }).meta({ id: 'LogoutRequest' });

/** `GET /v1/me`: who the token belongs to (for "signed in as"). */
export const MeSchema = z
  .object({ sub: z.string(), email: z.string(), name: z.string().optional(), kind: z.enum(['local', 'agent', 'service']) })
  .meta({ id: 'Me' });

export const AuditEntrySchema = z
  .object({
    action: z.enum(['room.create', 'room.delete']),
    room: z.string(),
    client: z.string(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'AuditEntry' });

export const AuditPageSchema = z.object({ items: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }).meta({ id: 'AuditPage' });

export const AuditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(300).regex(/^[A-Za-z0-9_-]+$/, 'a cursor from a previous page').optional(),
});

export type TokenRequest = z.input<typeof TokenRequestSchema>;
export type TokenResponse = z.output<typeof TokenResponseSchema>;
export type Me = z.output<typeof MeSchema>;
export type AuditEntry = z.output<typeof AuditEntrySchema>;
export type AuditPage = z.output<typeof AuditPageSchema>;

// --- CalDAV calendars ---

/** A calendar collection or event: an absolute URL on an allowed CalDAV server, or a path on it. */
const DavHrefSchema = z.string().min(1).max(2048).regex(NO_CONTROL, 'must not contain control characters');

export const CalendarSchema = z
  .object({
    url: z.string().meta({ description: 'The calendar collection; pass it as `calendar` to the other routes.' }),
    displayName: z.string(),
    color: z.string().nullable().meta({ example: '#0063CB' }),
    components: z.array(z.string()).meta({ description: 'Supported components (empty: all).' }),
    acceptsEvents: z.boolean(),
  })
  .meta({ id: 'Calendar' });

export const CalendarListSchema = z
  .object({ server: z.string(), calendars: z.array(CalendarSchema) })
  .meta({ id: 'CalendarList' });

export const CreateCalendarEventRequestSchema = z
  .strictObject({ calendar: DavHrefSchema, ...meetingFields })
  .refine((r) => wallTime(r.end) > wallTime(r.start), endAfterStart)
  .meta({ id: 'CreateCalendarEventRequest' });

export const CalendarEventRefSchema = z
  .strictObject({
    calendar: DavHrefSchema.meta({ description: 'The calendar holding the event (needed with `uid`).' }),
    href: DavHrefSchema.optional().meta({ description: 'The event object; or give `uid`.' }),
    uid: EventUidSchema.optional(),
    lang: LangSchema.default('fr'),
  })
  .refine((r) => (r.href === undefined) !== (r.uid === undefined), { message: 'give exactly one of href and uid', path: ['href'] })
  .meta({ id: 'CalendarEventRef' });

export const SchedulingSchema = z
  .object({
    mode: z.enum(['server', 'client', 'none']).meta({
      description: '`server`: the CalDAV server sent the invitations (RFC 6638 auto-schedule); `client`: it cannot, mail `ics` to the attendees; `none`: no attendees.',
    }),
    invitationsSent: z.boolean(),
    ics: z.string().optional().meta({ description: 'With `client`: the METHOD:REQUEST file to send to the attendees.' }),
  })
  .meta({ id: 'Scheduling' });

export const CalendarEventResultSchema = z
  .object({
    href: z.string(),
    uid: z.string(),
    etag: z.string().nullable(),
    room: z
      .object({ code: z.string(), url: z.string(), telephony: TelephonySchema.optional() })
      .nullable()
      .meta({ description: 'The Visio room of the event (null after removal).' }),
    changed: z.boolean().meta({ description: 'False when the event already was as asked (idempotent repeat).' }),
    roomReleased: z.boolean().optional(),
    scheduling: SchedulingSchema,
  })
  .meta({ id: 'CalendarEventResult' });

export const UpcomingQuerySchema = z.strictObject({
  hours: z.coerce.number().int().min(1).max(168).default(24),
});

export const UpcomingMeetingSchema = z
  .object({
    uid: z.string(),
    recurrenceId: z.string().nullable(),
    title: z.string(),
    start: z.string(),
    end: z.string(),
    allDay: z.boolean(),
    joinUrl: z.string(),
    code: z.string(),
    href: z.string(),
    calendar: z.object({ url: z.string(), displayName: z.string(), color: z.string().nullable() }),
  })
  .meta({ id: 'UpcomingMeeting' });

export const UpcomingMeetingsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    items: z.array(UpcomingMeetingSchema),
    skipped: z.array(z.object({ href: z.string(), reason: z.string() })).meta({ description: 'Objects that could not be read (malformed on the server).' }),
  })
  .meta({ id: 'UpcomingMeetings' });

/** Request headers of the calendar routes: the agent's CalDAV credentials travel with each request. */
export { CALDAV_AUTH_HEADER, CALDAV_SERVER_HEADER } from './wire.js';

export type Calendar = z.output<typeof CalendarSchema>;
export type CalendarList = z.output<typeof CalendarListSchema>;
export type CreateCalendarEventRequest = z.input<typeof CreateCalendarEventRequestSchema>;
export type CalendarEventRef = z.input<typeof CalendarEventRefSchema>;
export type CalendarEventResult = z.output<typeof CalendarEventResultSchema>;
export type Scheduling = z.output<typeof SchedulingSchema>;
export type UpcomingMeeting = z.output<typeof UpcomingMeetingSchema>;
export type UpcomingMeetings = z.output<typeof UpcomingMeetingsSchema>;

export type CreateRoomRequest = z.input<typeof CreateRoomRequestSchema>;
export type Room = z.output<typeof RoomSchema>;
export type RoomPage = z.output<typeof RoomPageSchema>;
export type DeleteRoomResult = z.output<typeof DeleteRoomResultSchema>;
export type Invitation = z.output<typeof InvitationSchema>;
export type IcsRequest = z.input<typeof IcsRequestSchema>;
export type IcsRequestParsed = z.output<typeof IcsRequestSchema>;
export type Person = z.output<typeof PersonSchema>;
export type Attendee = z.output<typeof AttendeeSchema>;
export type GatewayConfig = z.output<typeof ConfigSchema>;
export type Health = z.output<typeof HealthSchema>;
export type Problem = z.output<typeof ProblemSchema>;

export { PROBLEM_CONTENT_TYPE } from './wire.js';
/** Problem type URIs: stable identifiers clients may switch on. */
export const PROBLEM_TYPES = {
  validation: `${PROBLEM_TYPE_PREFIX}validation`,
  malformedJson: `${PROBLEM_TYPE_PREFIX}malformed-json`,
  unsupportedMediaType: `${PROBLEM_TYPE_PREFIX}unsupported-media-type`,
  payloadTooLarge: `${PROBLEM_TYPE_PREFIX}payload-too-large`,
  notFound: `${PROBLEM_TYPE_PREFIX}not-found`,
  methodNotAllowed: `${PROBLEM_TYPE_PREFIX}method-not-allowed`,
  conflict: `${PROBLEM_TYPE_PREFIX}conflict`,
  idempotencyMismatch: `${PROBLEM_TYPE_PREFIX}idempotency-key-reused`,
  unauthorized: `${PROBLEM_TYPE_PREFIX}unauthorized`,
  invalidGrant: `${PROBLEM_TYPE_PREFIX}invalid-grant`,
  forbidden: `${PROBLEM_TYPE_PREFIX}forbidden`,
  rateLimited: `${PROBLEM_TYPE_PREFIX}rate-limited`,
  /** Visio (La Suite Meet) has no account for the agent yet. */
  providerAccountUnknown: `${PROBLEM_TYPE_PREFIX}provider-account-unknown`,
  /** Visio does not let this gateway act for the agent's organisation (domain not allowed). */
  providerRefused: `${PROBLEM_TYPE_PREFIX}provider-refused`,
  upstream: `${PROBLEM_TYPE_PREFIX}upstream`,
  upstreamTimeout: `${PROBLEM_TYPE_PREFIX}upstream-timeout`,
  caldavNotAllowed: `${PROBLEM_TYPE_PREFIX}caldav-server-not-allowed`,
  caldavUnauthorized: `${PROBLEM_TYPE_PREFIX}caldav-credentials-refused`,
  invalidCalendarObject: `${PROBLEM_TYPE_PREFIX}invalid-calendar-object`,
  calendarRefusesEvents: `${PROBLEM_TYPE_PREFIX}calendar-refuses-events`,
  unavailable: `${PROBLEM_TYPE_PREFIX}unavailable`,
  internal: `${PROBLEM_TYPE_PREFIX}internal`,
} as const;
