/**
 * Checks HTTP requests and answers against an OpenAPI 3.0 or 3.1 document: operation, parameters, content types
 * and bodies (JSON Schema through Ajv, after the OpenAPI-to-JSON-Schema conversion of each schema).
 * Test doubles use it so that a drift between the gateway and a published contract fails the tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openapiSchemaToJsonSchema } from '@openapi-contrib/openapi-schema-to-json-schema';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, any>;

export interface ContractViolation {
  where: 'request' | 'response';
  operation: string;
  message: string;
}

export interface MatchedOperation {
  operationId: string;
  method: string;
  /** The documented path template, e.g. `/rooms/{id}`. */
  template: string;
  params: Record<string, string>;
  operation: Json;
}

export interface IncomingRequest {
  method: string;
  /** Path below the server URL, without the query string. */
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  rawBody: string;
}

/** A published contract kept in this repository (testing/contracts), so a fresh clone tests on its own. */
export function referenceFile(name: string): string {
  const path = resolve(import.meta.dirname, '..', 'contracts', name);
  if (!existsSync(path)) throw new Error(`testing/contracts/${name} is missing: the contract tests need it`);
  return path;
}

export class OpenApiContract {
  private readonly ajv: Ajv;
  /** OpenAPI 3.1 schemas are JSON Schema 2020-12 as they stand; 3.0's dialect is converted first. */
  private readonly jsonSchema: boolean;
  private readonly validators = new Map<object, ValidateFunction>();
  readonly document: Json;

  constructor(document: Json) {
    this.document = document;
    this.jsonSchema = /^3\.1\./.test(String(document.openapi ?? ''));
    this.ajv = this.jsonSchema ? new Ajv2020({ allErrors: true, strict: false }) : new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
    // OpenAPI's `password` format is a UI hint, not a constraint.
    this.ajv.addFormat('password', true);
  }

  static load(file: string): OpenApiContract {
    return new OpenApiContract(parse(readFileSync(file, 'utf8')) as Json);
  }

  /** The server path prefix (`/external-api/v1.0` for `https://host/external-api/v1.0`). */
  get basePath(): string {
    const url = this.document.servers?.[0]?.url as string | undefined;
    return url ? new URL(url).pathname.replace(/\/+$/, '') : '';
  }

  /**
   * The operation for a method and path. A trailing slash is not significant (the document writes
   * `/rooms` for GET and `/rooms/` for POST; Django serves the slash form of both).
   */
  match(method: string, path: string): MatchedOperation | null {
    const wanted = trimSlash(path);
    for (const [template, item] of Object.entries(this.document.paths as Json)) {
      const operation = item[method.toLowerCase()] as Json | undefined;
      if (!operation) continue;
      const names: string[] = [];
      const m = templatePattern(template, names).exec(wanted);
      if (!m) continue;
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
      return { operationId: operation.operationId ?? `${method} ${template}`, method: method.toLowerCase(), template, params, operation };
    }
    return null;
  }

  /** The methods the document gives the path, over every template it matches (upper case; empty: no such path). */
  methodsAt(path: string): string[] {
    const wanted = trimSlash(path);
    const methods = new Set<string>();
    for (const [template, item] of Object.entries(this.document.paths as Json)) {
      if (!templatePattern(template, []).test(wanted)) continue;
      for (const key of Object.keys(item as Json)) if (HTTP_METHODS.includes(key)) methods.add(key.toUpperCase());
    }
    return [...methods];
  }

  /** Every way the request departs from the document (empty when it conforms). */
  checkRequest(request: IncomingRequest): { matched: MatchedOperation | null; body: unknown; violations: ContractViolation[] } {
    const violations: ContractViolation[] = [];
    const matched = this.match(request.method, request.path);
    const v = (operation: string, message: string) => violations.push({ where: 'request', operation, message });
    if (!matched) {
      v(`${request.method} ${request.path}`, 'no such operation in the document');
      return { matched, body: undefined, violations };
    }
    const { operation, operationId, params } = matched;
    const declared = (operation.parameters ?? []).map((p: Json) => this.deref(p)) as Json[];

    for (const p of declared.filter((p) => p.in === 'path')) {
      this.checkValue(p.schema, coerce(params[p.name]!, p.schema), `path parameter ${p.name}`, (m) => v(operationId, m));
    }
    const queryDeclared = declared.filter((p) => p.in === 'query');
    for (const key of new Set(request.query.keys())) {
      const p = queryDeclared.find((q) => q.name === key);
      if (!p) v(operationId, `undocumented query parameter "${key}"`);
      else this.checkValue(p.schema, coerce(request.query.get(key)!, p.schema), `query parameter ${key}`, (m) => v(operationId, m));
    }
    for (const p of declared.filter((p) => p.required && p.in === 'query' && !request.query.has(p.name))) v(operationId, `missing query parameter ${p.name}`);

    let body: unknown;
    const requestBody = operation.requestBody ? this.deref(operation.requestBody) : undefined;
    const hasBody = request.rawBody.length > 0;
    if (!requestBody) {
      if (hasBody) v(operationId, 'a body was sent to an operation that takes none');
    } else if (!hasBody) {
      if (requestBody.required) v(operationId, 'the required body is missing');
    } else {
      const type = mediaType(request.contentType);
      const media = type ? requestBody.content?.[type] : undefined;
      if (!media) v(operationId, `content type ${type ?? '(none)'} is not one of ${Object.keys(requestBody.content ?? {}).join(', ')}`);
      else {
        body = parseBody(type!, request.rawBody);
        if (body === undefined) v(operationId, `the body is not valid ${type}`);
        else this.checkValue(media.schema, body, 'body', (m) => v(operationId, m));
      }
    }
    return { matched, body, violations };
  }

  /** Every way an answer departs from the operation's documented responses. */
  checkResponse(matched: MatchedOperation, status: number, contentType: string | undefined, rawBody: string): ContractViolation[] {
    const violations: ContractViolation[] = [];
    const v = (message: string) => violations.push({ where: 'response', operation: matched.operationId, message });
    const declared = matched.operation.responses?.[String(status)] ?? matched.operation.responses?.default;
    if (!declared) {
      v(`status ${status} is not documented`);
      return violations;
    }
    const response = this.deref(declared);
    if (!response.content) {
      if (rawBody.length) v(`status ${status} documents no body, one was sent`);
      return violations;
    }
    const type = mediaType(contentType);
    const media = type ? response.content[type] : undefined;
    if (!media) {
      v(`content type ${type ?? '(none)'} is not documented for status ${status}`);
      return violations;
    }
    const body = parseBody(type!, rawBody);
    if (body === undefined) v(`the ${status} body is not valid ${type}`);
    else this.checkValue(media.schema, body, `${status} body`, v);
    return violations;
  }

  private checkValue(schema: Json | undefined, value: unknown, what: string, report: (message: string) => void): void {
    if (!schema) return;
    const validate = this.validator(schema);
    if (!validate(value)) {
      for (const e of validate.errors ?? []) report(`${what}${e.instancePath} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
    }
  }

  private validator(schema: Json): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      // The converter stamps draft-04; Ajv 8 checks the draft-07 subset the conversion produces.
      const { $schema: _draft, ...converted } = this.jsonSchema ? this.deref(schema, true) : (openapiSchemaToJsonSchema(this.deref(schema, true)) as Json);
      validate = this.ajv.compile(converted);
      this.validators.set(schema, validate);
    }
    return validate;
  }

  /** Resolves local `$ref`s (deeply when asked); the document has no cycles. */
  private deref(node: Json, deep = false): Json {
    if (Array.isArray(node)) return deep ? (node.map((n) => (n && typeof n === 'object' ? this.deref(n, true) : n)) as unknown as Json) : node;
    if (typeof node.$ref === 'string') {
      const target = node.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce((at: Json | undefined, key: string) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], this.document);
      if (!target) throw new Error(`unresolved $ref ${node.$ref}`);
      return this.deref(target, deep);
    }
    if (!deep) return node;
    return Object.fromEntries(Object.entries(node).map(([k, val]) => [k, val && typeof val === 'object' ? this.deref(val, true) : val]));
  }
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** A path template as a pattern: each `{name}` one segment, captured in order (names pushed to `names`). */
function templatePattern(template: string, names: string[]): RegExp {
  return new RegExp(
    `^${trimSlash(template)
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{([^}]+)\}/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`,
  );
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function parseBody(type: string, raw: string): unknown {
  try {
    // application/json and its structured suffix (RFC 6839), as problem+json (RFC 9457).
    if (type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type)) return JSON.parse(raw);
    if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(raw));
  } catch {
    return undefined;
  }
  return raw;
}

// Parameters arrive as text; the schema says which JSON type they stand for.
function coerce(value: string, schema: Json | undefined): unknown {
  if (schema?.type === 'integer' || schema?.type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (schema?.type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}
