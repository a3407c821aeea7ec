// `wasmbox stop [-t N]`: asks each container to stop, then kills it after the timeout.

import type { Command } from 'commander';
import { type CliContext, ExitError } from '../context.js';
import { forEachContainer } from '../container-io.js';
import { checkArgs } from '../usage.js';

export interface TimeoutOptions {
  time?: string;
  signal?: string;
}

/** `-t 5` as seconds (docker's flag is an int). */
export function timeoutOf(value: string | undefined): { timeout?: number } {
  if (value === undefined) return {};
  const n = Number(value);
  if (!Number.isInteger(n)) throw new ExitError(125, `invalid argument "${value}" for "-t, --time" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
  return { timeout: n };
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Stop one or more running containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('[args...]')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .option('-t, --time <int>', 'Seconds to wait before killing the container')
    .action(async (names: string[], opts: TimeoutOptions, self: Command) => {
      checkArgs(self, names, { min: 1 });
      const timeout = timeoutOf(opts.time);
      await forEachContainer(ctx, names, (api, name) => api.stop(name, timeout));
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('stop'), ctx);
}
