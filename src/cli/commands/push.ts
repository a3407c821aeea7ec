// `wasmbox push NAME[:TAG]`: uploads an image of the store to its registry with docker's output
// (`Preparing`, `Pushed`, `Layer already exists`, `Mounted from x`, `tag: digest: … size: N`)
// and flags (-a/--all-tags, -q/--quiet).

import type { Command } from 'commander';
import { WasmboxError } from '../../errors.js';
import { parseReference, tryParseReference } from '../../image/reference.js';
import type { ImageRef } from '../../image/reference.js';
import { push } from '../../image/registry/push.js';
import { type CliContext, ExitError } from '../context.js';
import { type InsecureRegistryOptions, insecureRegistryOption, registryClient } from '../registry-options.js';
import { ProgressPrinter } from '../registry-progress.js';
import { checkArgs } from '../usage.js';

interface PushCliOptions extends InsecureRegistryOptions {
  allTags?: boolean;
  quiet?: boolean;
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return insecureRegistryOption(
    cmd
      .description('Upload an image to a registry')
      .usage('[OPTIONS] NAME[:TAG]')
      .argument('[args...]')
      .option('-a, --all-tags', 'Push all tags of an image to the repository')
      .option('-q, --quiet', 'Suppress verbose output'),
  ).action(async (args: string[], opts: PushCliOptions, self: Command) => {
    checkArgs(self, args, { exactly: 1 });
    const input = args[0]!;
    let ref: ImageRef;
    try {
      ref = parseReference(input, { defaultTag: false });
    } catch (e) {
      throw new ExitError(1, `invalid reference format: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (opts.allTags && ref.tag !== undefined) throw new ExitError(1, 'tag can\'t be used with --all-tags/-a');
    if (ref.digest !== undefined) throw new ExitError(1, `cannot push a digest reference: ${input}`);
    const images = await ctx.imageApi();
    let refs: ImageRef[];
    if (opts.allTags) {
      const names = (await images.list()).flatMap((s) => s.repoTags).map((t) => tryParseReference(t)).filter((r): r is ImageRef => r !== undefined);
      refs = names.filter((r) => r.repository === ref.repository).sort((a, b) => (a.tag ?? '').localeCompare(b.tag ?? ''));
      if (refs.length === 0) throw new WasmboxError('IMAGE_NOT_FOUND', `An image does not exist locally with the tag: ${ref.familiarRepository}`);
    } else {
      if (ref.tag === undefined && !opts.quiet) ctx.stdout.write('Using default tag: latest\n');
      refs = [ref.tag === undefined ? ref.withTag('latest') : ref];
    }
    const printer = new ProgressPrinter(ctx.stdout);
    const daemon = ctx.client();
    if (daemon) {
      for (const r of refs) {
        await daemon.images.push(r.toString(), opts.quiet ? {} : { onProgress: printer.event });
        if (opts.quiet) ctx.stdout.write(`${r.toString()}\n`);
      }
      return;
    }
    const store = await ctx.images();
    const client = registryClient(ctx, opts);
    for (const r of refs) {
      await push(store, r, { client, ...(opts.quiet ? {} : { onProgress: printer.event }) });
      if (opts.quiet) ctx.stdout.write(`${r.toString()}\n`);
    }
  });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('push'), ctx);
}
