// Counts database round trips at the wire: a loopback TCP relay in front of PostgreSQL that reads the
// client's protocol messages. A round trip ends with Sync (extended protocol: Parse/Bind/Execute/Sync sent
// together) or is one simple Query; see the PostgreSQL frontend/backend protocol, "Message Flow".
import { createServer, connect } from 'node:net';

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;

/** A relay to `target` (host:port); `roundTrips()` is the number of Sync + Query messages clients sent. */
export async function startRoundTripCounter(target) {
  let roundTrips = 0;
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let buffered = Buffer.alloc(0);
    // Until the startup message, messages have no type byte (SSLRequest and GSSENCRequest come first).
    let started = false;
    client.on('data', (chunk) => {
      upstream.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (!started) {
          if (buffered.length < 8) break;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) break;
          const code = buffered.readInt32BE(4);
          if (code !== SSL_REQUEST && code !== GSS_REQUEST) started = true;
          buffered = buffered.subarray(length);
          continue;
        }
        if (buffered.length < 5) break;
        const length = buffered.readInt32BE(1);
        if (buffered.length < length + 1) break;
        const type = String.fromCharCode(buffered[0]);
        if (type === 'S' || type === 'Q') roundTrips++;
        buffered = buffered.subarray(length + 1);
      }
    });
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    roundTrips: () => roundTrips,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        for (const socket of sockets) socket.destroy();
      }),
  };
}
