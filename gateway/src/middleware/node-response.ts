/**
 * Under @hono/node-server, Node's own request and response (`c.env.incoming`, `c.env.outgoing`). Headers every
 * answer of a kind carries (security headers, request id) are written on Node's response: Hono's `c.header()`
 * keeps them in a web Headers, validated on every set and sorted on every read, which cost more than the
 * room route itself. Node merges them with the answer's own headers when it writes the head, the answer's
 * winning. Elsewhere (`app.request()` in tests) they go through `c.header()`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';

interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

export const nodeIncoming = (c: Context): IncomingMessage | undefined => (c.env as NodeBindings | undefined)?.incoming;
const nodeOutgoing = (c: Context): ServerResponse | undefined => (c.env as NodeBindings | undefined)?.outgoing;

/** Sets a response header that the answer itself may still replace. */
export function setResponseHeader(c: Context, name: string, value: string): void {
  const outgoing = nodeOutgoing(c);
  if (outgoing) outgoing.setHeader(name, value);
  else c.header(name, value);
}

/** Sets several, as `setResponseHeader` does. */
export function setResponseHeaders(c: Context, headers: readonly (readonly [string, string])[]): void {
  const outgoing = nodeOutgoing(c);
  if (outgoing) for (const [name, value] of headers) outgoing.setHeader(name, value);
  else for (const [name, value] of headers) c.header(name, value);
}

/** Removes a header from the answer, wherever it was set. */
export function removeResponseHeader(c: Context, name: string): void {
  nodeOutgoing(c)?.removeHeader(name);
  c.header(name, undefined);
}
