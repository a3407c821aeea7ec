// System endpoints: `/_ping` (the first request of every docker command), `/version`, `/info`,
// `/events` (a newline-delimited JSON stream that stays open) and `/system/df`.

import { WasmboxError } from '../../errors.js';
import type { EngineEvent } from '../../engine/events.js';
import { parseTimeFilter } from '../../engine/filters.js';
import type { Router, RouteContext } from '../router.js';
import { filtersParam, json } from '../http.js';
import { jsonLine, streamFrom } from '../stream-format.js';
import { API_VERSION, MIN_API_VERSION } from '../versions.js';
import { imageSummary } from './images.js';
import { volumeJson } from './volumes.js';


/** wasmbox reports itself as a Linux-like daemon: the docker CLI picks path rules and features by OSType. */
const OS_TYPE = 'linux';

function pingHeaders(): Record<string, string> {
  return {
    'Api-Version': API_VERSION,
    // The classic builder (`POST /build` with a tar); BuildKit would need /grpc and /session.
    'Builder-Version': '1',
    'Docker-Experimental': 'false',
    OSType: OS_TYPE,
    Swarm: 'inactive',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    'Content-Type': 'text/plain; charset=utf-8',
  };
}

function ping({ request }: RouteContext): Response {
  return new Response(request.method === 'HEAD' ? null : 'OK', { status: 200, headers: pingHeaders() });
}

function version({ engine }: RouteContext): Response {
  const s = engine.system;
  const details = {
    ApiVersion: API_VERSION,
    Arch: 'wasm',
    BuildTime: '',
    Experimental: 'false',
    GitCommit: '',
    GoVersion: s.host.runtime,
    KernelVersion: s.host.kernelVersion,
    MinAPIVersion: MIN_API_VERSION,
    Os: 'wasi',
  };
  return json({
    Platform: { Name: `wasmbox ${s.version}` },
    Components: [{ Name: 'Engine', Version: s.version, Details: details }],
    Version: s.version,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: s.host.runtime,
    Os: 'wasi',
    Arch: 'wasm',
    KernelVersion: s.host.kernelVersion,
    BuildTime: '',
  });
}

async function info({ engine }: RouteContext): Promise<Response> {
  const s = engine.system;
  const c = s.containerCounts();
  return json({
    ID: s.id,
    Containers: c.total,
    ContainersRunning: c.running,
    ContainersPaused: c.paused,
    ContainersStopped: c.stopped,
    Images: await s.imageCount(),
    Driver: 'wasmbox',
    DriverStatus: [['Backing', 'OCI image layout'], ['Isolation', 'WebAssembly (WASI preview1)']],
    Plugins: { Volume: ['local'], Network: ['none'], Authorization: null, Log: [] },
    MemoryLimit: true,
    SwapLimit: false,
    CpuCfsPeriod: false,
    CpuCfsQuota: false,
    CPUShares: false,
    CPUSet: false,
    PidsLimit: false,
    IPv4Forwarding: false,
    Debug: false,
    NFd: 0,
    OomKillDisable: false,
    NGoroutines: 0,
    SystemTime: new Date(engine.clock.now()).toISOString(),
    LoggingDriver: 'none',
    CgroupDriver: 'none',
    CgroupVersion: '',
    NEventsListener: s.eventListeners(),
    KernelVersion: s.host.kernelVersion,
    OperatingSystem: `wasmbox (WebAssembly on ${s.host.os})`,
    OSVersion: s.version,
    OSType: OS_TYPE,
    Architecture: s.host.arch,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null, InsecureRegistryCIDRs: ['127.0.0.0/8', '::1/128'], IndexConfigs: {}, Mirrors: null },
    NCPU: s.host.ncpu,
    MemTotal: s.host.memTotal,
    GenericResources: null,
    DockerRootDir: s.root,
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: s.host.name,
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: s.version,
    Runtimes: { wasmbox: { path: 'wasmbox' } },
    DefaultRuntime: 'wasmbox',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: '',
    ContainerdCommit: { ID: '' },
    RuncCommit: { ID: '' },
    InitCommit: { ID: '' },
    SecurityOptions: ['name=wasi'],
    Warnings: null,
  });
}

/** Docker's event JSON; image and container events keep the pre-1.22 `status`/`id`/`from` fields old clients read. */
export function eventJson(e: EngineEvent): Record<string, unknown> {
  const legacy = e.Type === 'container' || e.Type === 'image';
  return {
    ...(legacy ? { status: e.Action, id: e.Actor.ID, ...(e.Actor.Attributes.image ? { from: e.Actor.Attributes.image } : {}) } : {}),
    Type: e.Type,
    Action: e.Action,
    Actor: e.Actor,
    scope: e.scope,
    time: e.time,
    timeNano: e.timeNano,
  };
}

function events({ engine, query, signal }: RouteContext): Response {
  const now = engine.clock.now();
  const time = (name: string) => {
    const v = query.get(name);
    return v === null || v === '' ? undefined : parseTimeFilter(v, now);
  };
  const since = time('since');
  const until = time('until');
  if (since !== undefined && since > now + 1000) {
    throw new WasmboxError('INVALID_ARGUMENT', `since (${query.get('since')}) is in the future`);
  }
  const source = engine.events.subscribe({ since, until, filters: filtersParam(query), signal });
  return new Response(streamFrom(source, (e) => jsonLine(eventJson(e))), {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
  });
}

async function diskUsage({ engine, query }: RouteContext): Promise<Response> {
  const types = query.getAll('type');
  const want = (t: string) => types.length === 0 || types.includes(t);
  for (const t of types) {
    if (!['container', 'image', 'volume', 'build-cache'].includes(t)) throw new WasmboxError('INVALID_ARGUMENT', `invalid type: ${t}`);
  }
  const usage = await engine.system.diskUsage({ images: want('image'), volumes: want('volume') });
  const out: Record<string, unknown> = {};
  if (want('image')) {
    out.LayersSize = usage.layersSize;
    out.Images = usage.images.map((i) => ({ ...imageSummary(i, { apiVersion: API_VERSION }), SharedSize: i.sharedSize, Containers: i.containers }));
  }
  if (want('container')) out.Containers = [];
  if (want('volume')) out.Volumes = usage.volumes.map((v) => ({ ...volumeJson(v), UsageData: { Size: v.size, RefCount: v.refCount } }));
  if (want('build-cache')) out.BuildCache = [];
  return json(out);
}

export function register(router: Router): void {
  router.get('/_ping', ping).head('/_ping', ping);
  router.get('/version', version);
  router.get('/info', info);
  router.get('/events', events);
  router.get('/system/df', diskUsage);
}
