// `wasmbox load`: reads a `docker save` or OCI layout tar (optionally gzip'ed) from -i FILE or
// stdin into the image store, and names what it loaded like `docker load` does.

import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { LoadResult } from '../../image/archive.js';
import { type CliContext, ExitError } from '../context.js';
import { checkArgs } from '../usage.js';

interface LoadOptions {
  input?: string;
  quiet?: boolean;
}

/** The lines `docker load` prints: `Loaded image: name:tag`, or `Loaded image ID: sha256:…` if untagged. */
export function loadedLines(result: Pick<LoadResult, 'images'> | { images: { id: string; repoTags: string[] }[] }): string {
  let out = '';
  for (const image of result.images) {
    if (image.repoTags.length === 0) out += `Loaded image ID: ${image.id}\n`;
    for (const t of image.repoTags) out += `Loaded image: ${t}\n`;
  }
  return out;
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Load an image from a tar archive or STDIN')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-i, --input <string>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load output')
    .action(async (args: string[], opts: LoadOptions, self: Command) => {
      checkArgs(self, args, { none: true });
      let source: AsyncIterable<Uint8Array>;
      let name: string;
      if (opts.input !== undefined) {
        const path = opts.input;
        try {
          const s = await stat(path);
          if (s.isDirectory()) throw new ExitError(1, `read ${path}: is a directory`);
        } catch (e) {
          if (e instanceof ExitError) throw e;
          const code = (e as NodeJS.ErrnoException).code;
          throw new ExitError(1, `open ${path}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String(e)}`);
        }
        source = createReadStream(path) as AsyncIterable<Uint8Array>;
        name = path;
      } else {
        if (ctx.stdin.isTTY) throw new ExitError(1, 'requested load from stdin, but stdin is empty');
        source = ctx.stdin;
        name = 'stdin';
      }
      const result = await (await ctx.imageApi()).load(source, { source: name });
      ctx.stdout.write(loadedLines(result));
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('load'), ctx);
}
