import ICAL from 'ical.js';
import { createVisioClient, describeError, VisioApiError } from '@visio/shared/client';
import { RoomSchema } from '@visio/shared/contract';
import { formatPin } from '@visio/shared/telephony';
import { startMeetDouble, type MeetDouble, type MeetDoubleOptions } from '@visio/testing/meet-double';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './harness.ts';

const AGENT = 'alice.martin@example.gouv.fr';
const SECRET = 'meet-application-secret-do-not-log-0123456789';
const doubles: MeetDouble[] = [];

afterEach(async () => {
  // Every request the gateway sent and every answer it got conformed to Meet's OpenAPI document.
  const violations = doubles.flatMap((d) => d.violations);
  await Promise.all(doubles.splice(0).map((d) => d.close()));
  expect(violations).toEqual([]);
});

async function setup(double: MeetDoubleOptions = {}, env: Record<string, string> = {}): Promise<{ meet: MeetDouble; gw: TestGateway }> {
  const meet = await startMeetDouble({ users: [AGENT], clientSecret: SECRET, ...double });
  doubles.push(meet);
  const gw = await startTestGateway({
    VISIO_PROVIDER: 'meet',
    VISIO_INSTANCE_URL: 'https://visio.example.gouv.fr',
    VISIO_LOCAL_USER_EMAIL: AGENT,
    VISIO_LOCAL_USER_NAME: 'Alice Martin',
    MEET_API_URL: meet.url,
    MEET_CLIENT_ID: '550e8400-e29b-41d4-a716-446655440000',
    MEET_CLIENT_SECRET: SECRET,
    MEET_RETRY_DELAY_MS: '5',
    ...env,
  });
  return { meet, gw };
}

const problemOf = async (gw: TestGateway, body: unknown = {}) => {
  const r = await gw.json('/v1/rooms', { method: 'POST', body });
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  return r;
};

describe('VISIO_PROVIDER=meet against the Meet double', () => {
  it("POST /v1/rooms returns the Meet room's code, URL and dial-in PIN, owned by the agent", async () => {
    const { meet, gw } = await setup();
    const { status, body } = await gw.json('/v1/rooms', { method: 'POST', body: { title: 'Point budget' } });
    expect(status).toBe(201);
    const room = RoomSchema.parse(body);
    const [made] = meet.rooms(AGENT);
    expect(meet.rooms()).toHaveLength(1);
    expect(room).toMatchObject({
      code: made!.slug,
      url: made!.url,
      provider: 'meet',
      accessLevel: 'trusted',
      telephony: { phoneNumber: '+33187210000', pin: made!.telephony.pin_code, country: 'FR' },
    });
    expect(made!.access_level).toBe('trusted');

    // The requested access level reaches Meet.
    const restricted = await gw.json('/v1/rooms', { method: 'POST', body: { accessLevel: 'restricted' } });
    expect(restricted.body.accessLevel).toBe('restricted');
    expect(meet.rooms().find((r) => r.slug === restricted.body.code)?.access_level).toBe('restricted');
  });

  it('shows the dial-in in the invitation, the .ics and GET /v1/config', async () => {
    const { meet, gw } = await setup();
    const config = await gw.json('/v1/config');
    expect(config.body.telephony).toEqual({ enabled: false });

    const room = (await gw.json('/v1/rooms', { method: 'POST', body: { title: 'Comité' } })).body;
    const pin = meet.rooms()[0]!.telephony.pin_code!;
    expect((await gw.json('/v1/config')).body.telephony).toEqual({ enabled: true, phoneNumber: '+33187210000' });

    for (const [lang, label] of [
      ['fr', 'Code'],
      ['en', 'PIN'],
    ] as const) {
      const inv = (await gw.json(`/v1/rooms/${room.code}/invitation?lang=${lang}`)).body;
      expect(inv.text).toContain(room.url);
      expect(inv.text).toContain('+33 1 87 21 00 00');
      expect(inv.text).toContain(formatPin(pin));
      expect(inv.text).toMatch(new RegExp(`${label}[^\\n]*${formatPin(pin)}`));
      expect(inv.html).toContain(`tel:+33187210000,,${pin}%23`);
    }

    const ics = await gw.fetch('/v1/ics', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Comité', start: '2026-12-01T10:00:00', end: '2026-12-01T11:00:00', timeZone: 'Europe/Paris' }),
    });
    expect(ics.status).toBe(200);
    const vevent = new ICAL.Component(ICAL.parse(await ics.text())).getFirstSubcomponent('vevent')!;
    const description = String(vevent.getFirstPropertyValue('description'));
    const icsRoom = meet.rooms()[1]!;
    expect(meet.rooms()).toHaveLength(2);
    expect(description).toContain(icsRoom.url);
    expect(description).toContain(formatPin(icsRoom.telephony.pin_code!));
    expect(description).toContain('+33 1 87 21 00 00');
  });

  it('retrieves the room from Meet (current access level), lists, and forgets it on delete without calling Meet', async () => {
    const { meet, gw } = await setup();
    const room = (await gw.json('/v1/rooms', { method: 'POST' })).body;
    // The owner changes the access level in Visio's web app.
    meet.rooms()[0]!.access_level = 'public';
    expect((await gw.json(`/v1/rooms/${room.code}`)).body.accessLevel).toBe('public');
    expect(meet.log.some((l) => l.op === 'retrieveRoom' && l.status === 200)).toBe(true);

    const del = await gw.json(`/v1/rooms/${room.code}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ code: room.code, deleted: true, providerDeleted: false });
    expect(del.body.detail).toMatch(/no delete endpoint/);
    expect((await gw.json(`/v1/rooms/${room.code}`)).body).toMatchObject({ state: 'ended', releaseReason: 'deleted' });
    // Forgotten for good: no deletion is left to retry.
    expect(await gw.runRetention()).toMatchObject({ cleaned: 0 });
    expect(meet.rooms()).toHaveLength(1);
  });

  it('MEET_DELETE_ENABLED on a Meet whose published API has no delete: refused (405), the room ended at once, the deletion kept and retried, nothing else changed', async () => {
    const { meet, gw } = await setup({}, { MEET_DELETE_ENABLED: 'true' });
    const room = (await gw.json('/v1/rooms', { method: 'POST', body: { eventUid: 'uid-comite@example.gouv.fr' } })).body;
    const del = await gw.json(`/v1/rooms/${room.code}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ code: room.code, deleted: true, providerDeleted: false });
    expect(del.body.detail).toMatch(/retried/);
    const deletions = () => meet.log.filter((l) => l.op.startsWith('DELETE ') && l.op.includes(meet.rooms()[0]!.id));
    expect(deletions().map((l) => l.status)).toEqual([405]);
    // Ended in the gateway whatever Meet said: its link says so, a second DELETE changes nothing.
    expect((await gw.json(`/v1/rooms/${room.code}`)).body).toMatchObject({ state: 'ended', releaseReason: 'deleted' });
    expect((await gw.json(`/v1/rooms/${room.code}`, { method: 'DELETE' })).body).toMatchObject({ deleted: true, providerDeleted: false });
    expect(deletions()).toHaveLength(1);
    // Each retention run tries again and keeps it recorded while Meet refuses; the room stays in Meet, once.
    expect(await gw.runRetention()).toMatchObject({ ended: 0, cleaned: 0 });
    expect(await gw.runRetention()).toMatchObject({ ended: 0, cleaned: 0 });
    expect(deletions().map((l) => l.status)).toEqual([405, 405, 405]);
    expect(meet.rooms()).toHaveLength(1);
    // The event gets a new room when Visio is added to it again; the ended one is not handed back.
    const again = (await gw.json('/v1/rooms', { method: 'POST', body: { eventUid: 'uid-comite@example.gouv.fr' } })).body;
    expect(again.code).not.toBe(room.code);
    expect(again.state).toBe('open');
    expect((await gw.json('/v1/rooms?state=all')).body.items.map((r: { code: string; state: string }) => [r.code, r.state]).sort()).toEqual(
      [
        [room.code, 'ended'],
        [again.code, 'open'],
      ].sort(),
    );
  });

  it('100 concurrent creations for one agent fetch ONE token and make 100 distinct rooms', async () => {
    const { meet, gw } = await setup();
    const answers = await Promise.all(Array.from({ length: 100 }, () => gw.json('/v1/rooms', { method: 'POST' })));
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(201));
    expect(meet.tokensIssued(AGENT)).toBe(1);
    expect(new Set(answers.map((a) => a.body.code)).size).toBe(100);
    expect(meet.rooms(AGENT)).toHaveLength(100);
  });

  it('a 5xx storm (some after the room was made, some timeouts) creates no duplicate and no orphan room', async () => {
    const { meet, gw } = await setup({}, { MEET_TIMEOUT_MS: '300', MEET_RETRIES: '4' });
    meet.fault({ op: 'createRoom', status: 502, afterEffect: true, probability: 0.25, times: Infinity });
    meet.fault({ op: 'createRoom', status: 503, probability: 0.25, times: Infinity });
    meet.fault({ op: 'createRoom', status: 500, afterEffect: true, probability: 0.2, times: Infinity });
    meet.fault({ op: 'createRoom', delayMs: 600, probability: 0.1, times: Infinity });
    meet.fault({ op: 'listRooms', status: 503, probability: 0.1, times: Infinity });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => gw.json('/v1/rooms', { method: 'POST', body: { title: `R${i}` } })));
    // Let answers delayed past the gateway's timeout land in the double.
    await new Promise((r) => setTimeout(r, 700));
    meet.clearFaults();

    const failed = meet.log.filter((l) => l.op === 'createRoom' && l.status >= 500);
    expect(failed.length).toBeGreaterThan(5);
    const created = answers.filter((a) => a.status === 201);
    for (const a of answers.filter((a) => a.status !== 201)) expect([502, 503, 504]).toContain(a.status);
    const stored = (await gw.json('/v1/rooms?limit=100')).body.items as { code: string }[];
    const inMeet = meet.rooms(AGENT).map((r) => r.slug);
    // One Meet room per successful request, each handed out once, none left behind.
    expect(new Set(created.map((a) => a.body.code)).size).toBe(created.length);
    expect(stored.map((r) => r.code).sort()).toEqual(created.map((a) => a.body.code).sort());
    expect(inMeet.sort()).toEqual(created.map((a) => a.body.code).sort());
    expect(created.length).toBeGreaterThan(30);
  });

  it('after a 5xx once the room was made, adopts that room instead of making a second one', async () => {
    const { meet, gw } = await setup();
    const own = meet.addRoomDirectly(AGENT); // made in Visio's web app: never adopted
    meet.fault({ op: 'createRoom', status: 500, afterEffect: true });
    const { status, body } = await gw.json('/v1/rooms', { method: 'POST' });
    expect(status).toBe(201);
    expect(meet.rooms(AGENT)).toHaveLength(2);
    expect(body.code).not.toBe(own.slug);
    expect(body.code).toBe(meet.rooms(AGENT)[1]!.slug);
    expect(meet.log.filter((l) => l.op === 'createRoom')).toHaveLength(1);
  });

  it('retries a 429 and a 5xx made before the room, then succeeds with one room', async () => {
    const { meet, gw } = await setup();
    meet.fault({ op: 'createRoom', status: 429, retryAfter: 0 });
    meet.fault({ op: 'createRoom', status: 503 });
    const { status } = await gw.json('/v1/rooms', { method: 'POST' });
    expect(status).toBe(201);
    expect(meet.log.filter((l) => l.op === 'createRoom').map((l) => l.status)).toEqual([429, 503, 201]);
    expect(meet.rooms()).toHaveLength(1);
  });

  it('ends in a clear 502, 503 or 504 problem when Meet stays down, with no room made', async () => {
    const { meet, gw } = await setup({}, { MEET_RETRIES: '2', MEET_TIMEOUT_MS: '200' });
    meet.fault({ op: 'createRoom', status: 500, times: Infinity });
    const r502 = await problemOf(gw);
    expect(r502.status).toBe(502);
    expect(r502.body).toMatchObject({ type: 'urn:visio:problem:upstream', title: 'Visio failed' });
    expect(r502.body.detail).toMatch(/answered 500 .*3 attempts/);
    meet.clearFaults();

    meet.fault({ op: 'createRoom', status: 429, retryAfter: 0, times: Infinity });
    const r503 = await problemOf(gw);
    expect(r503.status).toBe(503);
    expect(r503.body.title).toBe('Visio is busy');
    expect(r503.headers.get('retry-after')).toMatch(/^\d+$/);
    meet.clearFaults();

    meet.fault({ op: 'createRoom', status: 504, delayMs: 400, times: Infinity });
    const r504 = await problemOf(gw);
    expect(r504.status).toBe(504);
    expect(r504.body.title).toBe('Visio did not answer in time');
    await new Promise((r) => setTimeout(r, 450));
    meet.clearFaults();
    expect(meet.rooms()).toHaveLength(0);

    const client = createVisioClient({ baseUrl: gw.url });
    const error = await client.createRoom().catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(VisioApiError); // Meet is back: this one works
    expect(meet.rooms()).toHaveLength(1);
  });

  it('refreshes the token once after a 401, and again shortly before it expires', async () => {
    // Long enough that a slow first request on a loaded machine does not already need the next token.
    const { meet, gw } = await setup({ tokenLifetimeSeconds: 3 });
    expect((await gw.json('/v1/rooms', { method: 'POST' })).status).toBe(201);
    expect(meet.tokensIssued()).toBe(1);
    meet.revokeTokens();
    expect((await gw.json('/v1/rooms', { method: 'POST' })).status).toBe(201);
    expect(meet.tokensIssued()).toBe(2);
    expect(meet.log.filter((l) => l.status === 401)).toHaveLength(1);
    // Past the refresh point (a tenth of the lifetime before expiry).
    await new Promise((r) => setTimeout(r, 2_800));
    expect((await gw.json('/v1/rooms', { method: 'POST' })).status).toBe(201);
    expect(meet.tokensIssued()).toBe(3);
    expect(meet.log.filter((l) => l.status === 401)).toHaveLength(1);
  });

  it('tells the agent and the admin what to do when Meet does not know the agent or refuses the domain', async () => {
    const { gw: unknownGw } = await setup({ users: [] });
    const unknown = await problemOf(unknownGw);
    expect(unknown.status).toBe(403);
    expect(unknown.body.type).toBe('urn:visio:problem:provider-account-unknown');
    expect(unknown.body.detail).toMatch(/signs in to https:\/\/visio\.example\.gouv\.fr once.*allows the application to create users/);
    const client = createVisioClient({ baseUrl: unknownGw.url });
    const error = await client.createRoom().catch((e: unknown) => e);
    expect(describeError(error, 'fr')).toMatch(/^Votre compte Visio n’existe pas encore/);
    expect(describeError(error, 'en')).toMatch(/^Your Visio account does not exist yet/);

    const { gw: created, meet: creating } = await setup({ users: [], allowUserCreation: true });
    expect((await created.json('/v1/rooms', { method: 'POST' })).status).toBe(201);
    expect(creating.rooms(AGENT)).toHaveLength(1);

    const { gw: otherDomain } = await setup({ allowedDomains: ['interieur.gouv.fr'] });
    const refused = await problemOf(otherDomain);
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('urn:visio:problem:provider-refused');
    expect(refused.body.detail).toMatch(/example\.gouv\.fr.*allowed domains/);
    const refusal = await createVisioClient({ baseUrl: otherDomain.url })
      .createRoom()
      .catch((e: unknown) => e);
    expect(describeError(refusal, 'fr')).toMatch(/Contactez votre administrateur/);
  });

  it('names the configuration to fix when Meet refuses the application or its external API is off', async () => {
    const { gw: wrongSecret } = await setup({ clientSecret: 'another-secret' });
    const bad = await problemOf(wrongSecret);
    expect(bad.status).toBe(502);
    expect(bad.body.detail).toMatch(/MEET_CLIENT_ID and MEET_CLIENT_SECRET/);

    const { gw: inactive } = await setup({ applicationActive: false });
    expect((await problemOf(inactive)).body.detail).toMatch(/Application is inactive.*active in Meet/);

    const { gw: off } = await setup({ externalApiEnabled: false });
    const offAnswer = await problemOf(off);
    expect(offAnswer.status).toBe(502);
    expect(offAnswer.body.detail).toMatch(/EXTERNAL_API_ENABLED/);
    expect((await off.json('/readyz')).status).toBe(503);
  });

  it('readyz checks that the token endpoint answers', async () => {
    const { meet, gw } = await setup();
    const ready = await gw.json('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ store: 'ok', provider: 'ok' });
    expect(meet.log.some((l) => l.op === 'generateToken')).toBe(true);
    meet.fault({ op: 'generateToken', status: 503 });
    expect((await gw.json('/readyz')).body).toMatchObject({ status: 'unavailable', checks: { provider: 'unavailable' } });
    await meet.close();
    expect((await gw.json('/readyz')).status).toBe(503);
  });

  it('never writes the application secret or a Meet token in its logs', async () => {
    const { meet, gw } = await setup();
    meet.fault({ op: 'createRoom', status: 502, afterEffect: true });
    await gw.json('/v1/rooms', { method: 'POST' });
    meet.revokeTokens();
    await gw.json('/v1/rooms', { method: 'POST' });
    const logs = gw.logs.join('\n');
    expect(gw.logs.length).toBeGreaterThan(3);
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
  });
});

describe('the Meet double holds the gateway to the contract', () => {
  it('records a request or an answer that departs from the OpenAPI document', async () => {
    const meet = await startMeetDouble({ users: [AGENT] });
    const token = await fetch(`${meet.url}/application/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: '550e8400-e29b-41d4-a716-446655440000', client_secret: 'meet-double-secret-0123456789abcdef', grant_type: 'client_credentials', scope: AGENT }),
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    // `name` is not a field RoomCreate accepts; `mute_all` is not a configuration key.
    const drift = await fetch(`${meet.url}/rooms/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
      body: JSON.stringify({ access_level: 'open', configuration: { mute_all: true } }),
    });
    expect(drift.status).toBe(400);
    const missingScope = await fetch(`${meet.url}/application/token/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"client_id":"x"}' });
    expect(missingScope.status).toBe(400);
    const messages = meet.violations.map((v) => v.message).join('\n');
    expect(messages).toMatch(/body\/access_level must be equal to one of the allowed values/);
    expect(messages).toMatch(/body\/configuration must NOT have additional properties \(mute_all\)/);
    expect(messages).toMatch(/must have required property 'scope'/);
    expect(meet.rooms()).toHaveLength(0);
    await meet.close();
  });
});

describe('dial-in numbers from Meet', () => {
  it('turns the forms Meet settings hold into E.164, and refuses the rest', async () => {
    const { toE164 } = await import('../src/providers/meet.ts');
    expect(toE164('+33 1 87 21 00 00')).toBe('+33187210000');
    expect(toE164('+1-555-0100', 'US')).toBe('+15550100');
    expect(toE164('0033 1 87 21 00 00')).toBe('+33187210000');
    expect(toE164('01 87 21 00 00', 'FR')).toBe('+33187210000');
    expect(toE164('01 87 21 00 00', 'BE')).toBeNull();
    expect(toE164('call us')).toBeNull();
  });
});
