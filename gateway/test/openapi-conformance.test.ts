/**
 * The gateway's own /openapi.json is what integrators generate clients from: the requests the shared client
 * really sends, and the gateway's answers to them, must conform to it (checked with Ajv, as the doubles check
 * the published contracts they follow). A schema the document renders wrongly (a pattern that accepts nothing)
 * fails here, not in an administrator's generated client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVisioClient } from '@visio/shared/client';
import { OpenApiContract, type ContractViolation } from '@visio/testing/openapi-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadSettings } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';

const BASE = 'http://gateway.test';
let dataDir: string;
let store: Awaited<ReturnType<typeof openSqliteStore>>;
let app: ReturnType<typeof createApp>;
let contract: OpenApiContract;
const violations: ContractViolation[] = [];
const seen: string[] = [];

/** Every request the client sends and every answer, checked against the document, then served by the app. */
async function checkedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const rawBody = request.body ? await request.clone().text() : '';
  const { matched, violations: asked } = contract.checkRequest({
    method: request.method,
    path: url.pathname,
    query: url.searchParams,
    contentType: request.headers.get('content-type') ?? undefined,
    rawBody,
  });
  violations.push(...asked);
  const response = await app.request(request);
  if (matched) {
    seen.push(`${matched.operationId} ${response.status}`);
    violations.push(...contract.checkResponse(matched, response.status, response.headers.get('content-type') ?? undefined, await response.clone().text()));
  }
  return response;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'visio-openapi-conformance-'));
  const settings = loadSettings({ VISIO_DATA_DIR: dataDir });
  store = await openSqliteStore(dataDir);
  const log = createLogger('silent');
  app = createApp({ settings, store, provider: settings.createProvider({ store, log }), log });
  contract = new OpenApiContract((await (await app.request('/openapi.json')).json()) as Record<string, unknown>);
});

afterAll(async () => {
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the shared client and the gateway follow the gateway's /openapi.json", () => {
  it('every pattern in the document is an ECMA-262 expression, without regular-expression literal flags', () => {
    const patterns: string[] = [];
    JSON.stringify(contract.document, (key, value) => {
      if (key === 'pattern' && typeof value === 'string') patterns.push(value);
      return value;
    });
    expect(patterns.length).toBeGreaterThan(5);
    for (const pattern of patterns) {
      expect(() => new RegExp(pattern, 'u'), pattern).not.toThrow();
      expect(pattern, 'a literal flag such as /i is not part of a JSON Schema pattern').not.toMatch(/\/[dgimsuvy]+$/);
    }
  });

  it('rooms, schedules, invitations, ICS (a weekly series in La Réunion, a UTC event), state and deletion: zero violations', async () => {
    const client = createVisioClient({ baseUrl: BASE, fetch: checkedFetch, clientName: 'page' });
    await client.getConfig();
    const room = await client.createRoom(
      { title: 'Comité', schedule: { start: '2027-01-04T10:00:00', end: '2027-01-04T11:00:00', timeZone: 'Indian/Reunion', recurrenceEnd: null } },
      { idempotencyKey: 'conformance-1' },
    );
    await client.createRoom({}, { idempotencyKey: 'conformance-1' }).catch(() => undefined);
    await client.getRoom(room.code);
    await client.listRooms({ limit: 10, state: 'all' });
    await client.setRoomSchedule(room.code, { start: '2027-01-04T10:00:00', end: '2027-01-04T11:00:00', timeZone: 'Indian/Reunion', recurrenceEnd: '2027-03-29T10:00:00' });
    await client.getRoomState(room.code);
    await client.getInvitation(room.code, 'en');
    await client.createIcs({ title: 'Hebdo', start: '2027-01-04T10:00:00', end: '2027-01-04T11:00:00', timeZone: 'Indian/Reunion', rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=4', room: room.code });
    await client.createIcs({ title: 'Point', start: '2027-01-05T09:00:00', end: '2027-01-05T09:30:00', timeZone: 'UTC', rrule: 'freq=daily;count=2' });
    await client.getRoom('zzz-zzzz-zzz').catch(() => undefined);
    await client.deleteRoom(room.code);
    expect(violations).toEqual([]);
    expect(seen).toEqual(
      expect.arrayContaining(['POST /v1/rooms 201', 'POST /v1/rooms 422', 'PUT /v1/rooms/{code}/schedule 200', 'POST /v1/ics 200', 'GET /v1/rooms/{code} 404', 'DELETE /v1/rooms/{code} 200']),
    );
  });
});
