// `wasmbox pull NAME[:TAG|@DIGEST]`: downloads an image from its registry with docker's output
// (progress bars on a terminal, status lines on a pipe, the full reference last) and flags
// (-a/--all-tags, --platform, -q/--quiet).

import type { Command } from 'commander';
import { WasmboxError } from '../../errors.js';
import { parseReference } from '../../image/reference.js';
import type { ImageRef } from '../../image/reference.js';
import { pull } from '../../image/registry/pull.js';
import type { PullPlatform } from '../../image/registry/pull.js';
import { type CliContext, ExitError } from '../context.js';
import { type InsecureRegistryOptions, insecureRegistryOption, registryClient } from '../registry-options.js';
import { ProgressPrinter } from '../registry-progress.js';
import { checkArgs } from '../usage.js';

interface PullCliOptions extends InsecureRegistryOptions {
  allTags?: boolean;
  platform?: string;
  quiet?: boolean;
}

/** `os/arch[/variant]` as docker's --platform reads it. */
export function parsePlatform(text: string): PullPlatform {
  const parts = text.toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new ExitError(1, `invalid platform "${text}": expected os/arch[/variant], for example wasi/wasm`);
  }
  const p: PullPlatform = { os: parts[0]!, architecture: parts[1]! };
  if (parts[2] !== undefined) p.variant = parts[2];
  return p;
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return insecureRegistryOption(
    cmd
      .description('Download an image from a registry')
      .usage('[OPTIONS] NAME[:TAG|@DIGEST]')
      .argument('[args...]')
      .option('-a, --all-tags', 'Download all tagged images in the repository')
      .option('--platform <string>', 'Set platform if server is multi-platform capable (default wasi/wasm)')
      .option('-q, --quiet', 'Suppress verbose output'),
  ).action(async (args: string[], opts: PullCliOptions, self: Command) => {
    checkArgs(self, args, { exactly: 1 });
    const input = args[0]!;
    let ref: ImageRef;
    try {
      ref = parseReference(input, { defaultTag: !opts.allTags });
    } catch (e) {
      throw new ExitError(1, `invalid reference format: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (opts.allTags && (ref.tag !== undefined || ref.digest !== undefined)) throw new ExitError(1, 'tag can\'t be used with --all-tags/-a');
    if (!opts.allTags && !opts.quiet && !input.includes(':') && !input.includes('@')) ctx.stdout.write('Using default tag: latest\n');
    const platform = opts.platform !== undefined ? parsePlatform(opts.platform) : undefined;
    const printer = new ProgressPrinter(ctx.stdout);
    const onProgress = opts.quiet ? undefined : printer.event;
    const daemon = ctx.client();
    if (daemon) {
      // The daemon pulls with its own registry access; -a and --platform are not sent yet.
      if (opts.allTags) throw new ExitError(1, 'pull -a/--all-tags through a daemon is not supported yet: pull each tag');
      await daemon.images.pull(ref.toString(), onProgress ? { onProgress } : {});
      ctx.stdout.write(`${ref.toString()}\n`);
      return;
    }
    const client = registryClient(ctx, opts);
    const store = await ctx.images();
    const refs = opts.allTags ? (await client.listTags(ref)).map((t) => ref.withTag(t)) : [ref];
    if (refs.length === 0) throw new WasmboxError('IMAGE_NOT_FOUND', `repository ${ref.familiar()} has no tags`);
    for (const r of refs) {
      await pull(store, r, { client, ...(platform ? { platform } : {}), ...(onProgress ? { onProgress } : {}) });
    }
    ctx.stdout.write(`${opts.allTags ? ref.repository : refs[0]!.toString()}\n`);
  });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('pull'), ctx);
}
