/** GET /v1/me (who is signed in) and GET /v1/audit (the caller's own trail of room creations and deletions). */
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { AuditPageSchema, AuditQuerySchema, MeSchema } from '@visio/shared/contract';
import { newRouter, problemResponses } from '../openapi.js';
import { validationProblem } from '../problem.js';
import type { RoomService } from '../rooms.js';

export function auditRoutes(rooms: RoomService) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me',
      summary: 'Who this token belongs to',
      responses: { 200: { description: 'The signed-in agent (or service key, or local user)', content: { 'application/json': { schema: MeSchema } } }, ...problemResponses(401) },
    }),
    (c) => {
      const user = c.get('user');
      const kind = user.sub.startsWith('local:') ? 'local' : user.sub.startsWith('service:') ? 'service' : 'agent';
      return c.json({ sub: user.sub, email: user.email, ...(user.name ? { name: user.name } : {}), kind } as const, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit',
      summary: 'Your room creations and deletions (who, when, which client, which room), newest first',
      request: { query: AuditQuerySchema },
      responses: { 200: { description: 'One page of the audit trail', content: { 'application/json': { schema: AuditPageSchema } } }, ...problemResponses(400, 401, 403) },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const entries = await rooms.audit(c.get('user'), limit + 1, cursor ? decodeCursor(cursor) : undefined);
      const page = entries.slice(0, limit);
      const last = page.at(-1);
      return c.json(
        {
          items: page.map((e) => ({ action: e.action, room: e.roomCode, client: e.client, at: e.at })),
          nextCursor: entries.length > limit && last ? Buffer.from(JSON.stringify([last.at, last.roomCode, last.action])).toString('base64url') : null,
        },
        200,
      );
    },
  );
  return app;
}

const CursorSchema = z.tuple([z.iso.datetime(), z.string().max(64), z.enum(['room.create', 'room.delete'])]);

function decodeCursor(cursor: string) {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const parsed = CursorSchema.safeParse(value);
  if (!parsed.success) throw validationProblem(new z.ZodError([{ code: 'custom', path: ['cursor'], message: 'not a cursor from a previous page', input: cursor }]), 'query');
  const [at, roomCode, action] = parsed.data;
  return { at, roomCode, action };
}
