// `wasmbox export [-o file]`: the container's whole file system as a tar, to a file or to a
// stdout that is not a terminal.

import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { type CliContext, ExitError } from '../context.js';
import { checkArgs } from '../usage.js';

/** Writes a tar stream to `-o file` (atomically enough: the file is created only when data comes) or stdout. */
export async function writeArchive(ctx: CliContext, tar: AsyncIterable<Uint8Array>, output: string | undefined): Promise<void> {
  if (output === undefined || output === '-') {
    if (ctx.stdout.isTTY) throw new ExitError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    for await (const chunk of tar) ctx.stdout.write(chunk);
    return;
  }
  const file = createWriteStream(output);
  const opened = new Promise<void>((resolve, reject) => file.once('open', () => resolve()).once('error', reject));
  await opened;
  try {
    for await (const chunk of tar) {
      if (!file.write(chunk)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
    }
  } finally {
    await new Promise<void>((resolve, reject) => file.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description("Export a container's filesystem as a tar archive")
    .usage('[OPTIONS] CONTAINER')
    .argument('[args...]')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
    .action(async (args: string[], opts: { output?: string }, self: Command) => {
      checkArgs(self, args, { exactly: 1 });
      if (opts.output === undefined && ctx.stdout.isTTY) throw new ExitError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
      const api = await ctx.containers();
      await api.inspect(args[0]!);
      await writeArchive(ctx, api.export(args[0]!), opts.output);
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('export'), ctx);
}
