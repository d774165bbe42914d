import { describe, expect, it } from 'vitest';
import { startSignInGateway, TEST_CLIENT } from './auth-harness.ts';

describe('sign-in through a real OpenID provider', () => {
  it('signs alice in, creates a room as alice; bob cannot read or delete it (404)', async () => {
    const gw = await startSignInGateway();
    const alice = await gw.signIn('alice');
    expect(alice.token_type).toBe('Bearer');
    const created = await gw.as(alice.access_token)('/v1/rooms', { method: 'POST', body: { title: 'Point hebdo' } });
    expect(created.status).toBe(201);
    const bob = await gw.signIn('bob');
    const asBob = gw.as(bob.access_token);
    expect((await asBob(`/v1/rooms/${created.body.code}`)).status).toBe(404);
    expect((await asBob(`/v1/rooms/${created.body.code}`, { method: 'DELETE' })).status).toBe(404);
    expect((await asBob('/v1/rooms')).body.items).toEqual([]);
    expect((await gw.as(alice.access_token)(`/v1/rooms/${created.body.code}`)).status).toBe(200);
    void TEST_CLIENT;
  });
});
