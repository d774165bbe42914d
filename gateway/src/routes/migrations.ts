/** Switch a whole calendar to Visio: plan, apply (resumable), progress, CSV report. */
import { createRoute, z } from '@hono/zod-openapi';
import { MigrationApplySchema, MigrationRequestSchema, MigrationSchema } from '@visio/shared/contract';
import { CALDAV_AUTH_HEADER, CALDAV_SERVER_HEADER } from '@visio/shared/wire';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { CalendarService } from '../calendars.js';
import type { MigrationService } from '../migrations.js';
import { newRouter, problemResponses } from '../openapi.js';
import { CALDAV_PROBLEMS, CaldavHeaders, json } from './calendars.js';

const IdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/)
    .meta({ param: { name: 'id', in: 'path' } }),
});

export function migrationRoutes(calendars: CalendarService, migrations: MigrationService) {
  const app = newRouter();
  const session = (c: Context<AppEnv>) => calendars.session(c.req.header(CALDAV_SERVER_HEADER), c.req.header(CALDAV_AUTH_HEADER));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/calendars/migrations',
      summary: 'Plan a switch to Visio: the events of a time range that hold a Teams, Zoom, Webex, Google Meet… meeting',
      description: 'Each event says whether you organise it (`action: convert`) or someone else does (`askOrganizer`: never edited). Series count once. Nothing is changed until `apply`.',
      request: { headers: CaldavHeaders, body: { content: { 'application/json': { schema: MigrationRequestSchema } }, required: true } },
      responses: { 201: json(MigrationSchema, 'The plan'), ...problemResponses(...CALDAV_PROBLEMS) },
    }),
    async (c) => {
      const plan = await migrations.plan(c.get('user'), session(c), c.req.valid('json'));
      c.header('location', `/v1/calendars/migrations/${plan.id}`);
      return c.json(plan, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/calendars/migrations/{id}/apply',
      summary: 'Convert the events you organise (all, or the `items` chosen); resumable and idempotent',
      description:
        'Answers at once; follow with `GET /v1/calendars/migrations/{id}`. Each event is converted once (SEQUENCE raised, so RFC 6638 servers send the update to attendees); applying again after an interruption resumes, and changes nothing once done.',
      request: { headers: CaldavHeaders, params: IdParam, body: { content: { 'application/json': { schema: MigrationApplySchema } }, required: true } },
      responses: { 202: json(MigrationSchema, 'Progress'), ...problemResponses(...CALDAV_PROBLEMS) },
    }),
    async (c) => {
      session(c); // bad or missing credentials are refused now, not in the background run
      const server = c.req.header(CALDAV_SERVER_HEADER);
      const authorization = c.req.header(CALDAV_AUTH_HEADER);
      return c.json(await migrations.apply(c.get('user'), () => calendars.session(server, authorization), c.req.valid('param').id, c.req.valid('json')), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/calendars/migrations/{id}',
      summary: 'Progress and report of a switch to Visio (counts by provider, result per event)',
      request: { params: IdParam },
      responses: { 200: json(MigrationSchema, 'The migration'), ...problemResponses(401, 404) },
    }),
    async (c) => c.json(await migrations.get(c.get('user'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/calendars/migrations/{id}/report.csv',
      summary: 'The per-event report as CSV',
      request: { params: IdParam },
      responses: { 200: { description: 'CSV, one line per event', content: { 'text/csv': { schema: { type: 'string' } } } }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      return c.body(await migrations.csv(c.get('user'), id), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="visio-migration-${id}.csv"`,
      });
    },
  );

  return app;
}
