// `wasmbox create`: `docker create` — the container is made (with run's flags) but not
// started; prints its id.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type CreateFlags, addCreateFlags, createBody } from '../container-flags.js';
import { checkArgs, commandPath } from '../usage.js';
import { createContainer } from './run.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  addCreateFlags(cmd, { run: false })
    .description('Create a new container')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .argument('[args...]')
    .action(async (all: string[], flags: CreateFlags, self: Command) => {
      checkArgs(self, all, { min: 1 });
      const body = createBody(flags, all[0]!, all.slice(1), ctx.env);
      const api = await ctx.containers();
      const id = await createContainer(ctx, api, body, { commandPath: commandPath(self), ...(flags.name !== undefined ? { name: flags.name } : {}) });
      ctx.stdout.write(`${id}\n`);
    });
  return cmd;
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('create'), ctx);
}
