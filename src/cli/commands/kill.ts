// `wasmbox kill [-s SIG]`: sends a signal (KILL by default) to running containers.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { forEachContainer } from '../container-io.js';
import { checkArgs } from '../usage.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Kill one or more running containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('[args...]')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .action(async (names: string[], opts: { signal?: string }, self: Command) => {
      checkArgs(self, names, { min: 1 });
      await forEachContainer(ctx, names, (api, name) => api.kill(name, opts.signal !== undefined ? { signal: opts.signal } : {}));
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('kill'), ctx);
}
