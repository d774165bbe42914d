/**
 * Debian's Cyrus IMAP 3.6 with its CalDAV httpd (RFC 6638 server-side scheduling) on free loopback
 * ports, in a throwaway folder: its own imapd.conf and cyrus.conf (passed with -C/-M to the master and
 * every service, so /etc is never read), a sasldb of plain passwords, and an SMTP sink that takes the
 * iMIP invitations Cyrus mails to attendees outside its own users.
 *
 * Users' mailboxes are made over IMAP by an admin (`CREATE user/<name>`); each user then signs in once
 * over HTTP, which provisions the calendars (`Default`, `Inbox`, `Outbox`), so invitations reach them.
 * Cyrus refuses to run as root: as root the master runs as Debian's `cyrus` user. Cyrus logs only to
 * syslog; set CYRUS_DEBUG_DIR to keep its folder (its telemetry goes to conf/log/<user>/ there).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuthorization, mkcalendar, type CalendarOptions } from './caldav.ts';
import { freePort, ProcessExited, waitFor } from './ports.ts';

export const CYRUS_BIN = process.env.CYRUS_BIN ?? '/usr/lib/cyrus/bin';
const SASLPASSWD = '/usr/sbin/saslpasswd2';
const REALM = 'example.test';

export interface CyrusServer {
  /** CalDAV root, `http://127.0.0.1:<port>/dav/`. */
  url: string;
  origin: string;
  /** The users' mail domain: `<user>@example.test` is each user's calendar address. */
  domain: string;
  basic(user: string): string;
  /** The calendar Cyrus provisions, `<origin>/dav/calendars/user/<user>/Default/`. */
  calendarUrl(user: string): string;
  makeCalendar(user: string, name: string, options?: CalendarOptions): Promise<string>;
  /** iMIP messages Cyrus sent by SMTP (to attendees that are not its users). */
  mail(): { from: string; to: string[]; data: string }[];
  /** From now on the SMTP sink refuses (550) or accepts recipients: how a failed invitation looks. */
  refuseMail(refuse: boolean): void;
  output(): string;
  stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function ids(user: string): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
  return { uid, gid };
}

function chownTree(path: string, owner: { uid: number; gid: number }): void {
  chownSync(path, owner.uid, owner.gid);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), owner);
}

/** A minimal SMTP server that accepts every message (RFC 5321 commands Cyrus's client sends). */
function smtpSink(messages: { from: string; to: string[]; data: string }[], refusing: () => boolean): Server {
  return createServer((socket: Socket) => {
    let buffer = '';
    let from = '';
    let to: string[] = [];
    let inData = false;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 visio-test-smtp ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          messages.push({ from, to, data: buffer.slice(0, end).replace(/\r\n\.\./g, '\r\n.') });
          buffer = buffer.slice(end + 5);
          inData = false;
          to = [];
          reply('250 OK queued');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 visio-test-smtp');
        else if (verb === 'MAIL') (from = /<([^>]*)>/.exec(line)?.[1] ?? ''), reply('250 OK');
        else if (verb === 'RCPT' && refusing()) reply('550 5.1.1 No such user here');
        else if (verb === 'RCPT') to.push(/<([^>]*)>/.exec(line)?.[1] ?? ''), reply('250 OK');
        else if (verb === 'DATA') (inData = true), reply('354 End data with <CR><LF>.<CR><LF>');
        else if (verb === 'QUIT') reply('221 Bye'), socket.end();
        else reply('250 OK');
      }
    });
    socket.on('error', () => undefined);
  });
}

/** Logs in over IMAP as the admin and creates each user's mailbox (`user/<name>`). */
function createMailboxes(port: number, admin: string, password: string, users: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const commands = [`a0 LOGIN ${admin} ${password}`, ...users.map((u, i) => `a${i + 1} CREATE user/${u}`), `z LOGOUT`];
    let buffer = '';
    let next = 0;
    const timer = setTimeout(() => fail(new Error(`IMAP timed out: ${buffer.slice(-500)}`)), 15_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.on('error', fail);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      // The greeting, then one tagged answer per command.
      const tag = next === 0 ? '* OK' : `${commands[next - 1]!.split(' ')[0]} `;
      const line = buffer.split('\r\n').find((l) => l.startsWith(tag));
      if (!line) return;
      if (next > 0 && !/^\S+ OK/.test(line) && !line.startsWith('z ')) return fail(new Error(`IMAP ${commands[next - 1]!.replace(password, '***')}: ${line}`));
      buffer = '';
      if (next === commands.length) {
        clearTimeout(timer);
        socket.end();
        resolve();
        return;
      }
      socket.write(`${commands[next++]}\r\n`);
    });
  });
}

export async function startCyrus(users: Record<string, string>): Promise<CyrusServer> {
  const missing = ['master', 'httpd', 'imapd', 'ctl_cyrusdb']
    .map((b) => join(CYRUS_BIN, b))
    .concat(SASLPASSWD)
    .filter((p) => !existsSync(p));
  if (missing.length) throw new Error(`Cyrus's test server needs ${missing.join(', ')}: run npm test as root (it installs Debian's cyrus-imapd, cyrus-caldav and sasl2-bin)`);
  const owner = isRoot() ? ids('cyrus') : null;
  if (owner && !Number.isInteger(owner.uid)) throw new Error('the Debian cyrus-common package should have created the system user "cyrus"; reinstall it');
  const dir = mkdtempSync(join(tmpdir(), 'visio-cyrus-'));
  chmodSync(dir, 0o755);
  const conf = join(dir, 'conf');
  for (const sub of ['db', 'socket', 'log', 'msg', 'user', 'quota', 'sieve', 'proc', 'lock', 'ptclient']) mkdirSync(join(conf, sub), { recursive: true });
  mkdirSync(join(dir, 'spool'));
  const [httpPort, imapPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
  const admin = 'cyrusadmin';
  const adminPassword = `admin-${Math.random().toString(36).slice(2)}`;
  writeFileSync(
    join(dir, 'imapd.conf'),
    [
      `configdirectory: ${conf}`,
      'defaultpartition: default',
      `partition-default: ${join(dir, 'spool')}`,
      `proc_path: ${join(conf, 'proc')}`,
      `mboxname_lockpath: ${join(conf, 'lock')}`,
      `lmtpsocket: ${join(conf, 'socket', 'lmtp')}`,
      `idlesocket: ${join(conf, 'socket', 'idle')}`,
      `notifysocket: ${join(conf, 'socket', 'notify')}`,
      `admins: ${admin}`,
      `servername: ${REALM}`,
      `defaultdomain: ${REALM}`,
      'allowplaintext: yes',
      'sasl_pwcheck_method: auxprop',
      'sasl_auxprop_plugin: sasldb',
      `sasl_sasldb_path: ${join(dir, 'sasldb2')}`,
      'sasl_mech_list: PLAIN',
      'httpmodules: caldav',
      'caldav_create_default: yes',
      'caldav_create_sched: yes',
      'smtp_backend: host',
      `smtp_host: 127.0.0.1:${smtpPort}`,
      'syslog_prefix: cyrus-visio-test',
      '',
    ].join('\n'),
  );
  const config = join(dir, 'imapd.conf');
  writeFileSync(
    join(dir, 'cyrus.conf'),
    [
      'START {',
      `  recover cmd="ctl_cyrusdb -C ${config} -r"`,
      '}',
      'SERVICES {',
      `  imap cmd="imapd -C ${config}" listen="127.0.0.1:${imapPort}" prefork=0`,
      `  http cmd="httpd -C ${config}" listen="127.0.0.1:${httpPort}" prefork=0`,
      '}',
      'EVENTS {',
      '}',
      'DAEMON {',
      '}',
      '',
    ].join('\n'),
  );
  for (const [user, password] of [...Object.entries(users), [admin, adminPassword] as const]) {
    const r = spawnSync(SASLPASSWD, ['-c', '-p', '-f', join(dir, 'sasldb2'), '-u', REALM, user], { input: password, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`saslpasswd2 ${user} failed: ${r.stderr}`);
  }
  if (owner) chownTree(dir, owner);

  const mail: { from: string; to: string[]; data: string }[] = [];
  let refusing = false;
  const smtp = smtpSink(mail, () => refusing);
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
  let output = '';
  const master: ChildProcess = spawn(join(CYRUS_BIN, 'master'), ['-C', config, '-M', join(dir, 'cyrus.conf'), '-p', join(dir, 'master.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' },
    detached: true,
    ...(owner ?? {}),
  });
  master.stdout!.on('data', (d) => (output += d));
  master.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => master.once('exit', () => resolve()));
  const stop = async () => {
    if (master.exitCode === null && master.signalCode === null && master.pid !== undefined) {
      try {
        process.kill(-master.pid, 'SIGKILL');
      } catch {
        master.kill('SIGKILL');
      }
    }
    await exited;
    smtp.close();
    if (!process.env.CYRUS_DEBUG_DIR) rmSync(dir, { recursive: true, force: true });
  };
  const origin = `http://127.0.0.1:${httpPort}`;
  const basic = (user: string) => basicAuthorization(user, users[user] ?? '');
  try {
    await waitFor(
      'Cyrus',
      async () => {
        if (master.exitCode !== null) throw new ProcessExited(`cyrus master exited with ${master.exitCode} (exit 78: configuration refused)`);
        return (await fetch(`${origin}/dav/`, { method: 'OPTIONS' })).status < 500;
      },
      30_000,
      () => output,
    );
    await createMailboxes(imapPort, admin, adminPassword, Object.keys(users));
    // The first signed-in request provisions the user's calendars; invitations reach only those.
    for (const user of Object.keys(users)) {
      const r = await fetch(`${origin}/dav/calendars/user/${user}/`, { method: 'PROPFIND', headers: { authorization: basic(user), depth: '1' } });
      await r.text();
      if (r.status !== 207) throw new Error(`Cyrus refused user ${user} (${r.status})`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `${origin}/dav/`,
    origin,
    domain: REALM,
    basic,
    calendarUrl: (user) => `${origin}/dav/calendars/user/${user}/Default/`,
    makeCalendar: (user, name, options = {}) => mkcalendar(`${origin}/dav/calendars/user/${user}/${name}/`, basic(user), name, options),
    mail: () => mail,
    refuseMail: (refuse) => {
      refusing = refuse;
    },
    output: () => output,
    stop,
  };
}
