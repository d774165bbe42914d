/**
 * Request bodies above the limit are refused with a problem before any route reads them. Under the Node
 * server the body is read here, straight from the socket stream, into Hono's body cache: the route's
 * validators then parse it without the web Request, AbortSignal and ReadableStream that reading through
 * `c.req.raw` would build for every request. Elsewhere (`app.request()`), Hono's own body limit.
 */
import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { ProblemError, problemResponse } from '../problem.js';
import { nodeIncoming } from './node-response.js';

export const MAX_BODY_BYTES = 64 * 1024;

// Like Response.text(): UTF-8, a leading BOM dropped, bad sequences replaced.
const utf8 = new TextDecoder();

/** The body, or null once it passes `maxSize` (reading stops there). */
function readUpTo(incoming: IncomingMessage, maxSize: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | null) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxSize) done(null);
      else chunks.push(chunk);
    };
    const onEnd = () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    const onError = (error: Error) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError);
      reject(error);
    };
    incoming.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

export function bodyLimit(maxSize = MAX_BODY_BYTES): MiddlewareHandler {
  const tooLarge = new ProblemError(413, 'payloadTooLarge', 'Request body too large', `The limit is ${maxSize / 1024} KB.`);
  const elsewhere = honoBodyLimit({ maxSize, onError: (c) => problemResponse(c, tooLarge) });
  return async (c, next) => {
    const incoming = nodeIncoming(c);
    if (!incoming) return elsewhere(c, next);
    const { 'content-length': declared, 'transfer-encoding': chunked } = incoming.headers;
    // Without either header an HTTP/1.1 request has no body (RFC 9112, 6.3).
    if (declared === undefined && chunked === undefined) return next();
    if (chunked === undefined && Number(declared) > maxSize) return problemResponse(c, tooLarge);
    const body = await readUpTo(incoming, maxSize);
    if (!body) return problemResponse(c, tooLarge);
    const cache = c.req.bodyCache as Record<string, Promise<unknown>>;
    cache.text = Promise.resolve(utf8.decode(body));
    cache.arrayBuffer = Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
    return next();
  };
}
