// Idempotency keys for autocannon's setupRequest, numbered across the whole benchmark process so that none
// is used twice: a key met again is a replay (a lost claim, then a read of the room), another path.
let keysUsed = 0;

/** Adds a key no request of this run has carried (autocannon `setupRequest`). */
export const withFreshKey = (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `bench-${process.pid}-${keysUsed++}` } });
