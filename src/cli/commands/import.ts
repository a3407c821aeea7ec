// `wasmbox import FILE|- [REPOSITORY[:TAG]]`: a one-layer image (wasi/wasm) from a tar of a file
// system (plain or gzip), like `docker import`; `-c` applies Dockerfile instructions to its
// config, `-m` sets its comment. Prints the new image's id.

import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type CliContext, ExitError } from '../context.js';
import { checkArgs } from '../usage.js';

interface ImportCliOptions {
  change: string[];
  message?: string;
  platform?: string;
}

async function openSource(ctx: CliContext, file: string): Promise<AsyncIterable<Uint8Array>> {
  if (file === '-') {
    if (ctx.stdin.isTTY) throw new ExitError(1, 'requested import from stdin, but stdin is a terminal: pipe a tar into it');
    return ctx.stdin;
  }
  if (/^[a-z]+:\/\//i.test(file)) throw new ExitError(1, `importing from a URL (${file}) is not supported: download it, then "wasmbox import FILE"`);
  try {
    const s = await stat(file);
    if (s.isDirectory()) throw new ExitError(1, `read ${file}: is a directory (import takes a tar of a file system)`);
  } catch (e) {
    if (e instanceof ExitError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ExitError(1, `open ${file}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String(e)}`);
  }
  return createReadStream(file) as AsyncIterable<Uint8Array>;
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Import the contents from a tarball to create a filesystem image')
    .usage('[OPTIONS] file|URL|- [REPOSITORY[:TAG]]')
    .argument('[args...]')
    .option('-c, --change <string>', 'Apply Dockerfile instruction to the created image (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('-m, --message <string>', 'Set commit message for imported image')
    .option('--platform <string>', 'Set platform if server is multi-platform capable (only wasi/wasm)')
    .action(async (args: string[], opts: ImportCliOptions, self: Command) => {
      checkArgs(self, args, { min: 1 });
      checkArgs(self, args, { max: 2 });
      if (opts.platform !== undefined && !/^wasip?1?\/wasm$/i.test(opts.platform)) {
        throw new ExitError(1, `invalid platform "${opts.platform}": wasmbox images are wasi/wasm`);
      }
      const file = args[0]!;
      const source = await openSource(ctx, file);
      const record = await (await ctx.imageApi()).import(source, {
        ...(args[1] !== undefined ? { reference: args[1] } : {}),
        ...(opts.message !== undefined ? { message: opts.message } : {}),
        changes: opts.change,
        source: file,
      });
      ctx.stdout.write(`${record.id}\n`);
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('import'), ctx);
}
