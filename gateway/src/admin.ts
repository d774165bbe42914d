#!/usr/bin/env node
/**
 * `node dist/admin.js service-key create --name caldav --scope rooms:write [--scope rooms:read]`
 * `node dist/admin.js service-key list` · `node dist/admin.js service-key revoke <id or name>`
 * Uses the same environment (DATABASE_URL or VISIO_DATA_DIR...) as the gateway. The key is printed once, stored hashed.
 */
import { parseArgs } from 'node:util';
import { SCOPES, createServiceKey } from './auth/tokens.js';
import { ConfigError, loadSettings } from './config.js';
import { openStore } from './server.js';

const USAGE = `Usage:
  admin service-key create --name <name> --scope <scope> [--scope <scope>...]
  admin service-key list
  admin service-key revoke <id-or-name>
Scopes: ${SCOPES.join(', ')}`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, scope: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
  });
  const [group, command, target] = positionals;
  if (values.help || group !== 'service-key' || !command) fail(USAGE, values.help ? 0 : 2);
  let settings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  // The configured store: PostgreSQL with DATABASE_URL, else the SQLite file in VISIO_DATA_DIR.
  const store = await openStore(settings, { warn: () => {} });
  try {
    switch (command) {
      case 'create': {
        const name = values.name ?? '';
        if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(name)) fail('--name: 1-40 lower-case letters, digits or dashes, e.g. --name caldav');
        const scopes = [...new Set(values.scope ?? [])];
        const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
        if (!scopes.length || unknown.length) fail(`--scope: give one or more of ${SCOPES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
        if ((await store.listServiceKeys()).some((k) => k.name === name && !k.revokedAt)) fail(`an active key named ${name} exists: revoke it first`);
        const { value, record } = await createServiceKey(store, name, scopes);
        process.stdout.write(`${value}\n`);
        process.stderr.write(`Created service key ${record.id} (${name}, scopes ${scopes.join(' ')}). It is shown only now: store it in the calling application's secrets.\n`);
        break;
      }
      case 'list': {
        const keys = await store.listServiceKeys();
        if (!keys.length) process.stderr.write('No service keys.\n');
        for (const k of keys) process.stdout.write(`${k.id}\t${k.name}\t${k.scopes.join(' ')}\tcreated ${k.createdAt}\t${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}\n`);
        break;
      }
      case 'revoke': {
        if (!target) fail('revoke needs the id or name of the key');
        if (!(await store.revokeServiceKey(target, Date.now()))) fail(`no active key with id or name ${target}`, 1);
        process.stderr.write(`Revoked ${target}: it no longer authenticates.\n`);
        break;
      }
      default:
        fail(USAGE);
    }
  } finally {
    await store.close();
  }
}

await main(process.argv.slice(2));
