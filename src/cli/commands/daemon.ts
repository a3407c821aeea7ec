// `wasmbox daemon`: serves the Docker Engine API for the engine under the wasmbox root, on a
// unix socket (default $XDG_RUNTIME_DIR/wasmbox.sock, else <root>/wasmbox.sock) and/or TCP,
// so `DOCKER_HOST=unix://… docker …` works. Stops cleanly on SIGINT/SIGTERM.

import type { Command } from 'commander';
import { join } from 'node:path';
import { createApi } from '../../api/api.js';
import { openNodeEngine } from '../../platform/node/engine.js';
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
    .option('--insecure-registry <host>', 'Reach this registry over plain http (repeatable; also WASMBOX_INSECURE_REGISTRIES; loopback always is)', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (args: string[], opts: DaemonOptions, self: Command) => {
      checkArgs(self, args, { none: true });
      const level = (opts.debug ? 'debug' : opts.logLevel) as Level;
      if (!LEVELS.includes(level)) throw new ExitError(125, `invalid log level "${opts.logLevel}": use debug, info, warn or error`);
      const root = opts.root ?? wasmboxRoot(ctx.env);
      const log = logger(ctx, level);
      const listen = (opts.host.length > 0 ? opts.host : [`unix://${defaultSocket(ctx.env, root)}`]).map(parseListenAddress);
      // Handlers first: a signal during start-up must still shut down cleanly.
      const stop = untilSignal();
      const engine = await openNodeEngine(root, { registry: { insecureRegistries: insecureRegistries(ctx, opts), userAgent: 'wasmbox-daemon' } });
      const api = createApi(engine, { logger: log });
      const server = await serve(api, { listen, logger: log });
      log.info(`wasmbox daemon ${engine.system.version} started (root ${root})`);
      const sig = await stop;
      log.info(`received ${sig}, shutting down`);
      await engine.close();
      await server.close();
      log.info('daemon shutdown complete');
    });
}
