// The container service's contract, in the Docker Engine API's own shapes: the API routes
// pass request bodies straight through, and the CLI maps its flags to the same objects the
// docker CLI sends. Implemented by ContainerService (containers.ts).

import type { Digest } from '../content/digest.js';

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface MountSpec {
  Type: 'volume' | 'bind' | 'tmpfs';
  /** Volume name or host path; empty for tmpfs (and for an anonymous volume). */
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount?: number;
}

export interface HostConfig {
  /** `volume:/path[:ro]` or `/host/dir:/path[:ro]`, as `docker run -v`. */
  Binds?: string[] | null;
  Mounts?: MountSpec[] | null;
  /** `{ "/path": "size=64m" }` as `--tmpfs`. */
  Tmpfs?: Record<string, string> | null;
  ReadonlyRootfs?: boolean;
  /** Bytes; 0 = no limit. */
  Memory?: number;
  AutoRemove?: boolean;
  RestartPolicy?: RestartPolicy;
  /** 'none' (default), 'bridge'/'default' accepted as none until networking lands, or a network name. */
  NetworkMode?: string;
  PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[]> | null;
  /** wasmbox: make this host directory the container's root (like podman --rootfs), confined as a bind mount. */
  Rootfs?: string;
}

/** POST /containers/create body (Config + HostConfig), the fields wasmbox uses. */
export interface ContainerCreateBody {
  Image: string;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  /** Seconds. */
  StopTimeout?: number;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  HostConfig?: HostConfig;
  /**
   * wasmbox: run a module that is not in an image (`wasmbox run ./prog.wasm`): its bytes, the
   * path it has inside the container, and Image is then '' (an empty root unless HostConfig.Rootfs).
   */
  Module?: { bytes: Uint8Array; path: string };
}

export interface ContainerCreateResult {
  Id: string;
  Warnings: string[];
}

/** GET /containers/json item. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  State: ContainerState;
  Status: string;
  Ports: { PrivatePort: number; PublicPort?: number; Type: string; IP?: string }[];
  Labels: Record<string, string>;
  SizeRw?: number;
  SizeRootFs?: number;
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, unknown> };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean; Mode: string; Driver?: string; Propagation: string }[];
}

/** GET /containers/{id}/json (the fields clients read; docker prints the whole object). */
export interface ContainerInspect {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: {
    Status: ContainerState;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    OOMKilled: boolean;
    Dead: boolean;
    Pid: number;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
  };
  Image: string;
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  MountLabel: string;
  ProcessLabel: string;
  AppArmorProfile: string;
  HostConfig: HostConfig & Record<string, unknown>;
  Mounts: ContainerSummary['Mounts'];
  Config: Omit<ContainerCreateBody, 'HostConfig' | 'Module'> & { Image: string; Hostname: string };
  NetworkSettings: Record<string, unknown>;
  SizeRw?: number;
  SizeRootFs?: number;
}

export interface ListOptions {
  all?: boolean;
  limit?: number;
  size?: boolean;
  /** Docker's filters: id, name, label, status, ancestor, exited, before, since, volume. */
  filters?: Record<string, string[]>;
}

export interface LogOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Unix seconds (fractional). */
  since?: number;
  until?: number;
  timestamps?: boolean;
  /** Number of lines from the end, or 'all'. */
  tail?: number | 'all';
  signal?: AbortSignal;
}

/** One chunk of a container's output. */
export interface OutputFrame {
  stream: 'stdout' | 'stderr';
  data: Uint8Array;
  /** ms since the epoch, when it was written. */
  time: number;
}

export interface AttachOptions {
  stdin?: AsyncIterable<Uint8Array>;
  stdout?: boolean;
  stderr?: boolean;
  /** Replay the logs first. */
  logs?: boolean;
  /** Keep streaming output until the container stops. */
  stream?: boolean;
  signal?: AbortSignal;
}

export interface AttachSession {
  /** Output until the container stops (or the attach ends). With Tty, all of it is 'stdout'. */
  output: AsyncIterable<OutputFrame>;
  /** The container's Tty setting (decides raw vs multiplexed streams). */
  tty: boolean;
}

export interface WaitResult {
  StatusCode: number;
  Error?: { Message: string } | null;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface ExecCreateBody {
  Cmd: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Privileged?: boolean;
}

export interface ExecInspect {
  ID: string;
  ContainerID: string;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
  ProcessConfig: { entrypoint: string; arguments: string[]; tty: boolean; user: string; privileged: boolean };
  OpenStdin: boolean;
  OpenStdout: boolean;
  OpenStderr: boolean;
  CanRemove: boolean;
  DetachKeys: string;
}

export interface ExecSession {
  output: AsyncIterable<OutputFrame>;
  exited: Promise<number>;
  tty: boolean;
}

/** GET /containers/{id}/changes item: Kind 0 modified, 1 added, 2 deleted. */
export interface ChangeItem {
  Path: string;
  Kind: 0 | 1 | 2;
}

/** X-Docker-Container-Path-Stat (base64 JSON) for `docker cp`. */
export interface PathStat {
  name: string;
  size: number;
  /** Go os.FileMode bits: permission bits | 1<<31 for a directory | 1<<27 for a symlink. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Dockerfile instructions applied to the config (`--change 'CMD ["x"]'`). */
  changes?: string[];
  /** Config overrides (the request body of POST /commit). */
  config?: Partial<ContainerCreateBody>;
}

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

export interface ContainerStats {
  read: string;
  memory_stats: { usage: number; limit: number };
  cpu_stats: Record<string, unknown>;
  pids_stats: { current: number };
  [k: string]: unknown;
}

export interface PruneResult {
  ContainersDeleted: string[];
  SpaceReclaimed: number;
}

/** What the API routes and the CLI call. Ids are 64 hex; any unique prefix or the name resolves. */
export interface ContainerServiceApi {
  create(body: ContainerCreateBody, options?: { name?: string }): Promise<ContainerCreateResult>;
  start(id: string): Promise<void>;
  /** SIGTERM-like stop, then kill after `timeout` seconds (default: the container's StopTimeout or 10). */
  stop(id: string, options?: { timeout?: number }): Promise<void>;
  restart(id: string, options?: { timeout?: number }): Promise<void>;
  kill(id: string, options?: { signal?: string }): Promise<void>;
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  wait(id: string, options?: { condition?: WaitCondition; signal?: AbortSignal }): Promise<WaitResult>;
  remove(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>;
  list(options?: ListOptions): Promise<ContainerSummary[]>;
  inspect(id: string, options?: { size?: boolean }): Promise<ContainerInspect>;
  logs(id: string, options?: LogOptions): AsyncIterable<OutputFrame>;
  attach(id: string, options?: AttachOptions): Promise<AttachSession>;
  resize(id: string, size: { h: number; w: number }): Promise<void>;
  rename(id: string, newName: string): Promise<void>;
  update(id: string, changes: { Memory?: number; RestartPolicy?: RestartPolicy }): Promise<{ Warnings: string[] }>;
  top(id: string): Promise<TopResult>;
  stats(id: string): Promise<ContainerStats>;
  changes(id: string): Promise<ChangeItem[]>;
  /** The container's whole file system as a tar (`docker export`). */
  export(id: string): AsyncIterable<Uint8Array>;
  statPath(id: string, path: string): Promise<PathStat>;
  /** A tar of `path` (a file or a directory, named by its basename) for `docker cp c:path -`. */
  getArchive(id: string, path: string): Promise<{ stat: PathStat; tar: AsyncIterable<Uint8Array> }>;
  /** Extracts a tar into the directory `path` (`docker cp - c:path`). */
  putArchive(id: string, path: string, tar: AsyncIterable<Uint8Array>, options?: { noOverwriteDirNonDir?: boolean }): Promise<void>;
  commit(id: string, options?: CommitOptions): Promise<{ Id: Digest }>;
  prune(options?: { filters?: Record<string, string[]> }): Promise<PruneResult>;
  execCreate(id: string, body: ExecCreateBody): Promise<{ Id: string }>;
  execStart(execId: string, options?: { stdin?: AsyncIterable<Uint8Array>; detach?: boolean; tty?: boolean }): Promise<ExecSession>;
  execInspect(execId: string): Promise<ExecInspect>;
  execResize(execId: string, size: { h: number; w: number }): Promise<void>;
}
