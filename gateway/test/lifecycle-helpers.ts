/** Helpers of the room lifecycle journeys: the orphan check, and the retention job run as if days had passed. */
import { readEventSchedule } from '@visio/shared/event-schedule';
import { vi } from 'vitest';
import { davGet } from './caldav-helpers.ts';
import type { TestGateway } from './harness.ts';

/** Open rooms of the agent that no live (existing, not cancelled) event among `hrefs` carries. */
export async function orphans(gw: TestGateway, hrefs: Iterable<string>, authorization: string): Promise<string[]> {
  const open = ((await gw.json('/v1/rooms?limit=100')).body.items as { code: string }[]).map((r) => r.code);
  const carried = new Set<string>();
  for (const href of hrefs) {
    const { status, data } = await davGet(href, authorization);
    if (status !== 200 || readEventSchedule(data).cancelled) continue;
    for (const code of open) if (data.includes(code)) carried.add(code);
  }
  return open.filter((c) => !carried.has(c));
}

/** Runs the gateway's retention job with the clock `days` ahead. */
export async function retentionAfter(gw: TestGateway, days: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + days * 86_400_000);
  try {
    return await gw.runRetention();
  } finally {
    vi.useRealTimers();
  }
}
