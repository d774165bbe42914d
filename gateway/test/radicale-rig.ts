/**
 * The switch and migration tests' set-up on Radicale: one agent with a "Travail" calendar, a gateway in
 * local mode allowed to reach that Radicale as the agent, and events written there as a third party would.
 * Call it at the top of a test file: it starts them before the file's tests and stops them after.
 */
import { randomUUID } from 'node:crypto';
import { startRadicale, type RadicaleServer } from '@visio/testing/radicale';
import { afterAll, beforeAll, expect } from 'vitest';
import { davPut } from './caldav-helpers.ts';
import { startTestGateway, type TestGateway } from './harness.ts';

export interface RadicaleRig {
  radicale: RadicaleServer;
  gw: TestGateway;
  /** The agent's calendar URL. */
  work: string;
  /** The agent's CalDAV Authorization value (what clients send as X-CalDAV-Authorization). */
  auth: string;
  /** Writes this event into the calendar under a fresh name; its URL. */
  put(ics: string): Promise<string>;
}

export function radicaleRig(email: string, env: Record<string, string> = {}): RadicaleRig {
  const rig = {
    async put(ics: string) {
      const href = `${rig.work}${randomUUID()}.ics`;
      expect(await davPut(href, rig.auth, ics)).toBe(201);
      return href;
    },
  } as RadicaleRig;
  beforeAll(async () => {
    rig.radicale = await startRadicale({ alice: `app-${randomUUID()}` });
    rig.work = await rig.radicale.makeCalendar('alice', 'work', { displayName: 'Travail' });
    rig.auth = rig.radicale.basic('alice');
    rig.gw = await startTestGateway({ CALDAV_SERVERS: rig.radicale.url, VISIO_LOCAL_USER_EMAIL: email, ...env });
  }, 60_000);
  afterAll(async () => {
    await rig.radicale?.stop();
  });
  return rig;
}
