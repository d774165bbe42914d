// A loopback HTTP proxy that holds every request for a fixed delay before passing it on: on loopback a
// round trip costs nothing, over a real network each costs tens of milliseconds. It counts what it passes,
// so a benchmark can print upstream requests per operation.
import { Agent, createServer, request } from 'node:http';

export async function startDelayProxy(target, delayMs) {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  let requests = 0;
  const byMethod = new Map();
  // When each request arrived and when its answer was passed back in full (this process's clock), so a
  // benchmark can tell its client's own time from the time spent upstream.
  const timeline = [];
  const server = createServer((req, res) => {
    requests++;
    const entry = { method: req.method, arrived: performance.now(), answered: Number.NaN };
    timeline.push(entry);
    if (timeline.length > 1000) timeline.shift();
    res.on('finish', () => {
      entry.answered = performance.now();
    });
    byMethod.set(req.method, (byMethod.get(req.method) ?? 0) + 1);
    // The body waits, paused, in the incoming stream while the request is held.
    setTimeout(() => {
      // Host is kept: absolute URLs the server builds point back through the proxy.
      const out = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(out);
    }, delayMs);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    /** Requests passed so far, in total and per method. */
    counts: () => ({ total: requests, byMethod: Object.fromEntries(byMethod) }),
    /** The requests that arrived at or after `since` (performance.now()), oldest first. */
    since: (since) => timeline.filter((e) => e.arrived >= since),
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
