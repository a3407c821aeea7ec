// What every command receives: its output streams and environment (injected, so tests run
// commands in-process), and lazy access to the engine: a daemon's through the API client when
// one is selected (-H, WASMBOX_HOST, DOCKER_HOST, or one answering on the default socket), else in-process.

import type { Engine } from '../engine/engine.js';
import type { ContainerServiceApi } from '../engine/container-types.js';
import type { ImageStore } from '../image/image-store.js';
import { ApiClient } from '../api/client.js';
import type { ImageApi } from '../api/client.js';
import { WasmboxError } from '../errors.js';
import { openNodeEngine } from '../platform/node/engine.js';
import { daemonAnswers, nodeHttpTransport } from '../platform/node/http-transport.js';
import { wasmboxRoot } from '../platform/node/stores.js';
import { storeImageApi } from './image-api.js';

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
  /** The image store under the wasmbox root; opened on first use, then shared. In-process only. */
  images(): Promise<ImageStore>;
  /** The image calls of `images`, `rmi`, `tag`, `save`...: the daemon's, or over the local store. */
  imageApi(): Promise<ImageApi>;
  /** The daemon client once `connect` chose a daemon; undefined in-process. */
  client(): ApiClient | undefined;
  /**
   * Chooses where containers live, before a command runs: `host` (-H), else WASMBOX_HOST, else
   * DOCKER_HOST (unix:// and tcp:// only), else the default socket of `wasmbox daemon` if a daemon
   * answers there within 200 ms, else the in-process engine.
   */
  connect?(options: { host?: string }): Promise<void>;
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
  /** Connects to a daemon here instead of looking one up (tests: an in-process API). */
  client?: ApiClient;
}

/** The default socket of `wasmbox daemon` (kept in step with commands/daemon.ts's defaultSocket). */
export function defaultDaemonSocket(env: Record<string, string | undefined>): string {
  const dir = env.XDG_RUNTIME_DIR || wasmboxRoot(env);
  return `${dir.replace(/\/+$/, '')}/wasmbox.sock`;
}

/** The daemon address to use, or undefined for in-process; an unusable DOCKER_HOST scheme is skipped. */
export async function selectDaemonHost(env: Record<string, string | undefined>, host: string | undefined, options: { probeDefault: boolean }): Promise<string | undefined> {
  if (host !== undefined && host !== '') return host;
  if (env.WASMBOX_HOST) return env.WASMBOX_HOST;
  const docker = env.DOCKER_HOST;
  if (docker && /^(unix|tcp):\/\//.test(docker)) return docker;
  if (!options.probeDefault) return undefined;
  const socket = `unix://${defaultDaemonSocket(env)}`;
  return (await daemonAnswers(socket, { timeoutMs: 200 })) ? socket : undefined;
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
  let client: ApiClient | undefined = options.client;
  const getEngine = () => {
    if (client) throw new WasmboxError('INVALID_ARGUMENT', 'this command needs the in-process engine, but a daemon was selected (-H, WASMBOX_HOST or DOCKER_HOST)');
    return (engine ??= openEngine(io.env));
  };
  const getImages = () => (images ??= options.openImages ? options.openImages(io.env) : getEngine().then((e) => e.images.store));
  // Tests that inject an engine or a store never reach for a daemon unless told (-H).
  const probeDefault = !options.openEngine && !options.openImages && !options.client;
  return {
    ...io,
    get daemon() {
      return options.daemon === true || client !== undefined;
    },
    engine: getEngine,
    images: getImages,
    imageApi: async () => (client ? client.images : storeImageApi(await getImages())),
    client: () => client,
    async connect({ host }) {
      if (client) return;
      const selected = await selectDaemonHost(io.env, host, { probeDefault });
      if (selected !== undefined) client = new ApiClient(nodeHttpTransport(selected));
    },
    containers: async () => client ?? (await getEngine()).containers,
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
