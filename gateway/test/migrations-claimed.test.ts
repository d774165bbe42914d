/**
 * A migration resumed after a crash: the gateway died while switching an event, so that event's room is
 * still claimed (idempotency key `event:<uid>`, pending) by the dead process. The resumed run waits for the
 * claim to be taken over (VISIO_IDEMPOTENCY_STALE_MS) and converts the event, instead of failing it with
 * "still being processed" (seen in CI on the bulk SOGo test).
 */
import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/server.js';
import { davGet, eventIcs, events } from './caldav-helpers.ts';
import { radicaleRig } from './radicale-rig.ts';
import { teamsProperties } from './switch-fixtures.ts';

const ME = 'alice@example.test';
// Longer than the room service's own wait for a pending claim (15 s), as in production (60 s), kept short.
const rig = radicaleRig(ME, { VISIO_IDEMPOTENCY_STALE_MS: '16000' });
const call = (method: string, path: string, body?: unknown) => rig.gw.json(path, { method, headers: { 'x-caldav-authorization': rig.auth }, ...(body === undefined ? {} : { body }) });

describe('a migration item whose room a dead process still claims', () => {
  it('waits for the claim to go stale and converts the event with one room', { timeout: 120_000 }, async () => {
    const uid = randomUUID();
    const href = await rig.put(eventIcs(uid, { summary: 'Teams mine', start: new Date(Date.now() + 5 * 3_600_000), ...teamsProperties(), organizer: ME }));
    // What the dead process left: the event's claim, pending, with the fingerprint the room service gives it.
    const store = await openStore(rig.gw.settings, { warn: () => {} } as never);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([null, null, uid]))
      .digest('base64url');
    expect((await store.claimKey(`local:${ME}`, `event:${uid}`, fingerprint, 60_000)).state).toBe('claimed');
    await store.close();

    const plan = (await call('POST', '/v1/calendars/migrations', { lang: 'en' })).body;
    expect(plan.toConvert).toBe(1);
    expect((await call('POST', `/v1/calendars/migrations/${plan.id}/apply`, {})).status).toBe(202);
    let done;
    for (;;) {
      done = (await call('GET', `/v1/calendars/migrations/${plan.id}`)).body;
      if (done.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(done.items.map((i: any) => [i.result, i.error])).toEqual([['converted', null]]);
    const stored = (await davGet(href, rig.auth)).data;
    expect(stored).not.toMatch(/teams\.microsoft\.com/);
    expect(events(stored)[0]!.room).toBe(done.items[0].room);
    const rooms = (await rig.gw.json('/v1/rooms')).body.items;
    expect(rooms.map((r: any) => r.code)).toEqual([done.items[0].room]);
  });
});
