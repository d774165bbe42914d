import { monitorEventLoopDelay } from 'node:perf_hooks';
import { it } from 'vitest';
import { eventIcs } from './caldav-helpers.ts';
import { startTestGateway } from './harness.ts';
import { startHostileCaldav } from './hostile-caldav.ts';
const AUTH = `Basic ${Buffer.from('alice:secret').toString('base64')}`;
import { setPriority, getPriority } from 'node:os';
it('dbg', async () => {
  console.log('prio', getPriority(process.pid));
  setPriority(process.pid, -20);
  const dav = await startHostileCaldav();
  const gw = await startTestGateway({ CALDAV_SERVERS: dav.url });
  const yearAgo = new Date(Date.now() - 365 * 86400000);
  const measure = async (label: string) => {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const t = performance.now();
    const r = await gw.json('/v1/meetings/upcoming', { headers: { 'x-caldav-authorization': AUTH } });
    h.disable();
    console.log(label, r.status, (h.max / 1e6).toFixed(1), 'ms max', (performance.now() - t).toFixed(0), 'ms total', r.body.items?.length, r.body.skipped?.length);
  };
  await new Promise((r) => setTimeout(r, 500));
  dav.objects.set('a.ics', { data: eventIcs('a', { location: 'https://visio.numerique.gouv.fr/abc-defg-hij' }), etag: '"1"' });
  await measure('benign cold');
  await measure('benign warm');
  for (let i = 0; i < 10; i++)
    dav.objects.set(`s${i}.ics`, { data: eventIcs(`s${i}`, { start: yearAgo, rrule: 'FREQ=SECONDLY', minutes: 1, location: 'https://visio.numerique.gouv.fr/abc-defg-hij' }), etag: '"1"' });
  await measure('secondly');
  await measure('secondly again');
  dav.objects.set('never.ics', {
    data: eventIcs('never', { start: yearAgo, rrule: 'FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30', minutes: 1, location: 'https://visio.numerique.gouv.fr/abc-defg-hij' }),
    etag: '"1"',
  });
  await measure('never');
  await measure('never again');
  await dav.close();
}, 60000);
