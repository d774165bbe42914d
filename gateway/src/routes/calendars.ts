/** CalDAV calendar routes: the agent's CalDAV credentials come in X-CalDAV-Authorization, per request. */
import { createRoute, z } from '@hono/zod-openapi';
import { CalendarEventRefSchema, CalendarEventResultSchema, CalendarListSchema, CreateCalendarEventRequestSchema, UpcomingMeetingsSchema, UpcomingQuerySchema } from '@visio/shared/contract';
import { CALDAV_AUTH_HEADER, CALDAV_SERVER_HEADER } from '@visio/shared/wire';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { CalendarService } from '../calendars.js';
import { newRouter, problemResponses } from '../openapi.js';

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export const CaldavHeaders = z.object({
  [CALDAV_AUTH_HEADER]: z.string().optional().meta({
    description: 'Your CalDAV credentials, as an HTTP Authorization value: `Basic <base64 of user:app-password>` or `Bearer <token>`. Sent to the CalDAV server only; never stored or logged.',
  }),
  [CALDAV_SERVER_HEADER]: z.string().optional().meta({ description: 'One of the allowed CalDAV servers (CALDAV_SERVERS); optional when only one is allowed.' }),
});

export const CALDAV_PROBLEMS = [400, 401, 403, 404, 413, 415, 422, 429, 502, 503, 504] as const;

export function calendarRoutes(calendars: CalendarService) {
  const app = newRouter();
  const session = (c: Context<AppEnv>) => calendars.session(c.req.header(CALDAV_SERVER_HEADER), c.req.header(CALDAV_AUTH_HEADER));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/calendars',
      summary: "The agent's calendars (discovered from the server: well-known URL, principal, calendar home)",
      request: { headers: CaldavHeaders },
      responses: { 200: json(CalendarListSchema, 'Calendars'), ...problemResponses(...CALDAV_PROBLEMS) },
    }),
    async (c) => c.json(await calendars.listCalendars(session(c)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/calendars/events',
      summary: 'Create an event with a Visio room in one of your calendars',
      description:
        '`scheduling` says whether the invitations went out (the agent is the organizer and the server confirmed each attendee with SCHEDULE-STATUS) and otherwise what the agent must do (`action`, `message`, `scheduling.ics`).',
      request: { headers: CaldavHeaders, body: { content: { 'application/json': { schema: CreateCalendarEventRequestSchema } }, required: true } },
      responses: { 201: json(CalendarEventResultSchema, 'Event created'), ...problemResponses(...CALDAV_PROBLEMS) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const s = session(c);
      const result = await calendars.createEvent(c.get('user'), s, body);
      c.header('location', result.href);
      return c.json(result, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/calendars/events/visio',
      summary: 'Add a Visio room to an existing event (idempotent)',
      description: 'An event that already has a Visio link keeps it (`changed: false`). A recurring series and its overrides share one room.',
      request: { headers: CaldavHeaders, body: { content: { 'application/json': { schema: CalendarEventRefSchema } }, required: true } },
      responses: { 200: json(CalendarEventResultSchema, 'The event with its room'), ...problemResponses(409, ...CALDAV_PROBLEMS) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await calendars.addVisio(c.get('user'), session(c), body), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/calendars/events/visio',
      summary: 'Remove the Visio room from an event and release it',
      request: { headers: CaldavHeaders, body: { content: { 'application/json': { schema: CalendarEventRefSchema } }, required: true } },
      responses: { 200: json(CalendarEventResultSchema, 'The event without room'), ...problemResponses(409, ...CALDAV_PROBLEMS) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await calendars.removeVisio(c.get('user'), session(c), body), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/meetings/upcoming',
      summary: 'Your meetings of the next hours that carry a Visio link (all calendars, recurrences expanded)',
      request: { headers: CaldavHeaders, query: UpcomingQuerySchema },
      responses: { 200: json(UpcomingMeetingsSchema, 'Upcoming meetings, soonest first'), ...problemResponses(...CALDAV_PROBLEMS) },
    }),
    async (c) => c.json(await calendars.upcoming(session(c), c.req.valid('query').hours), 200),
  );

  return app;
}
