// `wasmbox save`: writes images as one tar (OCI layout + docker's manifest.json) to -o FILE,
// atomically (temp file + rename), or to a redirected stdout, never to a terminal.

import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isWasmboxError } from '../../errors.js';
import { type CliContext, ExitError, type Output } from '../context.js';
import { engineErrorMessage } from '../image-names.js';
import { checkArgs } from '../usage.js';
import { writeFileAtomic } from '../../platform/node/atomic-file.js';

interface SaveOptions {
  output?: string;
}

async function writeOut(out: Output, chunk: Uint8Array): Promise<void> {
  const ok = out.write(chunk);
  const emitter = out as Output & { once?: (event: string, fn: () => void) => unknown };
  if (ok === false && typeof emitter.once === 'function') await new Promise<void>((r) => emitter.once!('drain', r));
}

async function saveToFile(chunks: AsyncIterable<Uint8Array>, output: string): Promise<void> {
  const path = resolve(output);
  const dir = dirname(path);
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat?.isDirectory()) throw new ExitError(1, `failed to save image: invalid output path: directory "${dir}" does not exist`);
  // A reader of the file (or a crash) never sees half an archive.
  await writeFileAtomic(path, chunks);
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .argument('[args...]')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
    .action(async (args: string[], opts: SaveOptions, self: Command) => {
      checkArgs(self, args, { min: 1 });
      if (opts.output === undefined && ctx.stdout.isTTY) {
        throw new ExitError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
      }
      const api = await ctx.imageApi();
      // Resolve every name first, so a typo fails before anything is written.
      for (const name of args) {
        try {
          await api.inspect(name);
        } catch (e) {
          if (isWasmboxError(e)) throw new ExitError(1, `Error response from daemon: ${engineErrorMessage(e, name)}`);
          throw e;
        }
      }
      const chunks = await api.save(args);
      if (opts.output !== undefined) await saveToFile(chunks, opts.output);
      else for await (const chunk of chunks) await writeOut(ctx.stdout, chunk);
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('save'), ctx);
}
