/**
 * What travels on the wire between clients and the gateway, beyond the JSON bodies: header names, the
 * client id's shape, problem type URIs. Plain constants (no zod), so every client, the gateway's CORS
 * list and its routes name them the same way.
 */

/** Which client calls (`outlook`, `thunderbird`, `browser`, `page`), recorded in the audit trail. */
export const CLIENT_HEADER = 'x-visio-client';
/** The agent's CalDAV credentials (an HTTP Authorization value), sent with each calendar request. */
export const CALDAV_AUTH_HEADER = 'x-caldav-authorization';
/** Which allowed CalDAV server to use; optional when only one is allowed. */
export const CALDAV_SERVER_HEADER = 'x-caldav-server';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REQUEST_ID_HEADER = 'x-request-id';

/** Every request header a browser client may send: the gateway's CORS allow list. */
export const REQUEST_HEADERS = ['authorization', 'content-type', IDEMPOTENCY_HEADER, CLIENT_HEADER, REQUEST_ID_HEADER, CALDAV_AUTH_HEADER, CALDAV_SERVER_HEADER] as const;

/** A client id (VISIO_CLIENTS, X-Visio-Client, the sign-in's client_id): 1-32 lower-case letters, digits or dashes. */
export const CLIENT_ID_PATTERN = /^[a-z0-9-]{1,32}$/;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Every problem type URI starts so; what follows names the problem (`validation`, `not-found`…). */
export const PROBLEM_TYPE_PREFIX = 'urn:visio:problem:';
