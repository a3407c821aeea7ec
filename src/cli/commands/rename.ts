// `wasmbox rename CONTAINER NEW_NAME`.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { forEachContainer } from '../container-io.js';
import { checkArgs } from '../usage.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Rename a container')
    .usage('CONTAINER NEW_NAME')
    .argument('[args...]')
    .action(async (args: string[], _opts: object, self: Command) => {
      checkArgs(self, args, { exactly: 2 });
      await forEachContainer(ctx, [args[0]!], (api, name) => api.rename(name, args[1]!), { print: false });
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('rename'), ctx);
}
