// `wasmbox diff`: the changes of a container's file system against its image, as docker's
// "A /added", "C /changed", "D /deleted" lines.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { checkArgs } from '../usage.js';

const KIND = ['C', 'A', 'D'] as const;

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description("Inspect changes to files or directories on a container's filesystem")
    .usage('CONTAINER')
    .argument('[args...]')
    .action(async (args: string[], _opts: object, self: Command) => {
      checkArgs(self, args, { exactly: 1 });
      const api = await ctx.containers();
      const changes = await api.changes(args[0]!);
      ctx.stdout.write(changes.map((c) => `${KIND[c.Kind]} ${c.Path}\n`).join(''));
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('diff'), ctx);
}
