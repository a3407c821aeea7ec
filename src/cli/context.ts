// What every command receives: its output streams and environment (injected, so tests run
// commands in-process), and lazy access to the stores under $WASMBOX_ROOT.

import type { ImageStore } from '../image/image-store.js';
import { openNodeImageStore, wasmboxRoot } from '../platform/node/stores.js';

export interface Output {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The process's streams and environment. */
export interface CliIO {
  stdout: Output;
  stderr: Output;
  /** `isTTY` (as on process.stdin) tells `load` that nothing was piped in. */
  stdin: AsyncIterable<Uint8Array> & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

export interface CliContext extends CliIO {
  /** The image store under the wasmbox root; opened on first use, then shared. */
  images(): Promise<ImageStore>;
}

export interface CreateCliContextOptions {
  /** Opens the image store (default: the OCI layout under wasmboxRoot(env)). */
  openImages?: (env: Record<string, string | undefined>) => Promise<ImageStore>;
}

/** Adds the lazily opened stores to the streams and environment. */
export function createCliContext(io: CliIO, options: CreateCliContextOptions = {}): CliContext {
  const open = options.openImages ?? ((env) => openNodeImageStore(wasmboxRoot(env)));
  let images: Promise<ImageStore> | undefined;
  return {
    ...io,
    images: () => (images ??= open(io.env)),
  };
}

/** Thrown by commands to end with a docker-like exit status after printing their message. */
export class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}
