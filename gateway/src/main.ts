#!/usr/bin/env node
/** `node dist/main.js`: the gateway process. */
import { ConfigError } from './config.js';
import { startGateway } from './server.js';
import { StoreUnavailableError } from './store/store.js';

try {
  const gateway = await startGateway();
  const { settings } = gateway;
  // Signals are handled before the banner says the gateway listens: a stop sent on reading it is graceful.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: finishing requests, then stopping\n`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    gateway.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const mode = settings.auth.mode === 'local' ? `local single-user mode, acting as ${settings.auth.user.email}` : `sign-in required (OpenID Connect: ${settings.auth.issuer})`;
  process.stderr.write(
    `\nVisio gateway listening on ${gateway.url}\n` +
      `  room provider: ${settings.provider} (links on ${settings.instanceUrl})\n` +
      `  store: ${settings.database?.description ?? `SQLite in ${settings.dataDir}`}\n` +
      `  mode: ${mode}\n\n`,
  );
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof StoreUnavailableError) {
    // The orchestrator restarts the process; the URL is not printed (it may hold a password).
    process.stderr.write(`The database named by DATABASE_URL cannot be reached: ${(error.cause as Error | undefined)?.message ?? 'unknown error'}\n`);
    process.exit(1);
  }
  throw error;
}
