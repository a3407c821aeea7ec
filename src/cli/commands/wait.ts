// `wasmbox wait`: blocks until the containers stop, then prints their exit codes.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { forEachContainer } from '../container-io.js';
import { checkArgs } from '../usage.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Block until one or more containers stop, then print their exit codes')
    .usage('CONTAINER [CONTAINER...]')
    .argument('[args...]')
    .action(async (names: string[], _opts: object, self: Command) => {
      checkArgs(self, names, { min: 1 });
      await forEachContainer(
        ctx,
        names,
        async (api, name) => {
          const result = await api.wait(name, { condition: 'not-running' });
          ctx.stdout.write(`${result.StatusCode}\n`);
        },
        { print: false },
      );
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('wait'), ctx);
}
