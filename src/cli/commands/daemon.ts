// `wasmbox daemon`: serves the Docker Engine API for the engine under the wasmbox root, on a
// unix socket (default $XDG_RUNTIME_DIR/wasmbox.sock, else <root>/wasmbox.sock) and/or TCP,
// so `DOCKER_HOST=unix://… docker …` works. Stops cleanly on SIGINT/SIGTERM. Keeps a pid file
// (default <root>/wasmbox.pid); `--detach` starts it in the background, logging to <root>/daemon.log.

import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { daemonAnswers } from '../../platform/node/http-transport.js';
import { createApi } from '../../api/api.js';
import { openNodeEngine } from '../../platform/node/engine.js';
import { createNodeWorkerFactory } from '../../platform/node/worker.js';
import { parseListenAddress, serve } from '../../platform/node/server.js';
import type { ServerLogger } from '../../platform/node/server.js';
import { wasmboxRoot } from '../../platform/node/stores.js';
import { type CliContext, ExitError } from '../context.js';
import { insecureRegistries } from '../registry-options.js';
import { checkArgs } from '../usage.js';

interface DaemonOptions {
  host: string[];
  root?: string;
  debug?: boolean;
  logLevel?: string;
  insecureRegistry?: string[];
  detach?: boolean;
  pidfile?: string;
}

/** The pid in `pidfile` if that process is alive. */
export async function runningDaemonPid(pidfile: string): Promise<number | undefined> {
  const text = await readFile(pidfile, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    // EPERM: alive, but someone else's.
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** The command line that runs this same wasmbox (its loader flags kept, `-e` scripts dropped). */
function selfCommand(): { command: string; args: string[] } {
  const script = process.argv[1];
  if (script === undefined || !existsSync(script)) {
    throw new ExitError(1, 'wasmbox daemon --detach: cannot find the wasmbox script to start in the background; run `wasmbox daemon &` instead');
  }
  const execArgv: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const a = process.execArgv[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') i++;
    else if (!a.startsWith('--eval=') && !a.startsWith('--print=')) execArgv.push(a);
  }
  return { command: process.execPath, args: [...execArgv, script] };
}

/** Starts the daemon in the background, waits until it answers on `host`, and returns its pid. */
async function detach(ctx: CliContext, opts: DaemonOptions, root: string, host: string, pidfile: string): Promise<number> {
  await mkdir(root, { recursive: true });
  const logPath = join(root, 'daemon.log');
  const args = ['daemon', '--root', root, '--pidfile', pidfile, '--log-level', opts.debug ? 'debug' : (opts.logLevel ?? 'info')];
  for (const h of opts.host.length > 0 ? opts.host : [host]) args.push('-H', h);
  for (const r of opts.insecureRegistry ?? []) args.push('--insecure-registry', r);
  const self = selfCommand();
  const log = openSync(logPath, 'a');
  let exited: number | null | undefined;
  try {
    const child = spawn(self.command, [...self.args, ...args], { detached: true, stdio: ['ignore', log, log], env: { ...ctx.env } as NodeJS.ProcessEnv });
    child.on('exit', (code) => (exited = code));
    child.on('error', () => (exited = -1));
    child.unref();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (exited !== undefined) throw new ExitError(1, `wasmbox daemon exited during start-up (status ${exited}); see ${logPath}`);
      if (await daemonAnswers(host, { timeoutMs: 200 })) return child.pid!;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new ExitError(1, `wasmbox daemon did not answer on ${host} within 30 s; see ${logPath}`);
  } finally {
    closeSync(log);
  }
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/** The socket path used when no -H is given. */
export function defaultSocket(env: Record<string, string | undefined>, root: string): string {
  return env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'wasmbox.sock') : join(root, 'wasmbox.sock');
}

function logger(ctx: CliContext, min: Level): ServerLogger {
  const at = (level: Level) => (message: string) => {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(min)) return;
    ctx.stderr.write(`time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(message)}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('daemon')
    .description('Serve the Docker Engine API (for the docker CLI, docker-compose, dockerode)')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-H, --host <address>', 'Daemon socket to listen on: unix:///path.sock or tcp://127.0.0.1:2375 (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--root <dir>', 'Root directory of wasmbox state (default: $WASMBOX_ROOT or the XDG data dir)')
    .option('-D, --debug', 'Enable debug mode (log every request)')
    .option('-l, --log-level <level>', 'Set the logging level ("debug"|"info"|"warn"|"error")', 'info')
    .option('-d, --detach', 'Run in the background (log to <root>/daemon.log); exit once the daemon answers')
    .option('-p, --pidfile <path>', 'Path of the pid file (default <root>/wasmbox.pid)')
    .option('--insecure-registry <host>', 'Reach this registry over plain http (repeatable; also WASMBOX_INSECURE_REGISTRIES; loopback always is)', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (args: string[], opts: DaemonOptions, self: Command) => {
      checkArgs(self, args, { none: true });
      const level = (opts.debug ? 'debug' : opts.logLevel) as Level;
      if (!LEVELS.includes(level)) throw new ExitError(125, `invalid log level "${opts.logLevel}": use debug, info, warn or error`);
      const root = opts.root ?? wasmboxRoot(ctx.env);
      const log = logger(ctx, level);
      const hosts = opts.host.length > 0 ? opts.host : [`unix://${defaultSocket(ctx.env, root)}`];
      const listen = hosts.map(parseListenAddress);
      const pidfile = opts.pidfile ?? join(root, 'wasmbox.pid');
      const running = await runningDaemonPid(pidfile);
      if (running !== undefined) throw new ExitError(1, `wasmbox daemon is already running (pid ${running}, pid file ${pidfile})`);
      if (opts.detach) {
        const pid = await detach(ctx, opts, root, hosts[0]!, pidfile);
        ctx.stdout.write(`wasmbox daemon started (pid ${pid}), listening on ${hosts.join(', ')}\n`);
        return;
      }
      // Written before the socket answers, so whoever waits for /_ping finds the pid file.
      await mkdir(root, { recursive: true });
      await writeFile(pidfile, `${process.pid}\n`);
      // Handlers first: a signal during start-up must still shut down cleanly.
      const stop = untilSignal();
      const engine = await openNodeEngine(root, {
        registry: { insecureRegistries: insecureRegistries(ctx, opts), userAgent: 'wasmbox-daemon' },
        // A long-lived daemon keeps one worker thread loaded ahead: a container start then
        // skips the thread's own start-up (~43 -> ~28 ms in bench/runner.bench.ts).
        workerFactory: createNodeWorkerFactory({ prewarm: 1 }),
      });
      const api = createApi(engine, { logger: log });
      const server = await serve(api, { listen, logger: log });
      log.info(`wasmbox daemon ${engine.system.version} started (root ${root}, pid ${process.pid})`);
      const sig = await stop;
      log.info(`received ${sig}, shutting down`);
      await engine.close();
      await server.close();
      if ((await runningDaemonPid(pidfile)) === process.pid) await unlink(pidfile).catch(() => undefined);
      log.info('daemon shutdown complete');
    });
}
