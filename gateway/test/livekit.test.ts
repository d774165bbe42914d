import { TokenVerifier } from 'livekit-server-sdk';
import { RoomSchema } from '@visio/shared/contract';
import { startLiveKitDouble, type LiveKitDouble } from '@visio/testing/livekit-double';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSettings } from '../src/config.ts';
import { startTestGateway, type TestGateway } from './harness.ts';

const FRONT_END = 'https://meet.example.gouv.fr';
const doubles: LiveKitDouble[] = [];

afterEach(async () => {
  vi.useRealTimers();
  // The SDK always carried a token the double accepted, with the grant each call needs.
  const refusals = doubles.flatMap((d) => d.refusals);
  await Promise.all(doubles.splice(0).map((d) => d.close()));
  expect(refusals).toEqual([]);
});

async function setup(env: Record<string, string> = {}): Promise<{ lk: LiveKitDouble; gw: TestGateway }> {
  const lk = await startLiveKitDouble();
  doubles.push(lk);
  const gw = await startTestGateway({
    VISIO_PROVIDER: 'livekit',
    VISIO_LOCAL_USER_EMAIL: 'alice.martin@example.gouv.fr',
    VISIO_LOCAL_USER_NAME: 'Alice Martin',
    LIVEKIT_URL: lk.url.replace(/^http/, 'ws'),
    LIVEKIT_API_KEY: lk.apiKey,
    LIVEKIT_API_SECRET: lk.apiSecret,
    LIVEKIT_MEET_URL: FRONT_END,
    LIVEKIT_TOKEN_TTL: '120',
    LIVEKIT_MAX_PARTICIPANTS: '50',
    LIVEKIT_EMPTY_TIMEOUT: '900',
    ...env,
  });
  return { lk, gw };
}

async function join(gw: TestGateway, code: string) {
  const response = await gw.fetch(`/j/${code}`, { redirect: 'manual' });
  return { response, location: response.headers.get('location') };
}

describe('VISIO_PROVIDER=livekit against the Twirp RoomService double', () => {
  it('creates the room on LiveKit (name = code, timeouts, metadata) and invites with the gateway join URL', async () => {
    const { lk, gw } = await setup();
    const { status, body } = await gw.json('/v1/rooms', { method: 'POST', body: { title: 'Point budget', eventUid: 'evt-1@example' } });
    expect(status).toBe(201);
    const room = RoomSchema.parse(body);
    expect(room.provider).toBe('livekit');
    expect(room.url).toBe(`${gw.url}/j/${room.code}`);
    expect(lk.rooms()).toEqual([expect.objectContaining({ name: room.code, emptyTimeout: 900, maxParticipants: 50 })]);
    expect(JSON.parse(lk.rooms()[0]!.metadata)).toEqual({ title: 'Point budget', eventUid: 'evt-1@example' });
    const invitation = (await gw.json(`/v1/rooms/${room.code}/invitation?lang=fr`)).body;
    expect(invitation.text).toContain(room.url);
    expect((await gw.json('/v1/config')).body).toMatchObject({ provider: 'livekit', telephony: { enabled: false } });
    expect((await gw.json('/readyz')).status).toBe(200);
  });

  it('the join redirect carries a token TokenVerifier accepts, for that room only, that expires', async () => {
    const { lk, gw } = await setup();
    const room = (await gw.json('/v1/rooms', { method: 'POST', body: { title: 'Comité' } })).body;
    const other = (await gw.json('/v1/rooms', { method: 'POST' })).body;
    const { response, location } = await join(gw, room.code);
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('no-store');
    // Local mode: the local agent, no sign-in and no session cookie.
    expect(response.headers.getSetCookie()).toEqual([]);
    const target = new URL(location!);
    expect(`${target.origin}${target.pathname}`).toBe(`${FRONT_END}/custom`);
    expect(target.searchParams.get('liveKitUrl')).toBe(lk.url.replace(/^http/, 'ws'));
    const token = target.searchParams.get('token')!;

    const claims = await new TokenVerifier(lk.apiKey, lk.apiSecret).verify(token);
    expect(claims.sub).toBe('local:alice.martin@example.gouv.fr');
    expect(claims.name).toBe('Alice Martin');
    expect(claims.video).toEqual({
      roomJoin: true,
      room: room.code,
      canPublish: true,
      canSubscribe: true,
      canPublishData: true,
      canPublishSources: ['camera', 'microphone', 'screen_share', 'screen_share_audio'],
    });
    expect(claims.video?.room).not.toBe(other.code);
    expect(claims.video?.roomAdmin).toBeUndefined();
    expect(claims.video?.roomCreate).toBeUndefined();
    expect(claims.exp! - claims.nbf!).toBe(120);
    await expect(new TokenVerifier(lk.apiKey, 'another-secret-another-secret-0123').verify(token)).rejects.toThrow();

    // Past its lifetime (and LiveKit's clock tolerance) the same token is refused.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 200_000);
    await expect(new TokenVerifier(lk.apiKey, lk.apiSecret).verify(token)).rejects.toThrow(/exp/);
    vi.useRealTimers();

    // Neither the token nor the redirect reaches the logs.
    const logs = gw.logs.join('\n');
    expect(logs).toContain(`"path":"/j/${room.code}"`);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain('token=');
    expect(logs).not.toContain(FRONT_END);
  });

  it('recreates a room LiveKit closed when empty, refuses unknown codes, and deletes on LiveKit', async () => {
    const { lk, gw } = await setup();
    const room = (await gw.json('/v1/rooms', { method: 'POST', body: { title: 'Réunion', eventUid: 'evt-9' } })).body;
    expect(lk.closeRoom(room.code)).toBe(true);
    // The link still works and brings the room back with the gateway's settings.
    expect((await join(gw, room.code)).response.status).toBe(302);
    expect(lk.rooms()).toEqual([expect.objectContaining({ name: room.code, emptyTimeout: 900, maxParticipants: 50 })]);
    expect(JSON.parse(lk.rooms()[0]!.metadata)).toEqual({ title: 'Réunion', eventUid: 'evt-9' });

    expect((await join(gw, 'zzz-zzzz-zzz')).response.status).toBe(404);
    expect((await join(gw, 'not-a-code')).response.status).toBe(400);

    expect((await gw.json(`/v1/rooms/${room.code}`, { method: 'DELETE' })).body).toMatchObject({ deleted: true, providerDeleted: true });
    expect(lk.rooms()).toHaveLength(0);
    // Its link says the meeting has ended, and brings no room back.
    expect((await join(gw, room.code)).response.status).toBe(410);
    expect(lk.rooms()).toHaveLength(0);
    // A room LiveKit already closed is deleted all the same.
    const closed = (await gw.json('/v1/rooms', { method: 'POST' })).body;
    lk.closeRoom(closed.code);
    expect((await gw.json(`/v1/rooms/${closed.code}`, { method: 'DELETE' })).body).toMatchObject({ deleted: true, providerDeleted: true });
  });

  it('ends a room on a signed room_finished webhook and refuses forged or tampered ones', async () => {
    const { lk, gw } = await setup();
    const room = (await gw.json('/v1/rooms', { method: 'POST' })).body;
    const post = (body: string, authorization?: string) =>
      gw.fetch('/webhooks/livekit', { method: 'POST', headers: { 'content-type': 'application/webhook+json', ...(authorization ? { authorization } : {}) }, body });

    const finished = await lk.signWebhook({ event: 'room_finished', room: { sid: 'RM_x', name: room.code } });
    // Tampered: the body names another event than the one signed.
    expect((await post(finished.body.replace('room_finished', 'room_started'), finished.authorization)).status).toBe(401);
    // Forged: signed with another secret.
    const forged = await lk.signWebhook({ event: 'room_finished', room: { name: room.code } }, 'not-the-server-secret-0123456789abcdef');
    expect((await post(forged.body, forged.authorization)).status).toBe(401);
    expect((await post(finished.body)).status).toBe(401);
    expect((await gw.json(`/v1/rooms/${room.code}`)).body.endedAt).toBeUndefined();

    const ok = await post(finished.body, finished.authorization);
    expect(ok.status).toBe(200);
    const ended = (await gw.json(`/v1/rooms/${room.code}`)).body;
    expect(Date.parse(ended.endedAt)).toBeGreaterThan(Date.now() - 60_000);

    const started = await lk.signWebhook({ event: 'room_started', room: { name: room.code } });
    expect((await post(started.body, started.authorization)).status).toBe(200);
    expect((await gw.json(`/v1/rooms/${room.code}`)).body.endedAt).toBeUndefined();
  });

  it('answers a clear problem when LiveKit fails, and readyz says so', async () => {
    const { lk, gw } = await setup();
    lk.failNext(500);
    const failed = await gw.json('/v1/rooms', { method: 'POST' });
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ type: 'urn:visio:problem:upstream', title: 'LiveKit failed' });
    await lk.close();
    const down = await gw.json('/v1/rooms', { method: 'POST' });
    expect(down.status).toBe(503);
    expect(down.body.title).toBe('LiveKit is unreachable');
    expect((await gw.json('/readyz')).status).toBe(503);
  });

  it('requires its settings at start-up and names each missing one', () => {
    expect(() => loadSettings({ VISIO_PROVIDER: 'livekit', LIVEKIT_URL: 'wss://lk.example.gouv.fr' })).toThrow(
      /LIVEKIT_API_KEY: required[\s\S]*LIVEKIT_API_SECRET: required[\s\S]*LIVEKIT_MEET_URL: required/,
    );
    expect(() => loadSettings({ VISIO_PROVIDER: 'meet' })).toThrow(/MEET_API_URL: required[\s\S]*MEET_CLIENT_SECRET: required/);
    expect(() => loadSettings({ VISIO_PROVIDER: 'livekit', LIVEKIT_API_SECRET: 'short' })).toThrow(/LIVEKIT_API_SECRET: at least 32/);
    expect(() => loadSettings({ MEET_PHONE_NUMBER: '01 87 21 00 00' })).toThrow(/MEET_PHONE_NUMBER/);
  });
});
