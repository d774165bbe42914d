/**
 * Self-hosted LiveKit (no Meet): rooms are created on the LiveKit server through its Twirp RoomService,
 * and each agent who opens `GET /j/{code}` gets a short-lived join token for that room only, handed to a
 * LiveKit Meet front end (`/custom?liveKitUrl=...&token=...`). The invitation link is that gateway URL.
 */
import { AccessToken, RoomServiceClient, TrackSource, TwirpError, WebhookReceiver } from 'livekit-server-sdk';
import { z } from 'zod';
import { flag, httpUrl, seconds, wsOrHttpUrl } from '../env.js';
import type { User } from '../identity.js';
import { ProblemError } from '../problem.js';
import type { StoredRoom } from '../store/store.js';
import type { ProviderContext, ProviderDefinition, ProviderEvent, ProviderRoom, RoomProvider } from './provider.js';

export interface LiveKitOptions {
  /** The server URL participants connect to (`wss://...`); its HTTP form serves the Twirp API. */
  url: string;
  apiKey: string;
  apiSecret: string;
  /** The LiveKit Meet front end agents are sent to. */
  meetUrl: string;
  tokenTtlSeconds: number;
  maxParticipants: number;
  emptyTimeoutSeconds: number;
  webhook: boolean;
  /** The gateway's public URL: invitation links are `{publicUrl}/j/{code}`. */
  publicUrl: string;
}

/** Self-hosted LiveKit (VISIO_PROVIDER=livekit). */
export const LiveKitEnvSchema = z.object({
  LIVEKIT_URL: wsOrHttpUrl,
  LIVEKIT_API_KEY: z.string().min(1).max(200),
  LIVEKIT_API_SECRET: z.string().min(32, 'at least 32 characters (LiveKit signs tokens with it)').max(500),
  LIVEKIT_MEET_URL: httpUrl,
  LIVEKIT_TOKEN_TTL: seconds(30, 86_400, 600),
  LIVEKIT_MAX_PARTICIPANTS: z.coerce.number().int().min(0).max(100_000).default(0),
  LIVEKIT_EMPTY_TIMEOUT: seconds(0, 604_800, 600),
  LIVEKIT_WEBHOOK: flag.default(true),
});

export const livekit: ProviderDefinition<typeof LiveKitEnvSchema> = {
  name: 'livekit',
  env: LiveKitEnvSchema,
  create: (env, context) => liveKitProvider(liveKitOptions(env, context)),
};

export function liveKitOptions(env: z.output<typeof LiveKitEnvSchema>, context: Pick<ProviderContext, 'publicUrl'>): LiveKitOptions {
  return {
    url: env.LIVEKIT_URL,
    apiKey: env.LIVEKIT_API_KEY,
    apiSecret: env.LIVEKIT_API_SECRET,
    meetUrl: env.LIVEKIT_MEET_URL,
    tokenTtlSeconds: env.LIVEKIT_TOKEN_TTL,
    maxParticipants: env.LIVEKIT_MAX_PARTICIPANTS,
    emptyTimeoutSeconds: env.LIVEKIT_EMPTY_TIMEOUT,
    webhook: env.LIVEKIT_WEBHOOK,
    publicUrl: context.publicUrl,
  };
}

const PUBLISH_SOURCES = [TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE, TrackSource.SCREEN_SHARE_AUDIO];

export function liveKitProvider(options: LiveKitOptions): RoomProvider {
  const apiUrl = options.url.replace(/^ws/, 'http');
  // wss:// is what browsers connect to; the front end needs that form.
  const clientUrl = options.url.replace(/^http/, 'ws');
  const rooms = new RoomServiceClient(apiUrl, options.apiKey, options.apiSecret, { requestTimeout: 10, failover: false });
  const receiver = new WebhookReceiver(options.apiKey, options.apiSecret);
  const joinUrl = (code: string) => `${options.publicUrl}/j/${code}`;

  async function ensureRoom(code: string, title: string | undefined, eventUid: string | undefined): Promise<void> {
    try {
      // CreateRoom is idempotent on LiveKit: an existing room is returned as it is.
      await rooms.createRoom({
        name: code,
        emptyTimeout: options.emptyTimeoutSeconds,
        maxParticipants: options.maxParticipants,
        metadata: JSON.stringify({ ...(title ? { title } : {}), ...(eventUid ? { eventUid } : {}) }),
      });
    } catch (error) {
      throw liveKitProblem(error, 'create the room');
    }
  }

  return {
    name: 'livekit',
    telephony: { enabled: false },

    async createRoom({ accessLevel, suggestedCode, title, eventUid }) {
      await ensureRoom(suggestedCode, title, eventUid);
      return { code: suggestedCode, url: joinUrl(suggestedCode), accessLevel, providerRef: suggestedCode };
    },

    async deleteRoom(room: StoredRoom) {
      try {
        await rooms.deleteRoom(room.code);
      } catch (error) {
        // Already gone (closed when empty): deleted as far as anyone can tell.
        if (!(error instanceof TwirpError && (error.status === 404 || error.code === 'not_found'))) throw liveKitProblem(error, 'delete the room');
      }
      return { providerDeleted: true };
    },

    async listRooms(): Promise<ProviderRoom[]> {
      try {
        return (await rooms.listRooms()).map((r) => ({ code: r.name, url: joinUrl(r.name), accessLevel: 'trusted', providerRef: r.name }));
      } catch (error) {
        throw liveKitProblem(error, 'list rooms');
      }
    },

    async check() {
      await rooms.listRooms(['readiness-probe']);
    },

    async joinUrl(room: StoredRoom, user: User) {
      // Rooms close when empty for a while; opening the link recreates the room with the gateway's settings.
      await ensureRoom(room.code, room.title, room.eventUid);
      const token = new AccessToken(options.apiKey, options.apiSecret, {
        identity: user.sub,
        name: user.name ?? user.email,
        ttl: options.tokenTtlSeconds,
      });
      token.addGrant({
        roomJoin: true,
        room: room.code,
        canPublish: true,
        canSubscribe: true,
        canPublishData: true,
        canPublishSources: PUBLISH_SOURCES,
      });
      const query = new URLSearchParams({ liveKitUrl: clientUrl, token: await token.toJwt() });
      return `${options.meetUrl}/custom?${query}`;
    },

    ...(options.webhook
      ? {
          async receiveWebhook(rawBody: string, authorization: string | undefined): Promise<ProviderEvent> {
            const event = await receiver.receive(rawBody, authorization);
            const code = event.room?.name ?? '';
            if (event.event === 'room_finished' && code) return { kind: 'room-ended', code, at: new Date(Number(event.createdAt) * 1000 || Date.now()).toISOString() };
            if (event.event === 'room_started' && code) return { kind: 'room-started', code };
            return { kind: 'other', name: event.event };
          },
        }
      : {}),
  };
}

function liveKitProblem(error: unknown, what: string): ProblemError {
  if (error instanceof TwirpError) {
    if (error.status === 401 || error.status === 403) {
      return new ProblemError(502, 'upstream', 'LiveKit refused the gateway', `The LiveKit server refused to ${what}: the administrator checks LIVEKIT_API_KEY and LIVEKIT_API_SECRET.`);
    }
    return new ProblemError(502, 'upstream', 'LiveKit failed', `The LiveKit server answered ${error.status} when asked to ${what}.`);
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new ProblemError(504, 'upstream', 'LiveKit did not answer in time', `The LiveKit server did not answer when asked to ${what}.`);
  }
  return new ProblemError(503, 'unavailable', 'LiveKit is unreachable', `The gateway cannot reach the LiveKit server to ${what}.`, { headers: { 'retry-after': '30' } });
}
