// What every command receives: its output streams and environment (injected, so tests run
// commands in-process), and lazy access to the engine (in-process for now; a daemon client
// implementing the same ContainerServiceApi can take its place).

import type { Engine } from '../engine/engine.js';
import type { ContainerServiceApi } from '../engine/container-types.js';
import type { ImageStore } from '../image/image-store.js';
import { openNodeEngine } from '../platform/node/engine.js';
import { wasmboxRoot } from '../platform/node/stores.js';

export interface Output {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  /** A TTY's resize notifications (process.stdout emits 'resize'). */
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

/** The process's stdin: bytes, and (on a terminal) raw mode for `run -t`. */
export type Input = AsyncIterable<Uint8Array> & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };

/** The process's streams and environment. */
export interface CliIO {
  stdout: Output;
  stderr: Output;
  /** `isTTY` (as on process.stdin) tells `load` that nothing was piped in. */
  stdin: Input;
  env: Record<string, string | undefined>;
  /**
   * Subscribes to the signals the user sends us (SIGINT, SIGTERM, SIGHUP), so `run` and
   * `start -a` forward them to the container as docker's --sig-proxy does; returns the unsubscribe.
   */
  onSignal?: (handler: (signal: string) => void) => () => void;
}

export interface CliContext extends CliIO {
  /** The image store under the wasmbox root; opened on first use, then shared. */
  images(): Promise<ImageStore>;
  /** The in-process engine over the wasmbox root; opened on first use, then shared. */
  engine(): Promise<Engine>;
  /** The container service the container commands call (the engine's, or a daemon client's). */
  containers(): Promise<ContainerServiceApi>;
  /**
   * True when containers live in a daemon that outlives this command; false in-process, where
   * a container cannot keep running after the command ends (`run -d` is refused).
   */
  readonly daemon: boolean;
  /** Stops what the command opened (the in-process engine and its running containers). */
  close(): Promise<void>;
}

export interface CreateCliContextOptions {
  /** Opens the image store (default: the engine's store). */
  openImages?: (env: Record<string, string | undefined>) => Promise<ImageStore>;
  /** Opens the engine (default: openNodeEngine over wasmboxRoot(env)). */
  openEngine?: (env: Record<string, string | undefined>) => Promise<Engine>;
  /** The engine outlives each command (a daemon's, or one shared by tests): `run -d` is allowed. */
  daemon?: boolean;
}

/** `WASMBOX_PROCESS_MODE=inline|worker`: how the in-process engine runs container processes. */
export function processModeOf(env: Record<string, string | undefined>): 'inline' | 'worker' | undefined {
  const mode = env.WASMBOX_PROCESS_MODE;
  return mode === 'inline' || mode === 'worker' ? mode : undefined;
}

function defaultOpenEngine(env: Record<string, string | undefined>): Promise<Engine> {
  const mode = processModeOf(env);
  return openNodeEngine(wasmboxRoot(env), mode ? { processMode: mode } : {});
}

/** Adds the lazily opened engine and stores to the streams and environment. */
export function createCliContext(io: CliIO, options: CreateCliContextOptions = {}): CliContext {
  const openEngine = options.openEngine ?? defaultOpenEngine;
  let engine: Promise<Engine> | undefined;
  let images: Promise<ImageStore> | undefined;
  const getEngine = () => (engine ??= openEngine(io.env));
  return {
    ...io,
    daemon: options.daemon === true,
    engine: getEngine,
    images: () => (images ??= options.openImages ? options.openImages(io.env) : getEngine().then((e) => e.images.store)),
    containers: async () => (await getEngine()).containers,
    async close() {
      if (engine) await (await engine).close();
    },
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
