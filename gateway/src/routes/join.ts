import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, RoomCodeSchema, RoomStateSchema } from '@visio/shared/contract';
import { roomEndedText } from '@visio/shared/room-state';
import { messagePage } from '../auth/pages.js';
import type { User } from '../identity.js';
import type { Logger } from '../logger.js';
import { documentRoute, newRouter, problemResponses } from '../openapi.js';
import { notFound, ProblemError } from '../problem.js';
import { WebhookRefusedError, type RoomService, type StoredRoom } from '../rooms.js';
import { pickLang } from './page.js';

const CodeParams = z.object({ code: RoomCodeSchema.meta({ param: { name: 'code', in: 'path' } }) });

/**
 * `GET /j/{code}`: the invitation link of providers that need a per-person token (LiveKit). Any signed-in
 * agent may join (invitees are not the owner). The Location carries the token: it never reaches a log, and
 * the answer is not cached. A browser that is not signed in (no bearer, no join session) is sent through
 * the identity provider by `signIn` and comes back here.
 */
export function joinRoutes(rooms: RoomService, signIn?: (c: Context, code: string) => Promise<Response>) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/j/{code}',
      summary: 'Join a room: redirects to the video front end with a personal, short-lived join token',
      request: { params: CodeParams },
      responses: {
        302: { description: 'To the front end, token in the query; or, for a browser not signed in (OIDC mode), to the identity provider, then back here' },
        410: { description: 'The room was ended: a page (fr/en by Accept-Language) saying the meeting has ended and when; problem+json to API callers' },
        ...problemResponses(400, 401, 404, 502, 503, 504),
      },
    }),
    async (c) => {
      if (!rooms.hasJoinLinks) throw notFound('This gateway hands out Visio links directly; open the room link from the invitation.');
      const { code } = c.req.valid('param');
      const user = c.get('user') as User | undefined;
      if (!user) {
        if (!signIn) throw new ProblemError(401, 'unauthorized', 'Sign-in required', 'Open this link in a browser to sign in.');
        return signIn(c, code) as never;
      }
      const room = await rooms.find(code);
      if (!room) throw notFound('No room with this code: check the link in the invitation.');
      if (room.releasedAt) return endedAnswer(c, room) as never;
      const location = await rooms.joinUrl(user, code);
      return c.body(null, 302, { location, 'cache-control': 'no-store' }) as never;
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rooms/{code}/state',
      summary: "Whether a room's link still opens a meeting (any signed-in agent: invitees are not the owner)",
      request: { params: CodeParams },
      responses: { 200: { description: 'Open or ended', content: { 'application/json': { schema: RoomStateSchema } } }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      const room = await rooms.find(c.req.valid('param').code);
      if (!room) throw notFound('No room with this code: check the link in the invitation.');
      const state = room.releasedAt
        ? { code: room.code, state: 'ended' as const, releasedAt: room.releasedAt, ...(room.schedule ? { timeZone: room.schedule.timeZone } : {}) }
        : { code: room.code, state: 'open' as const };
      return c.json(state, 200);
    },
  );
  return app;
}

/** An ended room's link: a page for browsers, problem+json for API callers; never a redirect to an empty room. */
function endedAnswer(c: Context, room: StoredRoom): Response {
  const lang = pickLang(c.req.query('lang'), c.req.header('accept-language'));
  const text = roomEndedText(lang, room.releasedAt!, room.schedule?.timeZone);
  const headers = { vary: 'accept, accept-language', 'cache-control': 'no-store' };
  if ((c.req.header('accept') ?? '').includes('text/html')) {
    const next = lang === 'fr' ? 'Vous pouvez fermer cette fenêtre.' : 'You can close this window.';
    return messagePage(c, lang, { title: 'Visio', heading: text.heading, detail: text.detail, next }, 410, headers);
  }
  const problem = { type: PROBLEM_TYPES.roomEnded, title: 'Meeting ended', status: 410, detail: text.detail, endedAt: room.releasedAt };
  return new Response(JSON.stringify(problem), { status: 410, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers } });
}

/** `POST /webhooks/livekit`: signed events from the LiveKit server (checked on the raw body). */
export function webhookRoutes(rooms: RoomService, log: Logger) {
  const app = newRouter();
  documentRoute(app, {
    method: 'post',
    path: '/webhooks/livekit',
    summary: 'LiveKit server events (room started, room finished), signed with the gateway’s LiveKit key (Authorization: the JWT LiveKit sends)',
    request: { body: { content: { 'application/webhook+json': { schema: z.looseObject({ event: z.string() }) } } } },
    responses: { 200: { description: 'Received', content: { 'application/json': { schema: z.object({ received: z.literal(true) }) } } }, ...problemResponses(401, 404) },
  });
  app.post('/webhooks/livekit', async (c) => {
    if (!rooms.hasWebhooks) throw notFound('LiveKit webhooks are not enabled on this gateway.');
    try {
      await rooms.receiveWebhook(await c.req.text(), c.req.header('authorization'));
    } catch (error) {
      if (!(error instanceof WebhookRefusedError)) throw error;
      log.warn('webhook refused', { reason: error.message });
      throw new ProblemError(401, 'unauthorized', 'Webhook refused', 'The webhook signature does not match its body or this gateway\u2019s LiveKit key.');
    }
    return c.json({ received: true }, 200);
  });
  return app;
}
