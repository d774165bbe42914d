import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { bodyLimit, MAX_BODY_BYTES } from '../../src/middleware/body-limit.ts';

const app = new Hono().use(bodyLimit());
app.post('/echo', async (c) => c.json({ length: (await c.req.text()).length }));

describe('body limit middleware', () => {
  it('passes a body up to 64 KB to the route', async () => {
    const response = await app.request('/echo', { method: 'POST', body: 'x'.repeat(MAX_BODY_BYTES) });
    expect(await response.json()).toEqual({ length: MAX_BODY_BYTES });
  });

  it('refuses a larger body with a 413 problem, declared length or not', async () => {
    const big = 'x'.repeat(MAX_BODY_BYTES + 1);
    const declared = await app.request('/echo', { method: 'POST', body: big, headers: { 'content-length': String(big.length) } });
    const streamed = await app.request('/echo', {
      method: 'POST',
      body: new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) }),
      // @ts-expect-error: Node's fetch needs it for a stream body
      duplex: 'half',
    });
    for (const response of [declared, streamed]) {
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 413, title: 'Request body too large', detail: 'The limit is 64 KB.' });
    }
  });
});
