import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimit, MAX_BODY_BYTES } from '../../src/middleware/body-limit.ts';

function app() {
  const a = new Hono().use(bodyLimit());
  a.post('/echo', async (c) => c.json({ length: (await c.req.text()).length }));
  a.post('/json', async (c) => c.json({ got: await c.req.json(), bytes: (await c.req.arrayBuffer()).byteLength }));
  a.delete('/nothing', async (c) => c.json({ body: await c.req.text() }));
  return a;
}

const big = 'x'.repeat(MAX_BODY_BYTES + 1);
const expectTooLarge = async (response: Response) => {
  expect(response.status).toBe(413);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(await response.json()).toMatchObject({ status: 413, title: 'Request body too large', detail: 'The limit is 64 KB.' });
};

describe('body limit middleware, in process (app.request)', () => {
  it('passes a body up to 64 KB to the route', async () => {
    const response = await app().request('/echo', { method: 'POST', body: 'x'.repeat(MAX_BODY_BYTES) });
    expect(await response.json()).toEqual({ length: MAX_BODY_BYTES });
  });

  it('refuses a larger body with a 413 problem, declared length or not', async () => {
    await expectTooLarge(await app().request('/echo', { method: 'POST', body: big, headers: { 'content-length': String(big.length) } }));
    await expectTooLarge(
      await app().request('/echo', {
        method: 'POST',
        body: new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) }),
        // @ts-expect-error: Node's Request needs it for a stream body
        duplex: 'half',
      }),
    );
  });
});

describe('body limit middleware, under the Node server (body read from the socket)', () => {
  let server: ServerType;
  let base: string;
  beforeAll(async () => {
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app().fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A raw HTTP/1.1 request: chunked when `chunks` has several parts. */
  const send = (path: string, method: string, chunks: string[], headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string; contentType: string | undefined }>((resolve, reject) => {
      const r = request(`${base}${path}`, { method, headers }, (res) => {
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (d) => (body += d))
          .on('end', () => resolve({ status: res.statusCode!, body, contentType: res.headers['content-type'] }));
      });
      r.on('error', reject);
      for (const chunk of chunks) r.write(chunk);
      r.end();
    });

  it('hands the body to the validators and routes as text, JSON and bytes, declared length or chunked', async () => {
    const json = JSON.stringify({ title: 'Réunion' });
    const declared = await send('/json', 'POST', [json], { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)) });
    expect(JSON.parse(declared.body)).toEqual({ got: { title: 'Réunion' }, bytes: Buffer.byteLength(json) });
    const chunked = await send('/json', 'POST', [json.slice(0, 5), json.slice(5)], { 'content-type': 'application/json' });
    expect(JSON.parse(chunked.body)).toEqual({ got: { title: 'Réunion' }, bytes: Buffer.byteLength(json) });
    const bom = await send('/json', 'POST', [`\ufeff${json}`], { 'content-type': 'application/json' });
    expect(JSON.parse(bom.body).got).toEqual({ title: 'Réunion' });
    expect(JSON.parse((await send('/nothing', 'DELETE', [])).body)).toEqual({ body: '' });
  });

  it('refuses more than 64 KB with a 413 problem, declared or streamed in chunks', async () => {
    const declared = await send('/echo', 'POST', [big], { 'content-length': String(big.length) });
    const chunked = await send('/echo', 'POST', [big.slice(0, 40_000), big.slice(40_000)]);
    for (const r of [declared, chunked]) {
      expect(r.status).toBe(413);
      expect(r.contentType).toBe('application/problem+json');
      expect(JSON.parse(r.body)).toMatchObject({ status: 413, detail: 'The limit is 64 KB.' });
    }
    expect(JSON.parse((await send('/echo', 'POST', ['x'.repeat(MAX_BODY_BYTES)])).body)).toEqual({ length: MAX_BODY_BYTES });
  });
});
