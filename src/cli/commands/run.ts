// `wasmbox run`: create, attach, start and wait, like `docker run` — output to our terminal,
// `-i` feeds our stdin, `-t` a raw TTY; the exit status is the container's (125 for our own
// failures, 126 not executable, 127 command not found). `wasmbox run ./prog.wasm` runs a module.

import type { Command } from 'commander';
import type { ContainerCreateBody, ContainerServiceApi } from '../../engine/container-types.js';
import { isWasmboxError } from '../../errors.js';
import { ensureImage, isBuiltinImage } from '../../image/builtin.js';
import { nodeProgramLoader } from '../../platform/node/builtin-images.js';
import { type CliContext, ExitError } from '../context.js';
import { type CreateFlags, addCreateFlags, createBody } from '../container-flags.js';
import { copyOutput, daemonFailure, startFailureStatus, stdinUntil, withTerminal } from '../container-io.js';
import { displayName } from '../image-names.js';
import { checkArgs, commandPath } from '../usage.js';

/**
 * Creates the container; a missing built-in image (hello-world, toolbox, flite) is made on
 * first use. Failures end the command as docker's do: "No such image: nope:latest.", 125.
 */
export async function createContainer(ctx: CliContext, api: ContainerServiceApi, body: ContainerCreateBody, options: { name?: string; commandPath: string }): Promise<string> {
  const create = () => api.create(body, options.name !== undefined ? { name: options.name } : {});
  try {
    let result;
    try {
      result = await create();
    } catch (e) {
      if (!isWasmboxError(e, 'IMAGE_NOT_FOUND') || !body.Image || !isBuiltinImage(body.Image) || ctx.daemon) throw e;
      await ensureImage(await ctx.images(), body.Image, { loadProgram: nodeProgramLoader() });
      result = await create();
    }
    for (const w of result.Warnings) ctx.stderr.write(`WARNING: ${w}\n`);
    return result.Id;
  } catch (e) {
    if (isWasmboxError(e, 'IMAGE_NOT_FOUND') && !/ambiguous/.test(e.message)) {
      throw daemonFailure(options.commandPath, Object.assign(e, { message: `No such image: ${displayName(body.Image)}` }), 125);
    }
    throw daemonFailure(options.commandPath, e, 125);
  }
}

async function runAction(ctx: CliContext, image: string, args: string[], flags: CreateFlags, self: Command): Promise<void> {
  const path = commandPath(self);
  if (flags.detach && !ctx.daemon) throw new ExitError(125, 'wasmbox run -d needs a daemon: start one with `wasmbox daemon`');
  if (flags.interactive && flags.tty && ctx.stdin.isTTY !== true) throw new ExitError(1, 'the input device is not a TTY');
  const body = createBody(flags, image, args, ctx.env);
  const api = await ctx.containers();
  const id = await createContainer(ctx, api, body, { commandPath: path, ...(flags.name !== undefined ? { name: flags.name } : {}) });
  if (flags.detach) {
    try {
      await api.start(id);
    } catch (e) {
      throw daemonFailure(path, e, startFailureStatus(e));
    }
    ctx.stdout.write(`${id}\n`);
    return;
  }
  const ended = new AbortController();
  const session = await api.attach(id, {
    stream: true,
    stdout: true,
    stderr: true,
    ...(flags.interactive ? { stdin: stdinUntil(ctx, ended.signal) } : {}),
  });
  const waited = api.wait(id, { condition: flags.rm ? 'removed' : 'next-exit', signal: ended.signal });
  waited.catch(() => undefined);
  const copied = copyOutput(ctx, session.output, { tty: session.tty });
  copied.catch(() => undefined);
  // docker's --sig-proxy: our SIGINT/SIGTERM go to the container, whose exit then ends us.
  const unsubscribe = ctx.onSignal?.((signal) => void api.kill(id, { signal }).catch(() => undefined));
  const status = await withTerminal(ctx, { tty: flags.tty === true, interactive: flags.interactive === true, resize: (size) => api.resize(id, size) }, async () => {
    // Before the start too: a WASI program reads its terminal size once, from COLUMNS/LINES.
    if (flags.tty && ctx.stdout.isTTY) await api.resize(id, { h: ctx.stdout.rows ?? 24, w: ctx.stdout.columns ?? 80 }).catch(() => undefined);
    try {
      await api.start(id);
    } catch (e) {
      ended.abort();
      if (flags.rm) await api.remove(id, { force: true }).catch(() => undefined);
      throw daemonFailure(path, e, startFailureStatus(e));
    }
    if (flags.tty && ctx.stdout.isTTY) await api.resize(id, { h: ctx.stdout.rows ?? 24, w: ctx.stdout.columns ?? 80 }).catch(() => undefined);
    const result = await waited;
    await copied;
    return result;
  }).finally(() => {
    unsubscribe?.();
    ended.abort();
  });
  if (status.Error?.Message) ctx.stderr.write(`wasmbox: ${status.Error.Message}\n`);
  if (status.StatusCode !== 0) throw new ExitError(status.StatusCode, '');
}

export function configure(cmd: Command, ctx: CliContext): Command {
  addCreateFlags(cmd, { run: true })
    .description('Create and run a new container from an image (or a ./program.wasm)')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .addHelpText(
      'after',
      [
        '',
        'Without an image:',
        '  wasmbox run [OPTIONS] ./program.wasm [ARG...]          run a module from this host',
        '  wasmbox run [OPTIONS] --rootfs DIR COMMAND [ARG...]    the host directory DIR is the root',
        '',
        'With --rootfs (as podman), COMMAND is looked up inside DIR (/bin/prog is DIR/bin/prog) unless it',
        "is a ./program.wasm on this host. DIR is confined like a bind mount ('..' and symlinks stay",
        'inside it) and writable unless --read-only. There is no image layer: diff and commit are',
        'refused; export writes the directory as a tar.',
      ].join('\n'),
    )
    .argument('[args...]')
    .action(async (all: string[], flags: CreateFlags, self: Command) => {
      checkArgs(self, all, { min: 1 });
      await runAction(ctx, all[0]!, all.slice(1), flags, self);
    });
  return cmd;
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('run'), ctx);
}
