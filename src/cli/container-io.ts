// Plumbing shared by the container commands: copying a container's output frames to our
// streams, feeding our stdin (until the container ends), a TTY's raw mode and size, the exit
// status docker gives a failed start (125/126/127), and per-container loops (`stop a b c`).

import type { ContainerServiceApi, OutputFrame } from '../engine/container-types.js';
import { isWasmboxError } from '../errors.js';
import { type CliContext, ExitError } from './context.js';

/** Writes each frame to our stdout or stderr; with a TTY everything is stdout, as docker's. */
export async function copyOutput(ctx: CliContext, output: AsyncIterable<OutputFrame>, options: { tty?: boolean; timestamps?: boolean } = {}): Promise<void> {
  for await (const frame of output) {
    const target = frame.stream === 'stderr' && !options.tty ? ctx.stderr : ctx.stdout;
    target.write(options.timestamps ? withTimestamps(frame) : frame.data);
  }
}

/** RFC 3339 with nanoseconds, as `docker logs -t` prefixes each line. */
export function logTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

function withTimestamps(frame: OutputFrame): string {
  const text = new TextDecoder().decode(frame.data);
  const stamp = logTimestamp(frame.time);
  return text.replace(/[^\n]*\n|[^\n]+$/g, (line) => `${stamp} ${line}`);
}

/**
 * Our stdin as the container's, ending when `signal` aborts (the container is gone): the
 * pending read is released so the process can exit.
 */
export function stdinUntil(ctx: CliContext, signal: AbortSignal): AsyncIterable<Uint8Array> {
  const source = ctx.stdin;
  return {
    [Symbol.asyncIterator]() {
      const it = source[Symbol.asyncIterator]();
      const aborted = new Promise<IteratorResult<Uint8Array>>((resolve) => {
        if (signal.aborted) resolve({ done: true, value: undefined });
        signal.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true });
      });
      return {
        async next() {
          const r = await Promise.race([it.next(), aborted]);
          if (r.done) void it.return?.();
          return r;
        },
        async return() {
          void it.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/**
 * With `-t` on a terminal: raw mode for our stdin while `fn` runs, the container's TTY sized
 * like ours, and resized when ours is (Node emits 'resize' on SIGWINCH).
 */
export async function withTerminal<T>(ctx: CliContext, options: { tty: boolean; interactive: boolean; resize: (size: { h: number; w: number }) => Promise<void> }, fn: () => Promise<T>): Promise<T> {
  if (!options.tty || !ctx.stdout.isTTY) return fn();
  const size = () => ({ h: ctx.stdout.rows ?? 24, w: ctx.stdout.columns ?? 80 });
  const onResize = () => void options.resize(size()).catch(() => undefined);
  const raw = options.interactive && ctx.stdin.isTTY === true && typeof ctx.stdin.setRawMode === 'function';
  if (raw) ctx.stdin.setRawMode!(true);
  ctx.stdout.on?.('resize', onResize);
  try {
    return await fn();
  } finally {
    ctx.stdout.off?.('resize', onResize);
    if (raw) ctx.stdin.setRawMode!(false);
  }
}

/** docker's exit status for a container that could not start: 127 not found, 126 not executable, else 125. */
export function startFailureStatus(e: unknown): number {
  const message = e instanceof Error ? e.message : String(e);
  const code = isWasmboxError(e) ? e.code : undefined;
  // The engine says which status docker would give (details.exitCode: 126, 127...).
  const status = isWasmboxError(e) ? e.details?.exitCode : undefined;
  if (typeof status === 'number' && status >= 125 && status <= 127) return status;
  if (/executable file not found|no such file or directory/i.test(message) || code === 'ENOENT') return 127;
  if (/permission denied|exec format error|not executable|not a WebAssembly|invalid module/i.test(message) || code === 'INVALID_MODULE' || code === 'EACCES') return 126;
  return 125;
}

/** The message of an engine error, as the daemon words it. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Ends a command with docker's `wasmbox: Error response from daemon: …` + "See '… --help'." */
export function daemonFailure(commandPath: string, e: unknown, status: number): ExitError {
  const message = errorText(e).replace(/\.$/, '');
  const prefix = isWasmboxError(e) ? 'Error response from daemon: ' : '';
  return new ExitError(status, `${commandPath.split(' ')[0]}: ${prefix}${message}.\nSee '${commandPath} --help'.`);
}

/**
 * Runs `fn` for each named container, printing the name as typed on success (docker's
 * stop/start/rm/kill...), and one error line per failure; exit 1 if any failed.
 */
export async function forEachContainer(ctx: CliContext, names: string[], fn: (api: ContainerServiceApi, name: string) => Promise<void>, options: { print?: boolean } = {}): Promise<void> {
  const api = await ctx.containers();
  const errors: string[] = [];
  for (const name of names) {
    try {
      await fn(api, name);
      if (options.print !== false) ctx.stdout.write(`${name}\n`);
    } catch (e) {
      if (e instanceof ExitError) throw e;
      errors.push(isWasmboxError(e) ? `Error response from daemon: ${errorText(e)}` : `Error: ${errorText(e)}`);
    }
  }
  if (errors.length > 0) throw new ExitError(1, errors.join('\n'));
}

/** Docker's 12-hex short container id. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}
