/**
 * The gateway's own retention job, run as if days had passed, for the client journeys: a built gateway
 * process is started on the journey's data folder with its clock ahead (clock-ahead.mjs), runs the job at
 * start-up, and is stopped (the gateway's close waits for that run before it closes the store). Then the
 * rooms are read back from a gateway started normally on the same data.
 */
import { join } from 'node:path';
import { startGatewayProcess } from './gateway-process.ts';

export const CLOCK_AHEAD = join(import.meta.dirname, 'clock-ahead.mjs');

export interface StoredRoomState {
  code: string;
  state: 'open' | 'ended';
  releaseReason?: string;
  schedule?: { start: string; end: string; timeZone: string; recurrenceEnd?: string | null };
  eventUid?: string;
}

/**
 * Runs the retention job of a gateway configured by `env` (VISIO_DATA_DIR: the data of the journey, whose
 * own gateway must be stopped first) `days` ahead, then answers every room of the local agent as stored.
 */
export async function retentionAfterDays(env: Record<string, string> & { VISIO_DATA_DIR: string }, days: number): Promise<StoredRoomState[]> {
  const ahead = await startGatewayProcess({ ...env, VISIO_TEST_CLOCK_AHEAD_MS: String(days * 86_400_000) }, 30_000, ['--import', CLOCK_AHEAD]);
  const exit = await ahead.stop();
  if (exit !== 0) throw new Error(`the gateway running the retention job exited with ${exit}:\n${ahead.output().stderr}`);
  const after = await startGatewayProcess(env, 30_000);
  try {
    return await listAllRooms(after.url);
  } finally {
    await after.stop();
  }
}

/** Every room of the gateway's local agent, open and ended (`GET /v1/rooms?state=all`, all pages). */
export async function listAllRooms(gatewayUrl: string, headers: Record<string, string> = {}): Promise<StoredRoomState[]> {
  const rooms: StoredRoomState[] = [];
  let cursor: string | null = null;
  do {
    const r = await fetch(`${gatewayUrl}/v1/rooms?state=all&limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers });
    if (r.status !== 200) throw new Error(`GET /v1/rooms answered ${r.status}: ${await r.text()}`);
    const page = (await r.json()) as { items: StoredRoomState[]; nextCursor: string | null };
    rooms.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return rooms;
}
