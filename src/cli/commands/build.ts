// `wasmbox build`: builds an image from a Dockerfile, like `docker build` with the classic
// builder (DOCKER_BUILDKIT=0) output, or BuildKit's `--progress=plain`. The context is a
// directory, or `-`: a tar (plain or gzip) or a lone Dockerfile on stdin.

import type { Command } from 'commander';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isWasmboxError } from '../../errors.js';
import type { BuildProgress } from '../../build/builder.js';
import { memoryBuildContext, tarBuildContext } from '../../build/context.js';
import type { BuildContext } from '../../build/context.js';
import { IgnoreMatcher } from '../../build/dockerignore.js';
import { detectCompression } from '../../layers/compression.js';
import { parseReference } from '../../image/reference.js';
import { directoryBuildContext } from '../../platform/node/build-context.js';
import type { ApiClient } from '../../api/client.js';
import { writeTar } from '../../layers/tar-writer.js';
import type { TarWriteEntry } from '../../layers/tar-writer.js';
import { type CliContext, ExitError } from '../context.js';
import { humanSize } from '../units.js';
import { checkArgs } from '../usage.js';

interface BuildCliOptions {
  tag: string[];
  file?: string;
  buildArg: string[];
  target?: string;
  cache: boolean;
  pull?: boolean;
  label: string[];
  iidfile?: string;
  quiet?: boolean;
  progress: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `K=V` → [K, V]; a bare `K` takes its value from the environment (or is left out), as docker does. */
function keyValues(list: string[], env: Record<string, string | undefined>, options: { fromEnv: boolean }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq === -1) {
      const v = options.fromEnv ? env[item] : '';
      if (v !== undefined) out[item] = v;
    } else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of source) chunks.push(c);
  return new Uint8Array(Buffer.concat(chunks));
}

function looksLikeTar(data: Uint8Array): boolean {
  if (detectCompression(data) === 'gzip') return true;
  return data.length >= 512 && new TextDecoder().decode(data.subarray(257, 262)) === 'ustar';
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Build an image from a Dockerfile')
    .usage('[OPTIONS] PATH | -')
    .argument('[args...]')
    .option('-t, --tag <name>', 'Name and optionally a tag in the "name:tag" format', collect, [])
    .option('-f, --file <string>', "Name of the Dockerfile (Default is 'PATH/Dockerfile')")
    .option('--build-arg <list>', 'Set build-time variables', collect, [])
    .option('--target <string>', 'Set the target build stage to build.')
    .option('--no-cache', 'Do not use cache when building the image')
    .option('--pull', 'Always attempt to pull a newer version of the image')
    .option('--label <list>', 'Set metadata for an image', collect, [])
    .option('--iidfile <string>', 'Write the image ID to the file')
    .option('-q, --quiet', 'Suppress the build output and print image ID on success')
    .option('--progress <string>', 'Set type of progress output (auto, plain, tty)', 'auto')
    .action(async (args: string[], opts: BuildCliOptions, self: Command) => {
      checkArgs(self, args, { exactly: 1 });
      const path = args[0]!;
      for (const t of opts.tag) {
        try {
          parseReference(t);
        } catch (e) {
          throw new ExitError(1, `invalid argument "${t}" for "-t, --tag" flag: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      if (!['auto', 'plain', 'tty'].includes(opts.progress)) throw new ExitError(1, `invalid progress type "${opts.progress}": use auto, plain or tty`);
      const progress: BuildProgress = opts.progress === 'plain' ? 'plain' : 'classic';

      let context: BuildContext;
      let dockerfileText: string | undefined;
      let dockerfile: string | undefined;
      let contextSize = 0;
      let ignored: (p: string) => boolean = () => false;
      if (path === '-') {
        if (opts.file === '-') throw new ExitError(1, 'invalid argument: can\'t use stdin for both build context and dockerfile');
        const data = await readAll(ctx.stdin);
        if (looksLikeTar(data)) {
          context = await tarBuildContext(data);
          dockerfile = opts.file;
        } else {
          dockerfileText = new TextDecoder().decode(data);
          context = memoryBuildContext({});
        }
        contextSize = data.length;
      } else {
        const dir = resolve(path);
        try {
          if (!(await stat(dir)).isDirectory()) throw new ExitError(1, `unable to prepare context: path "${path}" is not a directory`);
        } catch (e) {
          if (e instanceof ExitError) throw e;
          throw new ExitError(1, `unable to prepare context: path "${path}" not found`);
        }
        let ignore = new IgnoreMatcher([]);
        try {
          ignore = IgnoreMatcher.fromFile(await readFile(join(dir, '.dockerignore'), 'utf8'));
        } catch {
          // No .dockerignore.
        }
        context = directoryBuildContext(dir, { skipDirectory: (p) => ignore.skipsDirectory(p) });
        ignored = (p) => ignore.ignores(p);
        if (opts.file === '-') dockerfileText = new TextDecoder().decode(await readAll(ctx.stdin));
        else if (opts.file !== undefined) {
          // docker resolves -f against the current directory; inside the context it is read from there.
          const abs = resolve(opts.file);
          const rel = abs.startsWith(dir + '/') ? abs.slice(dir.length + 1) : undefined;
          if (rel !== undefined) dockerfile = rel;
          else {
            try {
              dockerfileText = await readFile(abs, 'utf8');
              dockerfile = opts.file;
            } catch {
              throw new ExitError(1, `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${abs}: no such file or directory`);
            }
          }
        }
        contextSize = (await context.list()).filter((e) => !ignore.ignores(e.path)).reduce((n, e) => n + e.size, 0);
      }

      const quiet = opts.quiet === true;
      const out = progress === 'plain' ? ctx.stderr : ctx.stdout;
      if (!quiet && progress === 'classic') out.write(`Sending build context to Docker daemon  ${humanSize(contextSize)}\n`);
      const daemon = ctx.client();
      if (daemon) {
        await buildWithDaemon(ctx, daemon, { context, dockerfile, dockerfileText, opts, quiet, out, ignore: (p) => ignored(p) });
        return;
      }
      const engine = await ctx.engine();
      const epoch = ctx.env.SOURCE_DATE_EPOCH;
      try {
        // The engine's build service: its build cache file, built-in base images (toolbox...)
        // assembled on first use, and RUN in a worker thread.
        const result = await engine.builds.build({
          context,
          ...(dockerfile !== undefined ? { dockerfile } : {}),
          ...(dockerfileText !== undefined ? { dockerfileText } : {}),
          buildArgs: keyValues(opts.buildArg, ctx.env, { fromEnv: true }),
          ...(opts.target !== undefined ? { target: opts.target } : {}),
          tags: opts.tag,
          labels: keyValues(opts.label, ctx.env, { fromEnv: false }),
          noCache: !opts.cache,
          pull: opts.pull === true,
          onOutput: quiet ? () => undefined : (t) => void out.write(t),
          progress,
          ...(epoch !== undefined && /^\d+$/.test(epoch) ? { sourceDateEpoch: Number(epoch) } : {}),
        });
        if (opts.iidfile !== undefined) await writeFile(opts.iidfile, result.imageId);
        if (quiet) ctx.stdout.write(result.imageId + '\n');
      } catch (e) {
        // A failed RUN ends like docker's: its own message, exit status 1.
        if (isWasmboxError(e, 'BUILD_FAILED') && e.details?.exitCode !== undefined) throw new ExitError(1, e.message);
        throw e;
      }
    });
}

/** Where a Dockerfile that is not in the context (stdin, -f outside) goes in the tar sent to a daemon. */
const SENT_DOCKERFILE = '.wasmbox-build.Dockerfile';

/** `POST /build` with the context as a tar (the daemon reads .dockerignore again on its side). */
async function buildWithDaemon(
  ctx: CliContext,
  daemon: ApiClient,
  b: { context: BuildContext; dockerfile: string | undefined; dockerfileText: string | undefined; opts: BuildCliOptions; quiet: boolean; out: CliContext['stdout']; ignore: (path: string) => boolean },
): Promise<void> {
  const entries: TarWriteEntry[] = [];
  for (const e of await b.context.list()) {
    if (e.type !== 'directory' && b.ignore(e.path) && e.path !== '.dockerignore' && e.path !== (b.dockerfile ?? 'Dockerfile')) continue;
    if (e.type === 'file') entries.push({ path: e.path, type: 'file', mode: e.mode, uid: 0, gid: 0, mtimeMs: e.mtimeMs, data: await b.context.read(e.path) });
    else if (e.type === 'directory') entries.push({ path: e.path, type: 'directory', mode: e.mode, uid: 0, gid: 0, mtimeMs: e.mtimeMs });
    else if (e.type === 'symlink') entries.push({ path: e.path, type: 'symlink', mode: e.mode, uid: 0, gid: 0, mtimeMs: e.mtimeMs, linkpath: e.linkTarget ?? '' });
  }
  let dockerfile = b.dockerfile;
  if (b.dockerfileText !== undefined) {
    entries.push({ path: SENT_DOCKERFILE, type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: new TextEncoder().encode(b.dockerfileText) });
    dockerfile = SENT_DOCKERFILE;
  }
  try {
    const result = await daemon.build({
      context: writeTar(entries),
      ...(dockerfile !== undefined ? { dockerfile } : {}),
      tags: b.opts.tag,
      buildArgs: keyValues(b.opts.buildArg, ctx.env, { fromEnv: true }),
      labels: keyValues(b.opts.label, ctx.env, { fromEnv: false }),
      ...(b.opts.target !== undefined ? { target: b.opts.target } : {}),
      noCache: !b.opts.cache,
      pull: b.opts.pull === true,
      onOutput: b.quiet ? () => undefined : (t) => void b.out.write(t),
    });
    if (b.opts.iidfile !== undefined) await writeFile(b.opts.iidfile, result.imageId);
    if (b.quiet) ctx.stdout.write(result.imageId + '\n');
  } catch (e) {
    if (isWasmboxError(e, 'BUILD_FAILED') && e.details?.exitCode !== undefined) throw new ExitError(1, e.message);
    throw e;
  }
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('build'), ctx);
}
