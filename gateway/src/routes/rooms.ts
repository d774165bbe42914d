import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { renderInvitation } from '@visio/shared/invitation';
import { IDEMPOTENCY_HEADER } from '@visio/shared/wire';
import {
  CreateRoomRequestSchema,
  DeleteRoomResultSchema,
  InvitationQuerySchema,
  InvitationSchema,
  ListRoomsQuerySchema,
  RoomCodeSchema,
  RoomPageSchema,
  RoomScheduleSchema,
  RoomSchema,
} from '@visio/shared/contract';
import type { AppEnv } from '../app-env.js';
import { setResponseHeader } from '../middleware/node-response.js';
import { newRouter, problemResponses } from '../openapi.js';
import { toApiRoom, type RoomService } from '../rooms.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const CodeParams = z.object({ code: RoomCodeSchema.meta({ param: { name: 'code', in: 'path' } }) });
const IdempotencyHeaders = z.object({
  [IDEMPOTENCY_HEADER]: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional()
    .meta({ description: 'A repeat with the same key returns the same room (200).' }),
});

/** `limit`: the rate limit on room creation, when one applies. */
export function roomRoutes(rooms: RoomService, instanceName: string, limit?: MiddlewareHandler<AppEnv>) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/rooms',
      summary: 'Create a Visio room',
      ...(limit ? { middleware: [limit] as const } : {}),
      request: { headers: IdempotencyHeaders, body: { content: { 'application/json': { schema: CreateRoomRequestSchema } }, required: false } },
      responses: {
        201: json(RoomSchema, 'Room created'),
        200: json(RoomSchema, 'The room already created for this Idempotency-Key or event UID'),
        ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 502, 503, 504),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { room, created } = await rooms.create(c.get('user'), { ...body, idempotencyKey: c.req.valid('header')[IDEMPOTENCY_HEADER] }, { client: c.get('client') });
      setResponseHeader(c, 'location', `/v1/rooms/${room.code}`);
      return created ? c.json(room, 201) : c.json(room, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rooms',
      summary: "The caller's rooms, newest first (open ones unless `state` says otherwise), with their schedule and state",
      request: { query: ListRoomsQuerySchema },
      responses: { 200: json(RoomPageSchema, 'One page of rooms'), ...problemResponses(400, 401) },
    }),
    async (c) => {
      const { limit, cursor, state } = c.req.valid('query');
      return c.json(await rooms.list(c.get('user'), limit, cursor, state), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rooms/{code}',
      summary: 'One of your rooms',
      request: { params: CodeParams },
      responses: { 200: json(RoomSchema, 'The room'), ...problemResponses(400, 401, 404) },
    }),
    async (c) => c.json(toApiRoom(await rooms.getFresh(c.get('user'), c.req.valid('param').code)), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/rooms/{code}',
      summary: 'End one of your rooms: deleted at the provider where it can, always ended here (idempotent)',
      request: { params: CodeParams },
      responses: {
        200: json(DeleteRoomResultSchema, 'Ended (and deleted at the provider, or forgotten when it cannot delete; a failed deletion is retried)'),
        ...problemResponses(400, 401, 404, 503),
      },
    }),
    async (c) => {
      const { room, providerDeleted, detail } = await rooms.remove(c.get('user'), c.req.valid('param').code, { client: c.get('client') });
      return c.json({ code: room.code, deleted: true as const, providerDeleted, ...(detail ? { detail } : {}) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/rooms/{code}/schedule',
      summary: "Set when one of your rooms' meeting takes place (idempotent); the room is then attached to a saved event",
      request: { params: CodeParams, body: { content: { 'application/json': { schema: RoomScheduleSchema } }, required: true } },
      responses: { 200: json(RoomSchema, 'The room with its schedule'), ...problemResponses(400, 401, 404, 409, 413, 415) },
    }),
    async (c) => c.json(toApiRoom(await rooms.schedule(c.get('user'), c.req.valid('param').code, c.req.valid('json'))), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rooms/{code}/invitation',
      summary: 'Invitation text for one of your rooms (HTML and plain text)',
      request: { params: CodeParams, query: InvitationQuerySchema },
      responses: { 200: json(InvitationSchema, 'Subject, HTML block and text block'), ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      const room = await rooms.get(c.get('user'), c.req.valid('param').code);
      const { lang } = c.req.valid('query');
      return c.json(renderInvitation({ room, lang, instanceName, ...(room.title ? { title: room.title } : {}) }), 200);
    },
  );

  return app;
}
