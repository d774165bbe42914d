/**
 * The gateway's API contract: one zod schema per request, response and error. The gateway validates
 * with these and generates /openapi.json from them; clients import only the inferred types.
 */
import { z } from 'zod';
import { isCalendarDay, isIntlTimeZone } from './calendar-day.js';
import { FOREIGN_PROVIDERS, type ForeignProvider } from './foreign-meetings.js';
import { isRoomCode, normalizeRoomCode } from './room-code.js';
import { ACCESS_LEVELS, LANGS, PROVIDERS, type AccessLevel, type Lang, type ProviderName, type Telephony } from './types.js';
import { CLIENT_ID_PATTERN, PROBLEM_TYPE_PREFIX } from './wire.js';

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
    phoneNumber: z
      .string()
      .regex(/^\+[1-9]\d{4,14}$/)
      .meta({ example: '+33187210000' }),
    pin: z
      .string()
      .regex(/^\d{4,20}$/)
      .meta({ example: '1234567890' }),
    country: z.string().length(2).optional(),
  })
  .meta({ id: 'Telephony', description: 'Dial-in: number in E.164 form and the room PIN (digits).' }) satisfies z.ZodType<Telephony>;

export const EventUidSchema = z.string().min(1).max(255).regex(NO_CONTROL, 'must not contain control characters');

/** Local wall time in `timeZone` ("2026-12-01T10:00:00") or an absolute time with Z/offset. */
// A wall time in the event's time zone (no offset), or a UTC / offset time. JSON Schema's `date-time` format
// requires the offset, so the document gives the pattern rather than a format generated clients would enforce.
const DATE_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?$/;
const DateTimeSchema = z
  .string()
  .regex(DATE_TIME, 'not a date-time (YYYY-MM-DDTHH:MM[:SS], optionally Z or an offset)')
  .refine(isCalendarDate, 'not a real calendar date')
  .meta({ example: '2026-12-01T10:00:00', description: 'Wall time in timeZone (YYYY-MM-DDTHH:MM[:SS]), or a UTC (Z) or offset time.' });
const TimeZoneSchema = z.string().max(64).refine(isIntlTimeZone, 'unknown time zone').meta({ example: 'Europe/Paris' });
const endAfterStart = { message: 'end must be after start', path: ['end'] };

/**
 * When a room's meeting takes place. `start`/`end` are the (first) occurrence; `recurrenceEnd` absent
 * means a single event, a date-time the series' UNTIL (its last occurrence starts by then), null a series without end.
 */
export const RoomScheduleSchema = z
  .strictObject({
    start: DateTimeSchema,
    end: DateTimeSchema,
    timeZone: TimeZoneSchema,
    recurrenceEnd: DateTimeSchema.nullable().optional().meta({ description: "Absent: one event; a date-time: the series' UNTIL; null: a series without end." }),
  })
  .refine((r) => wallTime(r.end) > wallTime(r.start), endAfterStart)
  .refine((r) => typeof r.recurrenceEnd !== 'string' || wallTime(r.recurrenceEnd) >= wallTime(r.start), { message: 'recurrenceEnd must not be before start', path: ['recurrenceEnd'] })
  .meta({ id: 'RoomSchedule' });

export const CreateRoomRequestSchema = z
  .strictObject({
    title: line(255).optional(),
    accessLevel: AccessLevelSchema.optional(),
    eventUid: EventUidSchema.optional().meta({ description: 'UID of the calendar event the room is for; one room per event and owner.' }),
    schedule: RoomScheduleSchema.optional().meta({ description: 'When the meeting takes place; a room given one is attached to a saved event.' }),
  })
  .meta({ id: 'CreateRoomRequest' });

export const ROOM_STATES = ['open', 'ended'] as const;
export const RELEASE_REASONS = ['deleted', 'cancelled', 'retention', 'draft-expired'] as const;

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
    schedule: RoomScheduleSchema.optional(),
    state: z.enum(ROOM_STATES).meta({ description: '`ended`: released (event deleted or cancelled, retention); its link no longer opens a meeting.' }),
    releasedAt: z.iso.datetime().optional().meta({ description: 'When the room was ended (with `state: ended`).' }),
    releaseReason: z.enum(RELEASE_REASONS).optional(),
  })
  .meta({ id: 'Room' });

/** `GET /v1/rooms/{code}/state`: whether a room's link still opens a meeting (any signed-in agent). */
export const RoomStateSchema = z.object({ code: z.string(), state: z.enum(ROOM_STATES), releasedAt: z.iso.datetime().optional(), timeZone: z.string().optional() }).meta({ id: 'RoomState' });

export const RoomPageSchema = z
  .object({
    items: z.array(RoomSchema),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` to get the next page; null on the last page.' }),
  })
  .meta({ id: 'RoomPage' });

export const ListRoomsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  state: z
    .enum([...ROOM_STATES, 'all'])
    .default('open')
    .meta({ description: 'Open rooms (default), ended ones, or all.' }),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
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

export const InvitationSchema = z.object({ subject: z.string(), html: z.string(), text: z.string() }).meta({ id: 'Invitation' });

export const PersonSchema = z.strictObject({
  email: z.email().max(254),
  name: line(200).optional(),
});

export const AttendeeSchema = PersonSchema.extend({
  role: z.enum(['REQ-PARTICIPANT', 'OPT-PARTICIPANT', 'CHAIR', 'NON-PARTICIPANT']).optional(),
  rsvp: z.boolean().optional(),
});

// The format check lets 2026-02-30 through.
function isCalendarDate(value: string): boolean {
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  return isCalendarDay(y, m, d);
}

/** The meeting fields shared by `.ics` files and calendar events. */
const meetingFields = {
  title: line(255),
  start: DateTimeSchema,
  end: DateTimeSchema,
  timeZone: TimeZoneSchema,
  description: z.string().max(8000).optional(),
  location: line(500).optional(),
  organizer: PersonSchema.optional(),
  attendees: z.array(AttendeeSchema).max(500).optional(),
  rrule: z
    .string()
    .max(500)
    .regex(/^[A-Za-z0-9=;,:+-]+$/, 'not an RRULE value (e.g. FREQ=WEEKLY;BYDAY=MO)')
    .optional(),
  lang: LangSchema.default('fr'),
};

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

export const ClientIdSchema = z.string().regex(CLIENT_ID_PATTERN, 'a registered client id');
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
export const CodeVerifierSchema = z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/, 'a PKCE code_verifier (43-128 unreserved characters)');
const OpaqueSchema = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII');

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
export const MeSchema = z.object({ sub: z.string(), email: z.string(), name: z.string().optional(), kind: z.enum(['local', 'agent', 'service']) }).meta({ id: 'Me' });

export const AuditEntrySchema = z
  .object({
    action: z.enum(['room.create', 'room.delete', 'room.end']),
    room: z.string(),
    client: z.string(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'AuditEntry' });

export const AuditPageSchema = z.object({ items: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }).meta({ id: 'AuditPage' });

export const AuditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .max(300)
    .regex(/^[A-Za-z0-9_-]+$/, 'a cursor from a previous page')
    .optional(),
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

export const CalendarListSchema = z.object({ server: z.string(), calendars: z.array(CalendarSchema) }).meta({ id: 'CalendarList' });

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
      description: '`server`: the CalDAV server schedules (RFC 6638 `calendar-auto-schedule`); `client`: it does not, invitations are mailed by the agent; `none`: no attendees.',
    }),
    invitationsSent: z.boolean().meta({
      description:
        'True only when the agent is the ORGANIZER (one of the calendar user addresses of their principal) and the server confirmed, with SCHEDULE-STATUS on every attendee after the write, that it sent or delivered the invitation.',
    }),
    action: z.enum(['none', 'send-invitation', 'ask-organizer', 'unconfirmed']).meta({
      description:
        'What the agent must do. `none`: nothing (invitations confirmed, or no attendees). `send-invitation`: mail `ics` (METHOD:REQUEST) to `recipients`. `ask-organizer`: the agent is not the organizer, so nobody was told; only `organizer` can send the update. `unconfirmed`: the server schedules but did not confirm delivery; `ics` can be mailed to be sure.',
    }),
    message: z.string().meta({ description: "The same, as a sentence for the agent (in the request's language)." }),
    organizer: z.string().nullable().meta({ description: 'The ORGANIZER address of the event (without `mailto:`), or null.' }),
    recipients: z.array(z.string()).meta({ description: 'Attendees the agent still has to send `ics` to (empty when none).' }),
    attendees: z
      .array(z.object({ email: z.string(), status: z.string().nullable() }))
      .meta({ description: 'Each attendee with the SCHEDULE-STATUS the server set after the write (RFC 6638: 1.x sent or delivered, 3.x/5.x failed), null when it set none.' }),
    ics: z.string().optional().meta({ description: 'With `send-invitation` or `unconfirmed`: the METHOD:REQUEST file to send.' }),
  })
  .meta({ id: 'Scheduling' });

export const CalendarEventResultSchema = z
  .object({
    href: z.string(),
    uid: z.string(),
    etag: z.string().nullable(),
    room: z.object({ code: z.string(), url: z.string(), telephony: TelephonySchema.optional() }).nullable().meta({ description: 'The Visio room of the event (null after removal).' }),
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
    skipped: z
      .array(
        z.object({
          href: z.string(),
          kind: z
            .enum(['invalid', 'overBudget', 'tooLarge'])
            .meta({ description: '`invalid`: malformed on the server; `overBudget`: needs more recurrence work than a request may spend; `tooLarge`: over CALDAV_MAX_OBJECT_BYTES.' }),
          reason: z.string(),
        }),
      )
      .meta({ description: 'Objects left out of `items`, each with why: never silently dropped.' }),
  })
  .meta({ id: 'UpcomingMeetings' });

// --- Switch to Visio: one event, or a whole calendar (migrations) ---

export const ForeignProviderSchema = z.enum(FOREIGN_PROVIDERS) satisfies z.ZodType<ForeignProvider>;

export const SwitchEventResultSchema = CalendarEventResultSchema.extend({
  providers: z.array(ForeignProviderSchema).meta({ description: 'The services whose meeting was taken out of the event (empty on a repeat).' }),
  notices: z.array(z.string()).meta({ description: 'What the agent must know, in the request language: who gets the update, and that the old meeting still exists on its service.' }),
}).meta({ id: 'SwitchEventResult' });

export const MigrationRequestSchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Start of the range (default: now).' }),
    to: z.iso.datetime({ offset: true }).optional().meta({ description: 'End of the range (default: one year after `from`; at most two years).' }),
    calendars: z.array(DavHrefSchema).max(50).optional().meta({ description: 'Calendars to scan (default: every calendar that accepts events).' }),
    lang: LangSchema.default('fr'),
  })
  .meta({ id: 'MigrationRequest' });

export const MigrationItemSchema = z
  .object({
    id: z.string().meta({ description: 'Stable id of the event in this migration (pass it to `apply`).' }),
    href: z.string(),
    calendar: z.string(),
    uid: z.string(),
    title: z.string(),
    next: z.string().nullable().meta({ description: 'Next occurrence in the range (UTC).' }),
    recurring: z.boolean(),
    providers: z.array(ForeignProviderSchema),
    organizer: z.boolean().meta({ description: 'Whether the agent organises the event: only those are converted.' }),
    action: z.enum(['convert', 'askOrganizer']).meta({ description: '`askOrganizer`: someone else organises it; ask them to switch it.' }),
    result: z.enum(['pending', 'converted', 'unchanged', 'failed', 'skipped', 'askOrganizer']),
    room: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'MigrationItem' });

export const MigrationSchema = z
  .object({
    id: z.string(),
    status: z.enum(['planned', 'running', 'interrupted', 'done']).meta({
      description: '`interrupted`: applied, events left to convert, no run going on (the gateway restarted): apply again to resume.',
    }),
    from: z.string(),
    to: z.string(),
    createdAt: z.string(),
    total: z.number().int(),
    processed: z.number().int().meta({ description: 'Events to convert already handled (converted, unchanged or failed).' }),
    toConvert: z.number().int(),
    counts: z.record(z.string(), z.object({ found: z.number().int(), converted: z.number().int(), askOrganizer: z.number().int(), failed: z.number().int() })).meta({
      description: 'Per provider.',
    }),
    scheduling: z.enum(['server', 'client', 'unknown']).meta({ description: '`server`: the CalDAV server sends the updates to attendees (RFC 6638); `client`: tell attendees yourself.' }),
    items: z.array(MigrationItemSchema),
  })
  .meta({ id: 'Migration' });

export const MigrationApplySchema = z
  .strictObject({
    items: z.array(z.string().max(128)).max(5000).optional().meta({ description: 'Ids of the events to convert (default: every event you organise).' }),
    lang: LangSchema.default('fr'),
  })
  .meta({ id: 'MigrationApply' });

export type SwitchEventResult = z.output<typeof SwitchEventResultSchema>;
export type MigrationRequest = z.input<typeof MigrationRequestSchema>;
export type MigrationItem = z.output<typeof MigrationItemSchema>;
export type Migration = z.output<typeof MigrationSchema>;
export type MigrationApply = z.input<typeof MigrationApplySchema>;

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
export type RoomSchedule = z.output<typeof RoomScheduleSchema>;
export type ReleaseReason = (typeof RELEASE_REASONS)[number];
export type Room = z.output<typeof RoomSchema>;
export type RoomPage = z.output<typeof RoomPageSchema>;
export type RoomState = z.output<typeof RoomStateSchema>;
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
  roomEnded: `${PROBLEM_TYPE_PREFIX}room-ended`,
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
  /** An upstream answer over the gateway's size cap (CALDAV_MAX_OBJECT_BYTES, CALDAV_MAX_MULTISTATUS_BYTES). */
  upstreamTooLarge: `${PROBLEM_TYPE_PREFIX}upstream-too-large`,
  caldavNotAllowed: `${PROBLEM_TYPE_PREFIX}caldav-server-not-allowed`,
  caldavUnauthorized: `${PROBLEM_TYPE_PREFIX}caldav-credentials-refused`,
  invalidCalendarObject: `${PROBLEM_TYPE_PREFIX}invalid-calendar-object`,
  calendarRefusesEvents: `${PROBLEM_TYPE_PREFIX}calendar-refuses-events`,
  /** Switch to Visio: the event holds no foreign meeting (and no Visio room). */
  noForeignMeeting: `${PROBLEM_TYPE_PREFIX}no-foreign-meeting`,
  unavailable: `${PROBLEM_TYPE_PREFIX}unavailable`,
  internal: `${PROBLEM_TYPE_PREFIX}internal`,
} as const;
