// `wasmbox unpause`: resumes the processes of paused containers.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { forEachContainer } from '../container-io.js';
import { checkArgs } from '../usage.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Unpause all processes within one or more containers')
    .usage('CONTAINER [CONTAINER...]')
    .argument('[args...]')
    .action(async (names: string[], _opts: object, self: Command) => {
      checkArgs(self, names, { min: 1 });
      await forEachContainer(ctx, names, (api, name) => api.unpause(name));
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('unpause'), ctx);
}
