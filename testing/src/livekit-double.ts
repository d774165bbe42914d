/**
 * A test double of a LiveKit server's Twirp RoomService (no LiveKit binary can be installed here), speaking
 * the wire format of livekit-server-sdk 2.x: `POST /twirp/livekit.RoomService/<Method>`, camelCase JSON,
 * `Authorization: Bearer <JWT>`. Each call's JWT is verified with the SDK's TokenVerifier (HS256, issuer =
 * API key, expiry) and must carry the grant the real server requires for that method; otherwise the call
 * is refused with a Twirp error, and counted in `refusals`.
 * It also signs webhooks as the server does, to drive a webhook endpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessToken, TokenVerifier, type ClaimGrants, type VideoGrant } from 'livekit-server-sdk';

export interface LiveKitRoomRecord {
  sid: string;
  name: string;
  emptyTimeout: number;
  maxParticipants: number;
  metadata: string;
  creationTime: number;
}

export interface LiveKitDouble {
  /** HTTP URL of the server (the SDK also accepts its ws:// form). */
  url: string;
  apiKey: string;
  apiSecret: string;
  rooms(): LiveKitRoomRecord[];
  /** Closes a room as the server does when it stayed empty past its timeout. */
  closeRoom(name: string): boolean;
  readonly calls: { method: string; status: number }[];
  /** Calls refused for a bad token or a missing grant. */
  readonly refusals: { method: string; reason: string }[];
  /** Makes the next calls fail with this HTTP status (Twirp `internal`/`unavailable`). */
  failNext(status: number, times?: number): void;
  /** A webhook body and its Authorization header, signed with `secret` (default: the server's). */
  signWebhook(event: Record<string, unknown>, secret?: string): Promise<{ body: string; authorization: string }>;
  close(): Promise<void>;
}

type Need = (grant: VideoGrant, body: Record<string, unknown>) => boolean;

// What LiveKit's RoomService checks before each method (livekit-server's auth for RoomService).
const NEEDS: Record<string, Need> = {
  CreateRoom: (g) => g.roomCreate === true,
  ListRooms: (g) => g.roomList === true,
  DeleteRoom: (g) => g.roomCreate === true,
  UpdateRoomMetadata: (g, b) => g.roomAdmin === true && g.room === b.room,
};

export async function startLiveKitDouble(options: { apiKey?: string; apiSecret?: string } = {}): Promise<LiveKitDouble> {
  const apiKey = options.apiKey ?? 'APIdouble';
  const apiSecret = options.apiSecret ?? randomBytes(32).toString('base64url');
  const verifier = new TokenVerifier(apiKey, apiSecret);
  const rooms = new Map<string, LiveKitRoomRecord>();
  const calls: { method: string; status: number }[] = [];
  const refusals: { method: string; reason: string }[] = [];
  let failures: { status: number; left: number } | undefined;

  const twirpError = (status: number, code: string, msg: string) => ({ status, body: { code, msg } });

  async function handle(req: IncomingMessage, raw: string): Promise<{ status: number; body: unknown }> {
    const m = /^\/twirp\/livekit\.RoomService\/([A-Za-z]+)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return twirpError(404, 'bad_route', `no handler for ${req.method} ${req.url}`);
    const method = m[1]!;
    const need = NEEDS[method];
    if (!need) return twirpError(404, 'bad_route', `method ${method} is not served by this double`);
    if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return twirpError(400, 'malformed', 'content type must be application/json');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      return twirpError(400, 'malformed', 'body is not JSON');
    }
    const header = req.headers.authorization ?? '';
    let claims: ClaimGrants;
    try {
      if (!header.startsWith('Bearer ')) throw new Error('no bearer token');
      claims = await verifier.verify(header.slice(7));
    } catch (error) {
      refusals.push({ method, reason: error instanceof Error ? error.message : 'invalid token' });
      return twirpError(401, 'unauthenticated', 'invalid token');
    }
    if (!claims.video || !need(claims.video, body)) {
      refusals.push({ method, reason: `grant lacks what ${method} needs` });
      return twirpError(403, 'permission_denied', 'permissions denied');
    }
    if (failures && failures.left > 0) {
      failures.left--;
      return twirpError(failures.status, failures.status === 503 ? 'unavailable' : 'internal', 'scripted failure');
    }
    switch (method) {
      case 'CreateRoom': {
        const name = body.name;
        if (typeof name !== 'string' || !name) return twirpError(400, 'invalid_argument', 'name is required');
        const existing = rooms.get(name);
        if (existing) return { status: 200, body: toJson(existing) };
        const room: LiveKitRoomRecord = {
          sid: `RM_${randomBytes(6).toString('hex')}`,
          name,
          emptyTimeout: Number(body.emptyTimeout ?? 0),
          maxParticipants: Number(body.maxParticipants ?? 0),
          metadata: typeof body.metadata === 'string' ? body.metadata : '',
          creationTime: Math.floor(Date.now() / 1000),
        };
        rooms.set(name, room);
        return { status: 200, body: toJson(room) };
      }
      case 'ListRooms': {
        const names = Array.isArray(body.names) ? (body.names as string[]) : [];
        return { status: 200, body: { rooms: [...rooms.values()].filter((r) => !names.length || names.includes(r.name)).map(toJson) } };
      }
      case 'DeleteRoom': {
        if (typeof body.room !== 'string' || !rooms.delete(body.room)) return twirpError(404, 'not_found', 'requested room does not exist');
        return { status: 200, body: {} };
      }
      case 'UpdateRoomMetadata': {
        const room = typeof body.room === 'string' ? rooms.get(body.room) : undefined;
        if (!room) return twirpError(404, 'not_found', 'requested room does not exist');
        room.metadata = typeof body.metadata === 'string' ? body.metadata : '';
        return { status: 200, body: toJson(room) };
      }
    }
    return twirpError(404, 'bad_route', method);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, Buffer.concat(chunks).toString('utf8')).then(({ status, body }) => {
        calls.push({ method: (req.url ?? '').split('/').pop() ?? '', status });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    apiSecret,
    rooms: () => [...rooms.values()],
    closeRoom: (name) => rooms.delete(name),
    calls,
    refusals,
    failNext: (status, times = 1) => {
      failures = { status, left: times };
    },
    async signWebhook(event, secret = apiSecret) {
      const body = JSON.stringify({ id: `EV_${randomBytes(6).toString('hex')}`, createdAt: String(Math.floor(Date.now() / 1000)), ...event });
      const token = new AccessToken(apiKey, secret);
      token.sha256 = createHash('sha256').update(body).digest('base64');
      return { body, authorization: await token.toJwt() };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// int64 fields travel as strings in protobuf JSON.
function toJson(room: LiveKitRoomRecord) {
  return { ...room, creationTime: String(room.creationTime), numParticipants: 0 };
}
