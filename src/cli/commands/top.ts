// `wasmbox top CONTAINER`: the container's processes, in docker's columns.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { tabwrite } from '../format.js';
import { checkArgs } from '../usage.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Display the running processes of a container')
    .usage('CONTAINER [ps OPTIONS]')
    .argument('[args...]')
    .action(async (args: string[], _opts: object, self: Command) => {
      checkArgs(self, args, { min: 1 });
      const api = await ctx.containers();
      const top = await api.top(args[0]!);
      const lines = [top.Titles, ...top.Processes].map((row) => row.join('\t') + '\t').join('\n') + '\n';
      // docker's top: tabwriter with minwidth 20, padding 3.
      ctx.stdout.write(tabwrite(lines, { minWidth: 20, padding: 3 }));
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('top'), ctx);
}
