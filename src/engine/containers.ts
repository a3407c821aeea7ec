// The container service (`docker create/start/stop/rm/ps/logs/attach/exec/cp/commit...`):
// a container is its image's merged layers plus a writable top layer (a ContainerFsHub that
// worker processes replicate), its mounts, its config and its state. Processes run through
// the runner (worker or inline); output goes to the container's log and attached clients;
// state and top layers survive an engine restart through the injected persistence.
//
// Behaviour choices (where WebAssembly differs from Linux):
// - A WASI program cannot receive signals, so `stop` kills at once (exit 137): waiting out the
//   stop timeout would only delay the same outcome. `kill -s SIG` ends the process with 128+signo.
// - `pause` blocks a worker process at its next WASI call, output write or file-system call
//   (a flag in shared memory, runner/pause-gate.ts): a guest computing without any call goes on
//   until its next call, where the cgroup freezer would stop it at once. Inline processes run
//   on the engine's own thread and cannot be paused (NOT_IMPLEMENTED).
// - `--rootfs DIR` (HostConfig.Rootfs, as podman): the root is the host directory, confined as
//   a bind mount; no image, no layer: `diff` and `commit` are refused, `export` tars the directory.
// - A container that was running when the engine died is `exited` with code 255 after reload.

import { WasmboxError, isWasmboxError } from '../errors.js';
import type { Digest } from '../content/digest.js';
import type { CommandForm } from '../build/dockerfile/ast.js';
import { parseInstruction } from '../build/dockerfile/parser.js';
import type { ImageConfig } from '../image/config.js';
import { ensureImage } from '../image/builtin.js';
import type { ProgramLoader } from '../image/builtin.js';
import type { ImageRecord, ImageStore } from '../image/image-store.js';
import { parseReference } from '../image/reference.js';
import type { LayerStore } from '../layers/layer-store.js';
import { writeTar } from '../layers/tar-writer.js';
import { diffEntries } from '../layers/diff.js';
import { ContainerFsHub } from '../runner/replica/hub.js';
import { programKind } from '../runner/exec-program.js';
import { defaultModuleCache, spawnProcess } from '../runner/process.js';
import type { ProcessMode, ProcessSpec, WasmProcess } from '../runner/process.js';
import type { ModuleCache } from '../runner/module-cache.js';
import type { ExitStatus } from '../runner/types.js';
import type { WorkerFactory } from '../runner/worker/protocol.js';
import { Namespace } from '../vfs/namespace.js';
import { TreeFs } from '../vfs/tree-fs.js';
import type { FsBackend } from '../vfs/types.js';
import { dirnameOf, normalizeAbsolute } from '../vfs/path.js';
import type { Clock } from './clock.js';
import { rfc3339 } from './clock.js';
import type {
  AttachOptions,
  AttachSession,
  ChangeItem,
  CommitOptions,
  ContainerCreateBody,
  ContainerCreateResult,
  ContainerInspect,
  ContainerServiceApi,
  ContainerStats,
  ContainerSummary,
  ExecCreateBody,
  ExecInspect,
  ExecSession,
  ListOptions,
  LogOptions,
  OutputFrame,
  PathStat,
  PruneResult,
  RestartPolicy,
  TopResult,
  WaitCondition,
  WaitResult,
} from './container-types.js';
import { CONTAINER_NAME_RE, mergeConfig, mountRequests } from './containers/config.js';
import type { MountRequest } from './containers/config.js';
import { changesOf, extractTar, pathStatOf, tarEntriesOf } from './containers/fs-archive.js';
import { Channel, OutputLog, timestampOf } from './containers/log.js';
import { generateName } from './containers/names.js';
import { MemoryContainerPersistence } from './containers/persistence.js';
import type { ContainerPersistence, ContainerRecord, ResolvedMount } from './containers/persistence.js';
import type { EventService } from './events.js';
import { checkFilterKeys, matchLabels, parseTimeFilter } from './filters.js';
import type { SystemService } from './system.js';
import type { UsageTracker } from './usage.js';
import type { VolumeService } from './volumes.js';
import { concatBytes } from '../util/bytes.js';
import { LineDiscipline, cookedInput, onlcr } from '../runner/tty.js';

/** Host directories as container file systems (Node: HostDirBackend), injected by the platform. */
export interface MountFactory {
  /** A bind mount of `hostPath`; `create`: make the directory when missing (`-v`), else NOT_FOUND. */
  bind(hostPath: string, options: { readOnly: boolean; create: boolean }): Promise<FsBackend<unknown>>;
  /** A volume's data directory (its mountpoint). */
  volume(mountpoint: string, options: { readOnly: boolean }): Promise<FsBackend<unknown>>;
  /** How a worker reaches the backend itself (ContainerFsHubOptions.describeMount). */
  describe(backend: FsBackend<unknown>): { type: 'host'; hostPath: string } | undefined;
}

export interface ContainerServiceOptions {
  images: ImageStore;
  layers: LayerStore;
  volumes: VolumeService;
  events: EventService;
  usage: UsageTracker;
  system: SystemService;
  clock: Clock;
  random: (n: number) => Uint8Array;
  loadProgram?: ProgramLoader;
  persistence?: ContainerPersistence;
  mountFactory?: MountFactory;
  workerFactory?: WorkerFactory;
  /** Default: worker when a worker factory is available (given, or the platform's default), else inline. */
  processMode?: ProcessMode;
  moduleCache?: ModuleCache;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15,
  STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, PWR: 30, SYS: 31,
};
const LIST_FILTERS = ['id', 'name', 'label', 'status', 'ancestor', 'exited', 'before', 'since', 'volume', 'health', 'network', 'publish', 'expose', 'isolation', 'is-task'] as const;
const PRUNE_FILTERS = ['until', 'label', 'label!'] as const;
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

function signalNumber(signal: string | undefined): number {
  if (signal === undefined || signal === '') return 9;
  if (/^\d+$/.test(signal)) return Number(signal);
  const n = SIGNALS[signal.toUpperCase().replace(/^SIG/, '')];
  if (n === undefined) throw new WasmboxError('INVALID_ARGUMENT', `Invalid signal: ${signal}`, { details: { signal } });
  return n;
}

/** Docker's units.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

const enc = new TextEncoder();

interface Waiter {
  condition: WaitCondition;
  resolve: (r: WaitResult) => void;
}

interface ExecRecord {
  id: string;
  container: Container;
  body: ExecCreateBody;
  running: boolean;
  exitCode: number | null;
  pid: number;
  process?: WasmProcess;
  tty: { columns: number; rows: number };
}

/** The engine's live state of one container. */
class Container {
  record: ContainerRecord;
  hub: ContainerFsHub;
  readonly log: OutputLog;
  process: WasmProcess | undefined;
  /** Stdin written before the process started (attach comes before start). */
  stdinBuffer: Uint8Array[] = [];
  stdinEnded = false;
  waiters: Waiter[] = [];
  exited: Promise<void> = Promise.resolve();
  killCode: number | undefined;
  restartTimer: ReturnType<typeof setTimeout> | undefined;
  tty = { columns: 80, rows: 24 };
  pid = 0;
  /** Mount backends, kept to remount and to reach from workers. */
  backends: { mount: ResolvedMount; backend: FsBackend<unknown> }[] = [];

  constructor(record: ContainerRecord, hub: ContainerFsHub, log: OutputLog) {
    this.record = record;
    this.hub = hub;
    this.log = log;
  }

  get id(): string {
    return this.record.id;
  }
  get status() {
    return this.record.state.status;
  }
  get running(): boolean {
    return this.record.state.status === 'running' || this.record.state.status === 'paused';
  }
}

export class ContainerService implements ContainerServiceApi {
  readonly #o: ContainerServiceOptions;
  readonly #persistence: ContainerPersistence;
  readonly #containers = new Map<string, Container>();
  /** Names taken (without '/'), reserved synchronously at create so racing creates see each other. */
  readonly #names = new Map<string, string>();
  readonly #execs = new Map<string, ExecRecord>();
  /** In-memory volume data (no MountFactory): by volume name and creation time, so a re-created volume starts empty. */
  readonly #memoryVolumes = new Map<string, TreeFs>();
  readonly #ready: Promise<void>;
  #closing = false;
  #nextPid = 1;

  constructor(options: ContainerServiceOptions) {
    this.#o = options;
    this.#persistence = options.persistence ?? new MemoryContainerPersistence();
    options.system.setContainerCounts(() => {
      const all = [...this.#containers.values()];
      const running = all.filter((c) => c.status === 'running' || c.status === 'restarting').length;
      const paused = all.filter((c) => c.status === 'paused').length;
      return { total: all.length, running, paused, stopped: all.length - running - paused };
    });
    this.#ready = this.#restore();
    // A failed restore surfaces on the first call, not as an unhandled rejection.
    this.#ready.catch(() => undefined);
  }

  /** Resolves once the stored containers are loaded. */
  ready(): Promise<void> {
    return this.#ready;
  }

  // ---- ids, names, lookup ----

  #hex(bytes: number): string {
    return [...this.#o.random(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  #now(): number {
    return this.#o.clock.now();
  }

  /** By full id, name (with or without '/'), or unique id prefix; NOT_FOUND "No such container: x". */
  #find(idOrName: string): Container {
    const byId = this.#containers.get(idOrName);
    if (byId) return byId;
    const name = idOrName.replace(/^\//, '');
    const named = this.#names.get(name);
    if (named !== undefined) {
      const c = this.#containers.get(named);
      if (c) return c;
    }
    if (/^[a-f0-9]+$/.test(idOrName)) {
      const matches = [...this.#containers.keys()].filter((id) => id.startsWith(idOrName));
      if (matches.length === 1) return this.#containers.get(matches[0]!)!;
      if (matches.length > 1) {
        throw new WasmboxError('INVALID_ARGUMENT', `multiple IDs found with provided prefix: ${idOrName}`, { details: { container: idOrName } });
      }
    }
    throw new WasmboxError('NOT_FOUND', `No such container: ${idOrName}`, { details: { container: idOrName } });
  }

  async #get(idOrName: string): Promise<Container> {
    await this.#ready;
    return this.#find(idOrName);
  }

  #attributes(c: Container, extra: Record<string, string> = {}): Record<string, string> {
    return { ...c.record.config.Labels, image: c.record.config.Image, name: c.record.name, ...extra };
  }

  #publish(c: Container, action: string, extra: Record<string, string> = {}): void {
    this.#o.events.publish('container', action, { id: c.id, attributes: this.#attributes(c, extra) });
  }

  #save(c: Container): Promise<void> {
    return this.#persistence.save(c.record).catch(() => undefined);
  }

  // ---- create ----

  async create(body: ContainerCreateBody, options: { name?: string } = {}): Promise<ContainerCreateResult> {
    await this.#ready;
    if (this.#closing) throw new WasmboxError('CANCELLED', 'the engine is shutting down');
    let name = options.name ?? '';
    if (name !== '') {
      name = name.replace(/^\//, '');
      if (!CONTAINER_NAME_RE.test(name)) {
        throw new WasmboxError('INVALID_ARGUMENT', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, { details: { name } });
      }
    }
    const id = this.#hex(32);
    if (name === '') name = generateName(this.#o.random, (n) => this.#names.has(n));
    // Reserve the name before anything is awaited: of two racing creates, one gets a 409.
    const holder = this.#names.get(name);
    if (holder !== undefined) {
      throw new WasmboxError(
        'CONFLICT',
        `Conflict. The container name "/${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
        { details: { name, container: holder } },
      );
    }
    this.#names.set(name, id);
    try {
      const c = await this.#createContainer(id, name, body);
      this.#containers.set(id, c);
      await this.#save(c);
      this.#publish(c, 'create');
      const warnings: string[] = [];
      return { Id: id, Warnings: warnings };
    } catch (e) {
      this.#names.delete(name);
      this.#o.layers.remove(id);
      this.#o.usage.removeUser(id);
      throw e;
    }
  }

  async #createContainer(id: string, name: string, body: ContainerCreateBody): Promise<Container> {
    const hc = { ...(body.HostConfig ?? {}) };
    const network = hc.NetworkMode ?? '';
    if (!['', 'none', 'default', 'bridge'].includes(network)) {
      throw new WasmboxError('NOT_IMPLEMENTED', `network "${network}": user-defined networks are not supported by wasmbox yet (use the default: no network)`, {
        details: { network },
      });
    }
    const rootfs = hc.Rootfs !== undefined && hc.Rootfs !== '' ? hc.Rootfs : undefined;
    if (rootfs !== undefined) {
      if (!this.#o.mountFactory) {
        throw new WasmboxError('NOT_IMPLEMENTED', `--rootfs ${rootfs}: this platform has no host directories`, { details: { rootfs } });
      }
      if (body.Image !== '' && body.Image !== undefined) {
        throw new WasmboxError('INVALID_ARGUMENT', `--rootfs ${rootfs} and the image ${body.Image} both name the root file system: give one (wasmbox run --rootfs DIR COMMAND)`, {
          details: { rootfs, image: body.Image },
        });
      }
      // Fails now, with the path, when the directory is missing.
      await this.#o.mountFactory.bind(rootfs, { readOnly: hc.ReadonlyRootfs ?? false, create: false });
    }
    if (hc.Memory !== undefined && hc.Memory !== 0 && hc.Memory < 6 * 1024 * 1024) {
      throw new WasmboxError('INVALID_ARGUMENT', 'Minimum memory limit allowed is 6MB', { details: { memory: hc.Memory } });
    }
    let image: ImageRecord | undefined;
    if (rootfs === undefined && (body.Image !== '' || body.Module === undefined)) {
      image = await this.#resolveImage(body.Image);
    }
    const config = mergeConfig(body, image?.config.config, id.slice(0, 12));
    if (body.Module !== undefined && (config.Entrypoint === null || config.Entrypoint === undefined || config.Entrypoint.length === 0)) {
      config.Entrypoint = [normalizeAbsolute(body.Module.path)];
    }
    const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
    if (argv.length === 0) throw new WasmboxError('INVALID_ARGUMENT', 'No command specified', { details: { image: body.Image } });
    const layers = image?.manifest.layers.map((l) => l.digest) ?? [];
    const record: ContainerRecord = {
      id,
      name,
      created: this.#now(),
      config,
      hostConfig: { NetworkMode: network === '' ? 'default' : network, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, ...hc },
      imageId: image?.id ?? '',
      layers,
      path: argv[0]!,
      args: argv.slice(1),
      mounts: [],
      state: { status: 'created', exitCode: 0, error: '', oomKilled: false, startedAt: 0, finishedAt: 0 },
      restartCount: 0,
      manuallyStopped: false,
    };
    const requests = mountRequests(body, image?.config.config?.Volumes);
    record.mounts = await this.#resolveMounts(requests, id);
    const c = await this.#openContainer(record, undefined);
    if (body.Module !== undefined) {
      const p = normalizeAbsolute(body.Module.path);
      // With --rootfs the module is kept in the (otherwise unused) top layer, never written into the user's directory.
      const fs = rootfs === undefined ? c.hub.fs : new Namespace(c.hub.top);
      fs.mkdir(dirnameOf(p), { recursive: true });
      fs.writeFile(p, body.Module.bytes, { mode: 0o755 });
    }
    if (image) this.#o.usage.add('image', image.id, id);
    return c;
  }

  async #resolveImage(name: string): Promise<ImageRecord> {
    const store = this.#o.images;
    try {
      if (this.#o.loadProgram) return await ensureImage(store, name, { loadProgram: this.#o.loadProgram });
      return await store.resolve(name);
    } catch (e) {
      if (isWasmboxError(e, 'IMAGE_NOT_FOUND') || isWasmboxError(e, 'INVALID_REFERENCE')) {
        let display = name;
        try {
          display = parseReference(name).familiar();
        } catch {
          // Keep the name as given.
        }
        if (/^(sha256:)?[a-f0-9]{64}$/.test(name)) display = name;
        throw new WasmboxError('IMAGE_NOT_FOUND', `No such image: ${display}`, { cause: e, details: { image: name } });
      }
      throw e;
    }
  }

  async #resolveMounts(requests: MountRequest[], id: string): Promise<ResolvedMount[]> {
    const out: ResolvedMount[] = [];
    for (const r of requests) {
      if (r.type === 'tmpfs') {
        out.push({ Type: 'tmpfs', Source: '', Destination: r.target, RW: !r.readOnly, Mode: r.mode, ...(r.sizeBytes === undefined ? {} : { sizeBytes: r.sizeBytes }) });
        continue;
      }
      if (r.type === 'bind') {
        if (!this.#o.mountFactory) {
          throw new WasmboxError('NOT_IMPLEMENTED', `bind mount of ${r.source}: this platform has no host directories`, { details: { source: r.source } });
        }
        await this.#o.mountFactory.bind(r.source, { readOnly: r.readOnly, create: r.createHostPath });
        out.push({ Type: 'bind', Source: r.source, Destination: r.target, RW: !r.readOnly, Mode: r.mode });
        continue;
      }
      const anonymous = r.source === '';
      const volume = await this.#o.volumes.create(anonymous ? {} : { name: r.source });
      this.#o.usage.add('volume', volume.name, id);
      out.push({
        Type: 'volume',
        Name: volume.name,
        Source: volume.mountpoint,
        Destination: r.target,
        RW: !r.readOnly,
        Mode: r.mode === '' ? 'z' : r.mode,
        ...(anonymous ? { anonymous: true } : {}),
      });
    }
    return out;
  }

  async #backendFor(m: ResolvedMount): Promise<FsBackend<unknown>> {
    if (m.Type === 'tmpfs') return new TreeFs(undefined, { now: () => this.#now(), ...(m.sizeBytes === undefined ? {} : { maxBytes: m.sizeBytes }) });
    const factory = this.#o.mountFactory;
    if (m.Type === 'bind') {
      if (!factory) throw new WasmboxError('NOT_IMPLEMENTED', `bind mount of ${m.Source}: this platform has no host directories`);
      return factory.bind(m.Source, { readOnly: !m.RW, create: true });
    }
    if (factory) return factory.volume(m.Source, { readOnly: !m.RW });
    const record = await this.#o.volumes.backend.get(m.Name!);
    const key = `${m.Name}\0${record?.createdAt ?? ''}`;
    let tree = this.#memoryVolumes.get(key);
    if (!tree) this.#memoryVolumes.set(key, (tree = new TreeFs(undefined, { now: () => this.#now() })));
    return tree;
  }

  /** Builds the live container over its record: top layer (+ saved changes), mounts, log. */
  async #openContainer(record: ContainerRecord, saved: { top?: Uint8Array; logs?: OutputFrame[] } | undefined): Promise<Container> {
    const layers = this.#o.layers;
    const top = await layers.prepare(record.id, record.layers);
    const parsed = await Promise.all(record.layers.map((d) => layers.layer(d)));
    const view = await layers.view(record.layers);
    const rootfs = record.hostConfig.Rootfs !== undefined && record.hostConfig.Rootfs !== '' ? record.hostConfig.Rootfs : undefined;
    let root: FsBackend<unknown> | undefined;
    if (rootfs !== undefined) {
      if (!this.#o.mountFactory) throw new WasmboxError('NOT_IMPLEMENTED', `--rootfs ${rootfs}: this platform has no host directories`, { details: { rootfs } });
      root = await this.#o.mountFactory.bind(rootfs, { readOnly: record.hostConfig.ReadonlyRootfs ?? false, create: false });
    }
    const hub = new ContainerFsHub({
      top,
      lower: { ...(view.chainId === undefined ? {} : { chainId: view.chainId }), tars: parsed.map((p) => p.tar) },
      ...(root === undefined ? {} : { root }),
      readOnly: record.hostConfig.ReadonlyRootfs ?? false,
      ...(this.#o.mountFactory ? { describeMount: (b: FsBackend<unknown>) => this.#o.mountFactory!.describe(b) } : {}),
    });
    const log = new OutputLog({ onEntry: (f) => this.#persistence.appendLog(record.id, f) });
    if (saved?.logs) log.load(saved.logs);
    const c = new Container(record, hub, log);
    // Restore the saved top layer through a writable view (the hub's may be read-only).
    const writable = new Namespace(top);
    if (saved?.top && saved.top.length > 0) extractTar(writable, '/', saved.top, { whiteouts: true });
    // Mount points go into the host directory of a --rootfs container (as podman), unless it is read-only.
    const mountPoints = root === undefined ? writable : record.hostConfig.ReadonlyRootfs ? undefined : new Namespace(root);
    for (const m of record.mounts) {
      // Docker creates mount points (and their parents) in the container's layer.
      try {
        mountPoints?.mkdir(m.Destination, { recursive: true });
      } catch {
        // A file at the mount point: the mount hides it in the view anyway.
      }
      const backend = await this.#backendFor(m);
      hub.mount(m.Destination, backend, { readOnly: !m.RW });
      c.backends.push({ mount: m, backend });
    }
    return c;
  }

  async #restore(): Promise<void> {
    const stored = await this.#persistence.load();
    for (const s of stored) {
      const r = s.record;
      if (r.state.status === 'running' || r.state.status === 'paused' || r.state.status === 'restarting' || r.state.status === 'removing') {
        // The engine died with it running: as Docker after a daemon crash.
        r.state = { ...r.state, status: 'exited', exitCode: 255, finishedAt: r.state.finishedAt || this.#now() };
      }
      let c: Container;
      try {
        c = await this.#openContainer(r, s);
      } catch {
        // Its image's layers are gone: keep it visible as dead, as Docker does with a broken container.
        r.state = { ...r.state, status: 'dead' };
        const top = new TreeFs();
        c = new Container(r, new ContainerFsHub({ top }), new OutputLog());
      }
      this.#containers.set(r.id, c);
      this.#names.set(r.name, r.id);
      if (r.imageId !== '') this.#o.usage.add('image', r.imageId, r.id);
      for (const m of r.mounts) if (m.Type === 'volume' && m.Name !== undefined) this.#o.usage.add('volume', m.Name, r.id);
      await this.#save(c);
    }
  }

  // ---- start and the process ----

  async start(id: string): Promise<void> {
    const c = await this.#get(id);
    if (c.status === 'running') return;
    if (c.status === 'paused') throw new WasmboxError('CONFLICT', 'cannot start a paused container, try unpause instead', { details: { container: c.id } });
    if (c.status === 'removing' || c.status === 'dead') {
      throw new WasmboxError('CONFLICT', `container ${c.id} is marked for removal and cannot be started`, { details: { container: c.id } });
    }
    if (c.restartTimer !== undefined) {
      clearTimeout(c.restartTimer);
      c.restartTimer = undefined;
    }
    c.record.manuallyStopped = false;
    this.#run(c);
  }

  /** Resolves argv[0] in the container as execve would (PATH lookup unless it has a '/'). */
  #resolveProgram(c: Container, argv0: string, env: string[], cwd: string): { path: string; bytes: Uint8Array } {
    const kept = this.#keptModule(c, argv0);
    if (kept !== undefined) return kept;
    const fs = c.hub.fs;
    const fail = (code: 126 | 127, message: string): never => {
      throw new WasmboxError('INVALID_ARGUMENT', `failed to create task for container: ${message}: unknown`, { details: { exitCode: code, command: argv0 } });
    };
    const isFile = (p: string): boolean => {
      try {
        return fs.kindOf(p) === 'file';
      } catch {
        return false;
      }
    };
    let path: string | undefined;
    if (argv0.includes('/')) {
      path = normalizeAbsolute(argv0.startsWith('/') ? argv0 : `${cwd}/${argv0}`);
      const kind = (() => {
        try {
          return fs.kindOf(path);
        } catch {
          return undefined;
        }
      })();
      if (kind === undefined) fail(127, `exec: "${argv0}": stat ${argv0}: no such file or directory`);
      if (kind === 'dir') fail(126, `exec: "${argv0}": is a directory`);
    } else {
      const pathVar = env.findLast((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
      for (const dir of pathVar.split(':')) {
        const candidate = normalizeAbsolute(`${dir === '' ? cwd : dir.startsWith('/') ? dir : `${cwd}/${dir}`}/${argv0}`);
        if (isFile(candidate)) {
          path = candidate;
          break;
        }
      }
      if (path === undefined) fail(127, `exec: "${argv0}": executable file not found in $PATH`);
    }
    let bytes: Uint8Array;
    try {
      bytes = fs.readFile(path!);
    } catch (e) {
      return fail(126, `exec: "${argv0}": ${e instanceof Error ? e.message : String(e)}`);
    }
    if (programKind(bytes) === 'unknown') fail(126, `exec ${path}: exec format error`);
    return { path: path!, bytes };
  }

  /** A --rootfs container's `./prog.wasm`: kept in its top layer, outside the host directory. */
  #keptModule(c: Container, argv0: string): { path: string; bytes: Uint8Array } | undefined {
    const rootfs = c.record.hostConfig.Rootfs;
    if (rootfs === undefined || rootfs === '' || !argv0.startsWith('/')) return undefined;
    try {
      const path = normalizeAbsolute(argv0);
      const top = new Namespace(c.hub.top);
      return top.kindOf(path) === 'file' ? { path, bytes: top.readFile(path) } : undefined;
    } catch {
      return undefined;
    }
  }

  #processEnv(c: Container, extra: readonly string[] = []): string[] {
    const env = [...(c.record.config.Env ?? [])];
    for (const kv of extra) {
      const key = kv.split('=')[0];
      const i = env.findIndex((e) => e.split('=')[0] === key);
      if (i >= 0) env[i] = kv;
      else env.push(kv);
    }
    if (!env.some((e) => e.startsWith('PATH='))) env.unshift(`PATH=${DEFAULT_PATH}`);
    if (!env.some((e) => e.startsWith('HOSTNAME='))) env.unshift(`HOSTNAME=${c.record.config.Hostname}`);
    if (!env.some((e) => e.startsWith('HOME='))) env.push('HOME=/root');
    if (c.record.config.Tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
    return env;
  }

  #spawn(c: Container, spec: { argv: string[]; env: string[]; cwd: string; tty: boolean; stdin: ProcessSpec['stdin']; out: (stream: 'stdout' | 'stderr', data: Uint8Array) => void }): WasmProcess {
    const { path, bytes } = this.#resolveProgram(c, spec.argv[0]!, spec.env, spec.cwd);
    const memory = c.record.hostConfig.Memory;
    const kind = programKind(bytes);
    return spawnProcess({
      ...(kind === 'wasm' ? { module: bytes } : { exec: path }),
      args: spec.argv,
      env: spec.env,
      cwd: spec.cwd,
      hub: c.hub,
      ...(spec.stdin === undefined ? {} : { stdin: spec.stdin }),
      stdout: (d) => spec.out('stdout', d),
      stderr: (d) => spec.out(spec.tty ? 'stdout' : 'stderr', d),
      ...(spec.tty ? { tty: c.tty } : {}),
      ...(memory ? { limits: { memoryBytes: memory } } : {}),
      ...(this.#o.processMode === undefined ? {} : { mode: this.#o.processMode }),
      ...(this.#o.workerFactory === undefined ? {} : { workerFactory: this.#o.workerFactory }),
      moduleCache: this.#o.moduleCache ?? defaultModuleCache(),
      name: path,
    });
  }

  #run(c: Container): void {
    const r = c.record;
    const cwd = r.config.WorkingDir || '/';
    const env = this.#processEnv(c);
    const argv = [r.path, ...r.args];
    let proc: WasmProcess;
    try {
      if (!c.hub.fs.exists(cwd)) {
        if (r.hostConfig.ReadonlyRootfs) throw new WasmboxError('INVALID_ARGUMENT', `failed to create task for container: chdir to cwd ("${cwd}") set in config.json failed: no such file or directory: unknown`, { details: { exitCode: 128 } });
        // Docker creates a missing working directory.
        c.hub.fs.mkdir(cwd, { recursive: true });
      }
      proc = this.#spawn(c, {
        argv,
        env,
        cwd,
        tty: r.config.Tty ?? false,
        stdin: r.config.OpenStdin ? 'pipe' : undefined,
        // A TTY's output gets ONLCR, as from a pty (the client's terminal is in raw mode).
        out: (stream, data) => c.log.write(stream, r.config.Tty ? onlcr(data) : data, this.#now()),
      });
    } catch (e) {
      const err = e instanceof WasmboxError ? e : new WasmboxError('INTERNAL', e instanceof Error ? e.message : String(e), { cause: e });
      const code = typeof err.details?.exitCode === 'number' ? err.details.exitCode : 128;
      r.state = { ...r.state, exitCode: code, error: err.message };
      c.log.endRun(this.#now());
      void this.#save(c);
      this.#settleWaiters(c, code, err.message);
      if (r.hostConfig.AutoRemove) void this.#removeNow(c, { volumes: true });
      throw err;
    }
    c.process = proc;
    c.pid = this.#nextPid++;
    c.killCode = undefined;
    for (const chunk of c.stdinBuffer.splice(0)) proc.writeStdin(chunk);
    if (c.stdinEnded) proc.endStdin();
    r.state = { status: 'running', exitCode: 0, error: '', oomKilled: false, startedAt: this.#now(), finishedAt: 0 };
    void this.#save(c);
    this.#publish(c, 'start');
    c.exited = proc.exited.then((status) => this.#onExit(c, proc, status));
  }

  async #onExit(c: Container, proc: WasmProcess, status: ExitStatus): Promise<void> {
    if (c.process !== proc) return;
    c.process = undefined;
    const r = c.record;
    let code = status.code;
    if (status.reason === 'killed' && c.killCode !== undefined) code = c.killCode;
    const now = this.#now();
    if (status.message !== undefined && status.reason !== undefined && status.reason !== 'killed') {
      c.log.write(r.config.Tty ? 'stdout' : 'stderr', enc.encode(`${status.message}\n`), now);
    }
    c.log.endRun(now);
    r.state = { ...r.state, status: 'exited', exitCode: code, oomKilled: status.reason === 'oom', finishedAt: now, error: status.reason === 'error' ? (status.message ?? '') : '' };
    c.stdinBuffer = [];
    c.stdinEnded = false;
    await this.#saveTop(c);
    await this.#save(c);
    this.#publish(c, 'die', { exitCode: String(code), execDuration: String(Math.round((now - r.state.startedAt) / 1000)) });
    if (status.reason === 'oom') this.#publish(c, 'oom');
    this.#settleWaiters(c, code, undefined);
    if (this.#closing) return;
    if (this.#shouldRestart(c, code)) {
      r.state.status = 'restarting';
      r.restartCount++;
      const delay = Math.min(100 * 2 ** Math.min(r.restartCount - 1, 4), 1000);
      c.restartTimer = setTimeout(() => {
        c.restartTimer = undefined;
        if (c.status !== 'restarting' || this.#closing) return;
        try {
          this.#run(c);
        } catch {
          r.state.status = 'exited';
        }
      }, delay);
      return;
    }
    if (r.hostConfig.AutoRemove) await this.#removeNow(c, { volumes: true });
  }

  #shouldRestart(c: Container, code: number): boolean {
    const r = c.record;
    if (r.manuallyStopped || r.hostConfig.AutoRemove) return false;
    const policy = r.hostConfig.RestartPolicy ?? { Name: 'no' };
    switch (policy.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return code !== 0 && (!policy.MaximumRetryCount || r.restartCount < policy.MaximumRetryCount);
      default:
        return false;
    }
  }

  async #saveTop(c: Container): Promise<void> {
    const top = c.hub.top;
    try {
      await this.#persistence.saveTop(c.id, writeTar(diffEntries(top.rootNode, top.lower)));
    } catch {
      // Persistence is best effort per exit; the record says the container exited anyway.
    }
  }

  #settleWaiters(c: Container, code: number, error: string | undefined): void {
    const result: WaitResult = { StatusCode: code, Error: error === undefined ? null : { Message: error } };
    c.waiters = c.waiters.filter((w) => {
      if (w.condition === 'removed') return true;
      w.resolve(result);
      return false;
    });
  }

  async wait(id: string, options: { condition?: WaitCondition; signal?: AbortSignal } = {}): Promise<WaitResult> {
    const c = await this.#get(id);
    const condition = options.condition ?? 'not-running';
    if (condition === 'not-running' && (c.status === 'created' || c.status === 'exited' || c.status === 'dead')) {
      return { StatusCode: c.record.state.exitCode, Error: null };
    }
    return new Promise<WaitResult>((resolve, reject) => {
      const waiter: Waiter = { condition, resolve };
      c.waiters.push(waiter);
      options.signal?.addEventListener(
        'abort',
        () => {
          c.waiters = c.waiters.filter((w) => w !== waiter);
          reject(new WasmboxError('CANCELLED', 'wait cancelled'));
        },
        { once: true },
      );
    });
  }

  // ---- stop, kill, restart, pause ----

  async stop(id: string, options: { timeout?: number } = {}): Promise<void> {
    const c = await this.#get(id);
    c.record.manuallyStopped = true;
    if (c.restartTimer !== undefined) {
      clearTimeout(c.restartTimer);
      c.restartTimer = undefined;
      c.record.state.status = 'exited';
      await this.#save(c);
    }
    if (!c.process) return;
    void options;
    // No signal reaches a WASI program: killing at once is what a stop timeout would end in.
    this.#publish(c, 'kill', { signal: '15' });
    c.killCode = 137;
    c.process.kill();
    await c.exited;
    this.#publish(c, 'stop');
  }

  async kill(id: string, options: { signal?: string } = {}): Promise<void> {
    const c = await this.#get(id);
    const signo = signalNumber(options.signal);
    if (!c.process) {
      throw new WasmboxError('CONFLICT', `Cannot kill container: ${id}: Container ${c.id} is not running`, { details: { container: c.id } });
    }
    this.#publish(c, 'kill', { signal: String(signo) });
    // Signals a program would not die of by default.
    if (signo === 0 || signo === SIGNALS.CHLD || signo === SIGNALS.WINCH || signo === SIGNALS.URG || signo === SIGNALS.CONT) return;
    c.record.manuallyStopped = true;
    c.killCode = 128 + signo;
    c.process.kill();
    await c.exited;
  }

  async restart(id: string, options: { timeout?: number } = {}): Promise<void> {
    const c = await this.#get(id);
    await this.stop(c.id, options);
    await this.start(c.id);
    this.#publish(c, 'restart');
  }

  /** The container's main process and its running execs: what `docker pause` freezes. */
  #processesOf(c: Container): WasmProcess[] {
    const out = c.process ? [c.process] : [];
    for (const e of this.#execs.values()) if (e.container === c && e.process) out.push(e.process);
    return out;
  }

  async pause(id: string): Promise<void> {
    const c = await this.#get(id);
    if (c.status === 'paused') throw new WasmboxError('CONFLICT', `Container ${c.id} is already paused`, { details: { container: c.id } });
    if (!c.process || c.status !== 'running') throw new WasmboxError('CONFLICT', `Container ${c.id} is not running`, { details: { container: c.id } });
    const processes = this.#processesOf(c);
    if (processes.some((p) => p.pause === undefined)) {
      throw new WasmboxError(
        'NOT_IMPLEMENTED',
        `cannot pause container ${c.id}: its processes run inline on the engine's thread; pause needs worker processes (the CLI's and the daemon's default)`,
        { details: { container: c.id } },
      );
    }
    for (const p of processes) p.pause!();
    c.record.state.status = 'paused';
    await this.#save(c);
    this.#publish(c, 'pause');
  }

  async unpause(id: string): Promise<void> {
    const c = await this.#get(id);
    if (c.status !== 'paused') throw new WasmboxError('CONFLICT', `Container ${c.id} is not paused`, { details: { container: c.id } });
    for (const p of this.#processesOf(c)) p.resume?.();
    c.record.state.status = 'running';
    await this.#save(c);
    this.#publish(c, 'unpause');
  }

  // ---- remove, rename, update, prune ----

  async remove(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const c = await this.#get(id);
    if (c.status === 'removing') {
      throw new WasmboxError('CONFLICT', `removal of container ${c.id} is already in progress`, { details: { container: c.id } });
    }
    if (c.process || c.status === 'restarting') {
      if (!options.force) {
        throw new WasmboxError(
          'CONFLICT',
          `cannot remove container "/${c.record.name}": container is ${c.status}: stop the container before removing or force remove`,
          { details: { container: c.id } },
        );
      }
      c.record.manuallyStopped = true;
      if (c.restartTimer !== undefined) clearTimeout(c.restartTimer);
      if (c.process) {
        c.killCode = 137;
        this.#publish(c, 'kill', { signal: '9' });
        c.process.kill();
        await c.exited;
      }
    }
    if (!this.#containers.has(c.id)) return;
    await this.#removeNow(c, { volumes: options.volumes ?? false });
  }

  async #removeNow(c: Container, options: { volumes: boolean }): Promise<void> {
    if (!this.#containers.has(c.id) || c.status === 'removing') return;
    c.record.state.status = 'removing';
    for (const e of [...this.#execs.values()]) if (e.container === c) this.#execs.delete(e.id);
    this.#o.layers.remove(c.id);
    this.#o.usage.removeUser(c.id);
    this.#containers.delete(c.id);
    if (this.#names.get(c.record.name) === c.id) this.#names.delete(c.record.name);
    await this.#persistence.remove(c.id).catch(() => undefined);
    if (options.volumes) {
      for (const m of c.record.mounts) {
        if (m.Type !== 'volume' || !m.anonymous || m.Name === undefined) continue;
        await this.#o.volumes.remove(m.Name, { force: true }).catch(() => undefined);
      }
    }
    this.#publish(c, 'destroy');
    const result: WaitResult = { StatusCode: c.record.state.exitCode, Error: null };
    for (const w of c.waiters.splice(0)) w.resolve(result);
  }

  async rename(id: string, newName: string): Promise<void> {
    const c = await this.#get(id);
    const name = newName.replace(/^\//, '');
    if (!CONTAINER_NAME_RE.test(name)) {
      throw new WasmboxError('INVALID_ARGUMENT', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, { details: { name } });
    }
    if (name === c.record.name) throw new WasmboxError('INVALID_ARGUMENT', 'Renaming a container with the same name as its current name', { details: { name } });
    const holder = this.#names.get(name);
    if (holder !== undefined) {
      throw new WasmboxError(
        'CONFLICT',
        `Conflict. The container name "/${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
        { details: { name, container: holder } },
      );
    }
    const old = c.record.name;
    this.#names.delete(old);
    this.#names.set(name, c.id);
    c.record.name = name;
    await this.#save(c);
    this.#publish(c, 'rename', { oldName: `/${old}` });
  }

  async update(id: string, changes: { Memory?: number; RestartPolicy?: RestartPolicy }): Promise<{ Warnings: string[] }> {
    const c = await this.#get(id);
    if (changes.Memory !== undefined) {
      if (changes.Memory !== 0 && changes.Memory < 6 * 1024 * 1024) throw new WasmboxError('INVALID_ARGUMENT', 'Minimum memory limit allowed is 6MB');
      c.record.hostConfig.Memory = changes.Memory;
    }
    if (changes.RestartPolicy !== undefined) {
      if (c.record.hostConfig.AutoRemove && changes.RestartPolicy.Name !== 'no' && changes.RestartPolicy.Name !== '') {
        throw new WasmboxError('INVALID_ARGUMENT', 'Restart policy cannot be updated because AutoRemove is enabled for the container');
      }
      c.record.hostConfig.RestartPolicy = changes.RestartPolicy;
    }
    await this.#save(c);
    this.#publish(c, 'update');
    // A memory limit is set when a module is instantiated: a running process keeps its own.
    return { Warnings: changes.Memory !== undefined && c.process ? ['The memory limit applies from the next start of the container'] : [] };
  }

  async prune(options: { filters?: Record<string, string[]> } = {}): Promise<PruneResult> {
    await this.#ready;
    const filters = options.filters ?? {};
    checkFilterKeys(filters, PRUNE_FILTERS);
    const now = this.#now();
    const until = filters.until?.length ? Math.min(...filters.until.map((u) => parseTimeFilter(u, now))) : undefined;
    const deleted: string[] = [];
    let space = 0;
    for (const c of [...this.#containers.values()]) {
      if (c.process || c.status === 'running' || c.status === 'restarting' || c.status === 'paused') continue;
      if (until !== undefined && c.record.created >= until) continue;
      if (!matchLabels(c.record.config.Labels ?? undefined, filters.label)) continue;
      if (filters['label!']?.length && !matchLabels(c.record.config.Labels ?? undefined, filters['label!'], { invert: true })) continue;
      space += this.#sizeRw(c);
      await this.#removeNow(c, { volumes: false });
      deleted.push(c.id);
    }
    this.#o.events.publish('container', 'prune', { id: '', attributes: { reclaimed: String(space) } });
    return { ContainersDeleted: deleted, SpaceReclaimed: space };
  }

  // ---- list, inspect ----

  #sizeRw(c: Container): number {
    let n = 0;
    for (const e of diffEntries(c.hub.top.rootNode, c.hub.top.lower)) n += e.data?.length ?? 0;
    return n;
  }

  #sizeRootFs(c: Container): number {
    let n = 0;
    for (const e of tarEntriesOf(new Namespace(c.hub.top), '/')) n += e.data?.length ?? 0;
    return n;
  }

  #statusText(c: Container): string {
    const s = c.record.state;
    const now = this.#now();
    switch (c.status) {
      case 'created':
        return 'Created';
      case 'running':
        return `Up ${humanDuration(now - s.startedAt)}`;
      case 'paused':
        return `Up ${humanDuration(now - s.startedAt)} (Paused)`;
      case 'restarting':
        return `Restarting (${s.exitCode}) ${humanDuration(now - s.finishedAt)} ago`;
      case 'removing':
        return 'Removal In Progress';
      case 'dead':
        return 'Dead';
      default:
        return s.finishedAt === 0 ? `Exited (${s.exitCode})` : `Exited (${s.exitCode}) ${humanDuration(now - s.finishedAt)} ago`;
    }
  }

  #mountsOf(c: Container): ContainerSummary['Mounts'] {
    return c.record.mounts.map((m) => ({
      Type: m.Type,
      ...(m.Name === undefined ? {} : { Name: m.Name, Driver: 'local' }),
      Source: m.Source,
      Destination: m.Destination,
      RW: m.RW,
      Mode: m.Mode,
      Propagation: m.Type === 'bind' ? 'rprivate' : '',
    }));
  }

  /** As dockerd lists it: arguments holding a space are single-quoted. */
  #command(c: Container): string {
    const args = c.record.args.map((a) => (a.includes(' ') ? `'${a}'` : a));
    return args.length > 0 ? `${c.record.path} ${args.join(' ')}` : c.record.path;
  }

  #imageName(c: Container): string {
    return c.record.config.Image === '' ? c.record.path : c.record.config.Image;
  }

  #ports(c: Container): ContainerSummary['Ports'] {
    return Object.keys(c.record.config.ExposedPorts ?? {}).map((p) => {
      const [port, type = 'tcp'] = p.split('/');
      return { PrivatePort: Number(port), Type: type };
    });
  }

  #matches(c: Container, filters: Record<string, string[]>): boolean {
    const r = c.record;
    const any = (key: string, test: (v: string) => boolean): boolean => {
      const values = filters[key];
      return values === undefined || values.length === 0 || values.some(test);
    };
    if (!any('id', (v) => c.id.startsWith(v))) return false;
    if (!any('name', (v) => new RegExp(v.replace(/^\//, '')).test(r.name))) return false;
    if (!matchLabels(r.config.Labels ?? undefined, filters.label)) return false;
    if (!any('status', (v) => v === c.status)) return false;
    if (!any('exited', (v) => c.status === 'exited' && Number(v) === r.state.exitCode)) return false;
    if (!any('volume', (v) => r.mounts.some((m) => m.Name === v || m.Destination === v || m.Source === v))) return false;
    if (
      !any('ancestor', (v) => {
        if (v.replace(/^sha256:/, '') !== '' && r.imageId.replace(/^sha256:/, '').startsWith(v.replace(/^sha256:/, ''))) return true;
        const name = (s: string): string => {
          try {
            return parseReference(s).toString();
          } catch {
            return s;
          }
        };
        return name(v) === name(r.config.Image);
      })
    ) {
      return false;
    }
    for (const key of ['before', 'since'] as const) {
      const values = filters[key];
      if (!values?.length) continue;
      for (const v of values) {
        const other = this.#find(v);
        if (key === 'before' && !(r.created < other.record.created)) return false;
        if (key === 'since' && !(r.created > other.record.created)) return false;
      }
    }
    return true;
  }

  async list(options: ListOptions = {}): Promise<ContainerSummary[]> {
    await this.#ready;
    const filters = options.filters ?? {};
    checkFilterKeys(filters, LIST_FILTERS);
    for (const s of filters.status ?? []) {
      if (!STATUSES.includes(s)) throw new WasmboxError('INVALID_ARGUMENT', `invalid filter 'status=${s}'`, { details: { filter: 'status', value: s } });
    }
    const all = options.all || (options.limit !== undefined && options.limit > 0) || Object.keys(filters).length > 0;
    let cs = [...this.#containers.values()]
      .filter((c) => all || c.status === 'running' || c.status === 'paused' || c.status === 'restarting')
      .filter((c) => this.#matches(c, filters))
      .sort((a, b) => b.record.created - a.record.created || (a.id < b.id ? -1 : 1));
    if (options.limit !== undefined && options.limit > 0) cs = cs.slice(0, options.limit);
    return cs.map((c) => ({
      Id: c.id,
      Names: [`/${c.record.name}`],
      Image: this.#imageName(c),
      ImageID: c.record.imageId,
      Command: this.#command(c),
      Created: Math.floor(c.record.created / 1000),
      State: c.status,
      Status: this.#statusText(c),
      Ports: this.#ports(c),
      Labels: { ...(c.record.config.Labels ?? {}) },
      ...(options.size ? { SizeRw: this.#sizeRw(c), SizeRootFs: this.#sizeRootFs(c) } : {}),
      HostConfig: { NetworkMode: c.record.hostConfig.NetworkMode ?? 'default' },
      NetworkSettings: { Networks: {} },
      Mounts: this.#mountsOf(c),
    }));
  }

  async inspect(id: string, options: { size?: boolean } = {}): Promise<ContainerInspect> {
    const c = await this.#get(id);
    const r = c.record;
    const s = r.state;
    const zero = '0001-01-01T00:00:00Z';
    return {
      Id: c.id,
      Created: new Date(r.created).toISOString(),
      Path: r.path,
      Args: [...r.args],
      State: {
        Status: c.status,
        Running: c.status === 'running' || c.status === 'paused',
        Paused: c.status === 'paused',
        Restarting: c.status === 'restarting',
        OOMKilled: s.oomKilled,
        Dead: c.status === 'dead',
        Pid: c.process ? c.pid : 0,
        ExitCode: s.exitCode,
        Error: s.error,
        StartedAt: s.startedAt === 0 ? zero : new Date(s.startedAt).toISOString(),
        FinishedAt: s.finishedAt === 0 ? zero : new Date(s.finishedAt).toISOString(),
      },
      Image: r.imageId,
      Name: `/${r.name}`,
      RestartCount: r.restartCount,
      Driver: 'wasmbox',
      Platform: 'wasi',
      MountLabel: '',
      ProcessLabel: '',
      AppArmorProfile: '',
      HostConfig: {
        Binds: null,
        Memory: 0,
        AutoRemove: false,
        ReadonlyRootfs: false,
        ...structuredClone(r.hostConfig),
      },
      Mounts: this.#mountsOf(c),
      Config: structuredClone(r.config),
      NetworkSettings: { Networks: {}, Ports: {}, IPAddress: '', Gateway: '', MacAddress: '' },
      ...(options.size ? { SizeRw: this.#sizeRw(c), SizeRootFs: this.#sizeRootFs(c) } : {}),
    };
  }

  // ---- logs, attach, resize ----

  logs(id: string, options: LogOptions = {}): AsyncIterable<OutputFrame> {
    return this.#logs(id, options);
  }

  async *#logs(id: string, options: LogOptions): AsyncGenerator<OutputFrame> {
    const c = await this.#get(id);
    const wantOut = options.stdout ?? true;
    const wantErr = options.stderr ?? true;
    const keep = (f: OutputFrame): boolean =>
      (f.stream === 'stdout' ? wantOut : wantErr) &&
      (options.since === undefined || options.since === 0 || f.time >= options.since * 1000) &&
      (options.until === undefined || options.until === 0 || f.time <= options.until * 1000);
    const shape = (f: OutputFrame): OutputFrame =>
      options.timestamps ? { ...f, data: concatBytes([enc.encode(`${timestampOf(f.time)} `), f.data]) } : f;
    // Follow from before the replay, so nothing written in between is lost.
    const live = options.follow && c.process ? c.log.follow(options.signal) : undefined;
    let replay = c.log.entries().filter(keep);
    if (options.tail !== undefined && options.tail !== 'all') replay = options.tail <= 0 ? [] : replay.slice(-options.tail);
    try {
      for (const f of replay) {
        if (options.signal?.aborted) return;
        yield shape(f);
      }
      if (live) for await (const f of live) if (keep(f)) yield shape(f);
    } finally {
      live?.close();
    }
  }

  async attach(id: string, options: AttachOptions = {}): Promise<AttachSession> {
    const c = await this.#get(id);
    // A stopped container may be attached to (`docker start -a` attaches, then starts): the
    // stream follows its next run. `docker attach` itself refuses a stopped container first.
    const tty = c.record.config.Tty ?? false;
    const wantOut = options.stdout ?? true;
    const wantErr = options.stderr ?? true;
    const live = options.stream === false ? undefined : c.log.follow(options.signal);
    const replay = options.logs ? [...c.log.entries()] : [];
    this.#publish(c, 'attach');
    if (options.stdin !== undefined && c.record.config.OpenStdin) void this.#pumpStdin(c, options.stdin);
    const keep = (f: OutputFrame): boolean => (f.stream === 'stdout' ? wantOut : wantErr);
    const output: AsyncIterable<OutputFrame> = {
      async *[Symbol.asyncIterator]() {
        try {
          for (const f of replay) if (keep(f)) yield f;
          if (live) for await (const f of live) if (keep(f)) yield f;
        } finally {
          live?.close();
        }
      },
    };
    return { output, tty };
  }

  async #pumpStdin(c: Container, stdin: AsyncIterable<Uint8Array>): Promise<void> {
    const toProgram = (chunk: Uint8Array): void => {
      if (c.process) c.process.writeStdin(chunk);
      else c.stdinBuffer.push(chunk.slice());
    };
    const endProgram = (): void => {
      if (c.process) c.process.endStdin();
      else c.stdinEnded = true;
    };
    // With a TTY the client sends raw keystrokes: the runtime is the terminal's line discipline.
    const tty = c.record.config.Tty
      ? new LineDiscipline({ input: toProgram, end: endProgram, echo: (data) => c.log.write('stdout', data, this.#now()) })
      : undefined;
    try {
      for await (const chunk of stdin) {
        if (tty) tty.write(chunk);
        else toProgram(chunk);
      }
    } catch {
      // The client went away: as the end of its stdin.
    }
    if (c.record.config.StdinOnce) {
      if (tty) tty.close();
      else endProgram();
    }
  }

  async resize(id: string, size: { h: number; w: number }): Promise<void> {
    const c = await this.#get(id);
    if (size.h > 0) c.tty.rows = size.h;
    if (size.w > 0) c.tty.columns = size.w;
  }

  // ---- exec ----

  async execCreate(id: string, body: ExecCreateBody): Promise<{ Id: string }> {
    const c = await this.#get(id);
    if (!c.process) throw new WasmboxError('CONFLICT', `container ${c.id} is not running`, { details: { container: c.id } });
    if (c.status === 'paused') throw new WasmboxError('CONFLICT', `Container ${c.id} is paused, unpause the container before exec`, { details: { container: c.id } });
    if (!Array.isArray(body.Cmd) || body.Cmd.length === 0) throw new WasmboxError('INVALID_ARGUMENT', 'No exec command specified');
    const execId = this.#hex(32);
    this.#execs.set(execId, { id: execId, container: c, body: structuredClone(body), running: false, exitCode: null, pid: 0, tty: { columns: 80, rows: 24 } });
    this.#publish(c, `exec_create: ${body.Cmd.join(' ')}`, { execID: execId });
    return { Id: execId };
  }

  #exec(execId: string): ExecRecord {
    const e = this.#execs.get(execId);
    if (!e) throw new WasmboxError('NOT_FOUND', `No such exec instance: ${execId}`, { details: { exec: execId } });
    return e;
  }

  async execStart(execId: string, options: { stdin?: AsyncIterable<Uint8Array>; detach?: boolean; tty?: boolean } = {}): Promise<ExecSession> {
    await this.#ready;
    const e = this.#exec(execId);
    const c = e.container;
    if (e.running || e.exitCode !== null) throw new WasmboxError('CONFLICT', `exec ${execId} has already been started`, { details: { exec: execId } });
    if (!c.process) throw new WasmboxError('CONFLICT', `container ${c.id} is not running`, { details: { container: c.id } });
    const tty = options.tty ?? e.body.Tty ?? false;
    const out = new Channel<OutputFrame>();
    const cwd = e.body.WorkingDir || c.record.config.WorkingDir || '/';
    const env = this.#processEnv(c, e.body.Env ?? []);
    const attachStdin = options.stdin !== undefined && (e.body.AttachStdin ?? true);
    let proc: WasmProcess;
    try {
      proc = this.#spawn(c, {
        argv: e.body.Cmd,
        env,
        cwd,
        tty,
        // With a TTY: the same line discipline as the main process (echo, editing, ONLCR).
        stdin: !attachStdin ? undefined : tty ? cookedInput(options.stdin!, (data) => out.push({ stream: 'stdout', data, time: this.#now() })) : options.stdin,
        out: (stream, data) => {
          if (!options.detach) out.push({ stream, data: tty ? onlcr(data) : data, time: this.#now() });
        },
      });
    } catch (err) {
      // Docker reports a missing program as the exec's output and exit code 126/127.
      const code = err instanceof WasmboxError && typeof err.details?.exitCode === 'number' ? err.details.exitCode : 126;
      const message = err instanceof Error ? err.message : String(err);
      e.exitCode = code;
      this.#publish(c, `exec_start: ${e.body.Cmd.join(' ')}`, { execID: e.id });
      this.#publish(c, 'exec_die', { execID: e.id, exitCode: String(code) });
      const frame: OutputFrame = { stream: tty ? 'stdout' : 'stderr', data: enc.encode(`OCI runtime exec failed: ${message.replace(/^failed to create task for container: /, '')}\n`), time: this.#now() };
      if (!options.detach) out.push(frame);
      out.close();
      return { output: out, exited: Promise.resolve(code), tty };
    }
    e.process = proc;
    e.running = true;
    e.pid = this.#nextPid++;
    this.#publish(c, `exec_start: ${e.body.Cmd.join(' ')}`, { execID: e.id });
    const exited = proc.exited.then((status) => {
      e.running = false;
      e.exitCode = status.code;
      e.process = undefined;
      if (status.message !== undefined && status.reason !== undefined && status.reason !== 'killed' && !options.detach) {
        out.push({ stream: tty ? 'stdout' : 'stderr', data: enc.encode(`${status.message}\n`), time: this.#now() });
      }
      out.close();
      this.#publish(c, 'exec_die', { execID: e.id, exitCode: String(status.code) });
      return status.code;
    });
    // A container's processes end with it.
    void c.exited.then(() => proc.kill());
    return { output: out, exited, tty };
  }

  async execInspect(execId: string): Promise<ExecInspect> {
    await this.#ready;
    const e = this.#exec(execId);
    return {
      ID: e.id,
      ContainerID: e.container.id,
      Running: e.running,
      ExitCode: e.exitCode,
      Pid: e.running ? e.pid : 0,
      ProcessConfig: { entrypoint: e.body.Cmd[0]!, arguments: e.body.Cmd.slice(1), tty: e.body.Tty ?? false, user: e.body.User ?? '', privileged: e.body.Privileged ?? false },
      OpenStdin: e.body.AttachStdin ?? false,
      OpenStdout: e.body.AttachStdout ?? true,
      OpenStderr: e.body.AttachStderr ?? true,
      CanRemove: false,
      DetachKeys: '',
    };
  }

  async execResize(execId: string, size: { h: number; w: number }): Promise<void> {
    await this.#ready;
    const e = this.#exec(execId);
    if (size.h > 0) e.tty.rows = size.h;
    if (size.w > 0) e.tty.columns = size.w;
  }

  // ---- top, stats ----

  async top(id: string): Promise<TopResult> {
    const c = await this.#get(id);
    if (!c.process) throw new WasmboxError('CONFLICT', `Container ${c.id} is not running`, { details: { container: c.id } });
    const stime = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
    const rows: string[][] = [['root', String(c.pid), '0', '0', stime(c.record.state.startedAt), c.record.config.Tty ? 'pts/0' : '?', '00:00:00', this.#command(c)]];
    for (const e of this.#execs.values()) {
      if (e.container === c && e.running) rows.push(['root', String(e.pid), String(c.pid), '0', stime(this.#now()), e.body.Tty ? 'pts/1' : '?', '00:00:00', e.body.Cmd.join(' ')]);
    }
    return { Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], Processes: rows };
  }

  async stats(id: string): Promise<ContainerStats> {
    const c = await this.#get(id);
    const running = c.process !== undefined;
    const processes = running ? 1 + [...this.#execs.values()].filter((e) => e.container === c && e.running).length : 0;
    return {
      read: rfc3339(this.#now()),
      preread: '0001-01-01T00:00:00Z',
      id: c.id,
      name: `/${c.record.name}`,
      // Linear memory lives in the worker; the top layer's bytes are what the engine can count.
      memory_stats: running ? { usage: this.#sizeRw(c), limit: c.record.hostConfig.Memory || 0 } : { usage: 0, limit: 0 },
      cpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0, online_cpus: 1 },
      precpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0, online_cpus: 1 },
      pids_stats: { current: processes },
      blkio_stats: {},
      networks: {},
    };
  }

  // ---- file system: diff, export, archive, commit ----

  /** diff and commit need a layer: a --rootfs container has none. */
  #refuseRootfs(c: Container, what: string): void {
    const rootfs = c.record.hostConfig.Rootfs;
    if (rootfs === undefined || rootfs === '') return;
    throw new WasmboxError('INVALID_ARGUMENT', `cannot ${what} container ${c.id}: its root is the host directory ${rootfs} (--rootfs), not an image with a writable layer`, {
      details: { container: c.id, rootfs },
    });
  }

  async changes(id: string): Promise<ChangeItem[]> {
    const c = await this.#get(id);
    this.#refuseRootfs(c, 'diff');
    return changesOf(c.hub.top.rootNode, c.hub.top.lower);
  }

  export(id: string): AsyncIterable<Uint8Array> {
    return this.#export(id);
  }

  async *#export(id: string): AsyncGenerator<Uint8Array> {
    const c = await this.#get(id);
    // The root file system without mounts, as docker export (a --rootfs container: its host directory).
    yield writeTar(tarEntriesOf(new Namespace(c.hub.fs.root), '/'));
    this.#publish(c, 'export');
  }

  async statPath(id: string, path: string): Promise<PathStat> {
    const c = await this.#get(id);
    return pathStatOf(c.hub.fs, absoluteIn(path), id);
  }

  async getArchive(id: string, path: string): Promise<{ stat: PathStat; tar: AsyncIterable<Uint8Array> }> {
    const c = await this.#get(id);
    const p = absoluteIn(path);
    const stat = pathStatOf(c.hub.fs, p, id);
    // `docker cp c:/dir/. -` copies the directory's contents; a trailing slash on a file is an error.
    const contentsOnly = /\/\.$/.test(path);
    if (path.endsWith('/') && c.hub.fs.kindOf(p) !== 'dir') {
      throw new WasmboxError('ENOTDIR', `not a directory: ${path}`, { details: { path } });
    }
    const tar = writeTar(tarEntriesOf(c.hub.fs, p, contentsOnly ? { as: '' } : {}));
    this.#publish(c, 'archive-path');
    return { stat, tar: (async function* () { yield tar; })() };
  }

  async putArchive(id: string, path: string, tar: AsyncIterable<Uint8Array>, options: { noOverwriteDirNonDir?: boolean } = {}): Promise<void> {
    const c = await this.#get(id);
    const chunks: Uint8Array[] = [];
    for await (const chunk of tar) chunks.push(chunk);
    const bytes = concatBytes(chunks);
    const p = absoluteIn(path);
    if (c.record.hostConfig.ReadonlyRootfs) {
      // Only mounted writable volumes take files in a read-only container.
      const m = c.hub.fs.listMounts().find((x) => p === x.path || p.startsWith(`${x.path}/`));
      if (!m || m.readOnly) throw new WasmboxError('EROFS', `container rootfs is marked read-only`, { details: { path } });
    }
    const kind = c.hub.fs.kindOf(p);
    if (kind === undefined) throw new WasmboxError('NOT_FOUND', `Could not find the file ${path} in container ${c.record.name}`, { details: { path } });
    if (kind !== 'dir') throw new WasmboxError('ENOTDIR', `extraction point is not a directory: ${path}`, { details: { path } });
    extractTar(c.hub.fs, p, decompressIfGzip(bytes), options.noOverwriteDirNonDir ? { noOverwriteDirNonDir: true } : {});
    c.hub.flush();
    if (!c.process) await this.#saveTop(c);
    this.#publish(c, 'extract-to-dir');
  }

  async commit(id: string, options: CommitOptions = {}): Promise<{ Id: Digest }> {
    const c = await this.#get(id);
    this.#refuseRootfs(c, 'commit');
    const r = c.record;
    const base: ImageConfig | undefined = r.imageId === '' ? undefined : (await this.#o.images.resolve(r.imageId).catch(() => undefined))?.config;
    const layer = await this.#o.layers.commit(c.id);
    const cfg = structuredClone(r.config);
    const imageConfig = {
      User: cfg.User ?? '',
      ExposedPorts: cfg.ExposedPorts ?? {},
      Env: cfg.Env ?? [],
      Entrypoint: cfg.Entrypoint ?? undefined,
      Cmd: cfg.Cmd ?? undefined,
      Volumes: cfg.Volumes ?? {},
      WorkingDir: cfg.WorkingDir ?? '',
      Labels: cfg.Labels ?? {},
      ...(cfg.StopSignal ? { StopSignal: cfg.StopSignal } : {}),
    } as Record<string, unknown>;
    for (const [k, v] of Object.entries(options.config ?? {})) if (v !== undefined && v !== null && k !== 'HostConfig' && k !== 'Module' && k !== 'Image') imageConfig[k] = v;
    for (const change of options.changes ?? []) applyChange(imageConfig, change);
    for (const k of Object.keys(imageConfig)) if (imageConfig[k] === undefined) delete imageConfig[k];
    const created = new Date(this.#now()).toISOString();
    const config: ImageConfig = {
      ...(base ?? {}),
      architecture: base?.architecture ?? 'wasm',
      os: base?.os ?? 'wasi',
      created,
      ...(options.author ? { author: options.author } : {}),
      // `docker commit -m` is the image's Comment as well as its history entry's.
      ...(options.comment ? { comment: options.comment } : {}),
      config: imageConfig,
      rootfs: { type: 'layers', diff_ids: [...(base?.rootfs.diff_ids ?? []), layer.diffId] },
      history: [...(base?.history ?? []), { created, ...(options.author ? { author: options.author } : {}), ...(options.comment ? { comment: options.comment } : {}), created_by: this.#command(c) }],
    };
    const image = base ? await this.#o.images.resolve(r.imageId) : undefined;
    const tags: string[] = [];
    if (options.repo) tags.push(`${options.repo}${options.tag ? `:${options.tag}` : ''}`);
    const record = await this.#o.images.putImage({
      config,
      layers: [...(image?.manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType })) ?? []), { digest: layer.digest, mediaType: layer.mediaType }],
      tags,
    });
    this.#publish(c, 'commit', { comment: options.comment ?? '' });
    for (const t of tags) this.#o.events.publish('image', 'tag', { id: record.id, attributes: { name: parseReference(t).familiar() } });
    return { Id: record.id };
  }

  // ---- lifecycle ----

  /** Engine shutdown: ends every process (their top layers are saved at exit), no restarts. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#ready.catch(() => undefined);
    const exits: Promise<void>[] = [];
    for (const c of this.#containers.values()) {
      if (c.restartTimer !== undefined) clearTimeout(c.restartTimer);
      for (const e of this.#execs.values()) if (e.container === c) e.process?.kill();
      if (c.process) {
        c.killCode = 137;
        c.process.kill();
        exits.push(c.exited);
      }
    }
    await Promise.all(exits);
    await this.#persistence.flush?.();
  }
}

function absoluteIn(path: string): string {
  return normalizeAbsolute(path.startsWith('/') ? path : `/${path}`);
}


function decompressIfGzip(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new WasmboxError('NOT_IMPLEMENTED', 'a gzip-compressed archive for docker cp is not supported yet; send a plain tar');
  }
  return bytes;
}

/** `--change 'CMD ["x"]'` and friends on an image config (docker commit's subset of Dockerfile instructions). */
function applyChange(config: Record<string, unknown>, change: string): void {
  const ins = parseInstruction(change);
  const argvOf = (c: CommandForm): string[] => (c.form === 'exec' ? c.argv : ['/bin/sh', '-c', c.script]);
  switch (ins.kind) {
    case 'CMD':
      config.Cmd = argvOf(ins.command);
      return;
    case 'ENTRYPOINT':
      config.Entrypoint = argvOf(ins.command);
      return;
    case 'WORKDIR':
      config.WorkingDir = ins.value;
      return;
    case 'USER':
      config.User = ins.value;
      return;
    case 'STOPSIGNAL':
      config.StopSignal = ins.value;
      return;
    case 'ENV': {
      const env = [...((config.Env as string[] | undefined) ?? [])];
      for (const { key, value } of ins.pairs) {
        const i = env.findIndex((e) => e.split('=')[0] === key);
        if (i >= 0) env[i] = `${key}=${value}`;
        else env.push(`${key}=${value}`);
      }
      config.Env = env;
      return;
    }
    case 'LABEL': {
      const labels = { ...((config.Labels as Record<string, string> | undefined) ?? {}) };
      for (const { key, value } of ins.pairs) labels[key] = value;
      config.Labels = labels;
      return;
    }
    case 'EXPOSE': {
      const ports = { ...((config.ExposedPorts as Record<string, object> | undefined) ?? {}) };
      for (const p of ins.values) ports[p.includes('/') ? p : `${p}/tcp`] = {};
      config.ExposedPorts = ports;
      return;
    }
    case 'VOLUME': {
      const vols = { ...((config.Volumes as Record<string, object> | undefined) ?? {}) };
      for (const p of ins.values) vols[p] = {};
      config.Volumes = vols;
      return;
    }
    default:
      throw new WasmboxError('INVALID_ARGUMENT', `${ins.kind} is not a valid change command`, { details: { change } });
  }
}
