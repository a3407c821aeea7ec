// `wasmbox rm [-f] [-v]`: removes containers (-f kills running ones first, -v also removes
// their anonymous volumes).

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { forEachContainer } from '../container-io.js';
import { checkArgs } from '../usage.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Remove one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('[args...]')
    .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
    .option('-l, --link', 'Remove the specified link')
    .option('-v, --volumes', 'Remove anonymous volumes associated with the container')
    .action(async (names: string[], opts: { force?: boolean; volumes?: boolean }, self: Command) => {
      checkArgs(self, names, { min: 1 });
      await forEachContainer(ctx, names, (api, name) => api.remove(name, { force: opts.force === true, volumes: opts.volumes === true }));
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('rm'), ctx);
}
