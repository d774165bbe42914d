import { randomUUID } from 'node:crypto';
import { startXandikos } from '@visio/testing/xandikos';
import { calendarRouteSuite } from './calendar-suite.ts';

// Xandikos advertises `calendar-auto-scheduling`, not RFC 6638's `calendar-auto-schedule`: it sends
// no invitations, so the answers hand the METHOD:REQUEST file to the agent.
calendarRouteSuite('Xandikos (no RFC 6638 scheduling)', async () => {
  const xandikos = await startXandikos('alice', `x-${randomUUID()}`);
  return { caldavServers: xandikos.url, calendar: xandikos.calendarUrl, authorization: xandikos.basic(), agentEmail: 'alice@example.test', schedules: false, stop: () => xandikos.stop() };
});
