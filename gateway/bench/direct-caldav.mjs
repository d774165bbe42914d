// The benchmarks' direct path, the yardstick the gateway is measured against: the same CalDAV requests
// sent with tsdav, no gateway in between (caldav.mjs on Radicale, switch.mjs on SOGo).
import { updateCalendarObject } from 'tsdav';
import { generateRoomCode } from '@visio/shared';

/** Runs `fn` on every item with at most `limit` in flight; the results in the items' order. */
export async function pool(items, limit, fn) {
  let next = 0;
  const results = new Array(items.length);
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * What the gateway does to add a room to one event, done directly: GET, `patch(ics, room)` with a fresh
 * room, PUT with tsdav under the ETag read (If-Match).
 */
export async function patchEventDirect(href, authorization, patch) {
  const got = await fetch(href, { headers: { authorization } });
  const data = await got.text();
  const code = generateRoomCode();
  const patched = patch(data, { code, url: `https://visio.numerique.gouv.fr/${code}` });
  const r = await updateCalendarObject({ calendarObject: { url: href, etag: got.headers.get('etag'), data: patched }, headers: { authorization } });
  if (!r.ok) throw new Error(`direct PUT ${r.status}`);
}
