import { randomUUID } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { RoomLink } from '@visio/shared';
import { buildMeetingIcs, fileMethod, IcsError, type MeetingInput, type MeetingPerson } from '@visio/shared/ics';
import { IcsRequestSchema, type IcsRequestParsed } from '@visio/shared/contract';
import type { AppEnv } from '../app-env.js';
import { readEventSchedule } from '@visio/shared/event-schedule';
import { newRouter, problemResponses } from '../openapi.js';
import { ProblemError } from '../problem.js';
import type { User } from '../identity.js';
import type { RoomService } from '../rooms.js';

// Used only to validate the request before any room is created: bad input must change nothing.
const PROBE_ROOM: RoomLink = { code: 'aaa-aaaa-aaa', url: 'https://visio.invalid/aaa-aaaa-aaa' };

function meeting(body: IcsRequestParsed, uid: string, room: RoomLink, instanceName: string, organizer: MeetingPerson | undefined): MeetingInput {
  const { room: _code, organizer: _given, ...rest } = body;
  return { ...rest, ...(organizer ? { organizer } : {}), uid, room, instanceName };
}

/**
 * Who sends the invitation: the organizer named in the request, else the signed-in agent when there are
 * attendees to invite (a service key is no person, so it organizes nothing).
 */
function organizerOf(body: IcsRequestParsed, user: User): MeetingPerson | undefined {
  if (body.organizer) return body.organizer;
  if (!body.attendees?.length || user.sub.startsWith('service:')) return undefined;
  return { email: user.email, ...(user.name ? { name: user.name } : {}) };
}

function build(input: MeetingInput): string {
  try {
    return buildMeetingIcs(input, { method: fileMethod(input) });
  } catch (error) {
    if (error instanceof IcsError) throw new ProblemError(400, 'validation', 'Invalid request', error.message, { errors: [{ path: 'body', message: error.message }] });
    throw error;
  }
}

/** `limit`: the rate limit on room creation, when one applies. */
export function icsRoutes(rooms: RoomService, instanceName: string, limit?: MiddlewareHandler<AppEnv>) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/ics',
      summary: 'An .ics file for a meeting with a Visio room',
      description:
        'Creates a room bound to the new event unless `room` names one of yours. With attendees the file is an invitation (`METHOD:REQUEST`) from `organizer`, or from the signed-in agent when none is given; without attendees it is a file to import (`METHOD:PUBLISH`, RFC 5546).',
      ...(limit ? { middleware: [limit] as const } : {}),
      request: { body: { content: { 'application/json': { schema: IcsRequestSchema } }, required: true } },
      responses: {
        200: { description: 'The .ics file', content: { 'text/calendar': { schema: { type: 'string' } } } },
        ...problemResponses(400, 401, 403, 404, 413, 415, 429, 502, 503, 504),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const uid = `${randomUUID()}@visio`;
      const user = c.get('user');
      const organizer = organizerOf(body, user);
      // The file is the saved event: its room is attached with the meeting's time (not a draft).
      const { schedule } = readEventSchedule(build(meeting(body, uid, PROBE_ROOM, instanceName, organizer)));
      const room = body.room ? await rooms.get(user, body.room) : (await rooms.create(user, { title: body.title, eventUid: uid, schedule }, { client: c.get('client') })).room;
      const input = meeting(body, uid, room, instanceName, organizer);
      const ics = build(input);
      return c.body(ics, 200, {
        'content-type': `text/calendar; charset=utf-8; method=${fileMethod(input)}`,
        'content-disposition': `attachment; filename="visio-${room.code}.ics"`,
      });
    },
  );
  return app;
}
