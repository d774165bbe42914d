import { randomUUID } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import type { RoomLink } from '@visio/shared';
import { buildMeetingIcs, IcsError, type MeetingInput } from '@visio/shared/ics';
import { IcsRequestSchema, type IcsRequestParsed } from '@visio/shared/contract';
import { readEventSchedule } from '@visio/shared/event-schedule';
import { newRouter, problemResponses } from '../openapi.js';
import { ProblemError } from '../problem.js';
import type { RoomService } from '../rooms.js';

// Used only to validate the request before any room is created: bad input must change nothing.
const PROBE_ROOM: RoomLink = { code: 'aaa-aaaa-aaa', url: 'https://visio.invalid/aaa-aaaa-aaa' };

function meeting(body: IcsRequestParsed, uid: string, room: RoomLink, instanceName: string): MeetingInput {
  const { room: _code, ...rest } = body;
  return { ...rest, uid, room, instanceName };
}

function build(input: MeetingInput): string {
  try {
    return buildMeetingIcs(input, { method: 'REQUEST' });
  } catch (error) {
    if (error instanceof IcsError) throw new ProblemError(400, 'validation', 'Invalid request', error.message, { errors: [{ path: 'body', message: error.message }] });
    throw error;
  }
}

export function icsRoutes(rooms: RoomService, instanceName: string) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/ics',
      summary: 'An invitation file (METHOD:REQUEST) for a meeting with a Visio room',
      description: 'Creates a room bound to the new event unless `room` names one of yours.',
      request: { body: { content: { 'application/json': { schema: IcsRequestSchema } }, required: true } },
      responses: {
        200: { description: 'The .ics file', content: { 'text/calendar': { schema: { type: 'string' } } } },
        ...problemResponses(400, 401, 403, 404, 413, 415, 429, 502, 503, 504),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const uid = `${randomUUID()}@visio`;
      // The file is the saved event: its room is attached with the meeting's time (not a draft).
      const { schedule } = readEventSchedule(build(meeting(body, uid, PROBE_ROOM, instanceName)));
      const user = c.get('user');
      const room = body.room ? await rooms.get(user, body.room) : (await rooms.create(user, { title: body.title, eventUid: uid, schedule }, { client: c.get('client') })).room;
      const ics = build(meeting(body, uid, room, instanceName));
      return c.body(ics, 200, {
        'content-type': 'text/calendar; charset=utf-8; method=REQUEST',
        'content-disposition': `attachment; filename="visio-${room.code}.ics"`,
      });
    },
  );
  return app;
}
