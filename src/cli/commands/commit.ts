// `wasmbox commit [-m] [-a] [-c]… CONTAINER [REPO[:TAG]]`: a new image from a container's
// changes; prints its id.

import type { Command } from 'commander';
import type { CommitOptions } from '../../engine/container-types.js';
import { tryParseReference } from '../../image/reference.js';
import { type CliContext, ExitError } from '../context.js';
import { checkArgs } from '../usage.js';

// No default ([]): commander would print "(default: [])" in --help.
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description("Create a new image from a container's changes")
    .usage('[OPTIONS] CONTAINER [REPOSITORY[:TAG]]')
    .argument('[args...]')
    .option('-a, --author <string>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <string>', 'Commit message')
    .option('-p, --pause', 'Pause container during commit (default true)')
    .action(async (args: string[], opts: { author?: string; change?: string[]; message?: string }, self: Command) => {
      checkArgs(self, args, { min: 1 });
      checkArgs(self, args, { max: 2 });
      const options: CommitOptions = { changes: opts.change ?? [] };
      if (opts.author !== undefined) options.author = opts.author;
      if (opts.message !== undefined) options.comment = opts.message;
      if (args[1] !== undefined) {
        const ref = tryParseReference(args[1]);
        if (!ref || ref.digest) throw new ExitError(1, `invalid reference format: ${args[1]}`);
        const at = args[1].lastIndexOf(':');
        const hasTag = at > args[1].lastIndexOf('/');
        options.repo = hasTag ? args[1].slice(0, at) : args[1];
        options.tag = hasTag ? args[1].slice(at + 1) : 'latest';
      }
      const api = await ctx.containers();
      const { Id } = await api.commit(args[0]!, options);
      ctx.stdout.write(`${Id}\n`);
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('commit'), ctx);
}
