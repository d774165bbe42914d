// `npm start`: install, build, then run the gateway on its embedded default.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pnpm, pnpmInstall, root } from './lib/run.mjs';

pnpmInstall();
pnpm(['--filter', '@visio/gateway...', 'run', 'build']);
const child = spawn(process.execPath, [join(root, 'gateway', 'dist', 'main.js')], { stdio: 'inherit', cwd: root });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 1)));
