// A new container's configuration: the create body merged with its image's config by
// Docker's rules (Entrypoint/Cmd, Env by key, labels, volumes), and its mounts parsed from
// Binds, Mounts, Tmpfs and the image's VOLUMEs, with Docker's messages for bad specs.

import { WasmboxError } from '../../errors.js';
import type { ContainerConfig } from '../../image/config.js';
import { normalizeAbsolute } from '../../vfs/path.js';
import type { ContainerCreateBody, ContainerInspect } from '../container-types.js';

export type ContainerConfigRecord = ContainerInspect['Config'];

/** Merges `KEY=value` lists: later entries replace earlier ones with the same key, in place. */
export function mergeEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const out = [...base];
  for (const kv of overrides) {
    const key = kv.includes('=') ? kv.slice(0, kv.indexOf('=')) : kv;
    const i = out.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
    if (i >= 0) out[i] = kv;
    else out.push(kv);
  }
  return out;
}

/** The container's Config (as inspect shows it) from the create body and the image's config. */
export function mergeConfig(body: ContainerCreateBody, image: ContainerConfig | undefined, hostname: string): ContainerConfigRecord {
  const img = image ?? {};
  let entrypoint = body.Entrypoint ?? undefined;
  let cmd = body.Cmd ?? undefined;
  // Docker's merge: an Entrypoint from the user drops the image's Cmd; `--entrypoint ""`
  // (an empty, non-null list) clears the image's Entrypoint.
  if (entrypoint === undefined || entrypoint.length === 0 || (entrypoint.length === 1 && entrypoint[0] === '')) {
    if (cmd === undefined || cmd.length === 0) cmd = img.Cmd;
    entrypoint = entrypoint === undefined ? img.Entrypoint : [];
  }
  const workingDir = body.WorkingDir || img.WorkingDir || '';
  if (workingDir !== '' && !workingDir.startsWith('/')) {
    throw new WasmboxError('INVALID_ARGUMENT', `the working directory '${workingDir}' is invalid, it needs to be an absolute path`, { details: { workingDir } });
  }
  const config: ContainerConfigRecord = {
    Hostname: body.Hostname || hostname,
    User: body.User || img.User || '',
    AttachStdin: body.AttachStdin ?? false,
    AttachStdout: body.AttachStdout ?? false,
    AttachStderr: body.AttachStderr ?? false,
    Tty: body.Tty ?? false,
    OpenStdin: body.OpenStdin ?? false,
    StdinOnce: body.StdinOnce ?? false,
    Env: mergeEnv(img.Env ?? [], body.Env ?? []),
    Cmd: cmd ?? null,
    Image: body.Image,
    Volumes: { ...(img.Volumes ?? {}), ...(body.Volumes ?? {}) },
    WorkingDir: workingDir,
    Entrypoint: entrypoint ?? null,
    Labels: { ...(img.Labels ?? {}), ...(body.Labels ?? {}) },
    ExposedPorts: { ...(img.ExposedPorts ?? {}), ...(body.ExposedPorts ?? {}) },
  };
  const stopSignal = body.StopSignal || img.StopSignal;
  if (stopSignal) config.StopSignal = stopSignal;
  if (body.StopTimeout !== undefined) config.StopTimeout = body.StopTimeout;
  return config;
}

/** A mount request before volumes are created and host paths checked. */
export interface MountRequest {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Volume name ('' = anonymous), host path, or '' for tmpfs. */
  source: string;
  target: string;
  readOnly: boolean;
  /** `-v` creates a missing host directory; `--mount type=bind` refuses it. */
  createHostPath: boolean;
  /** tmpfs size in bytes. */
  sizeBytes?: number;
  /** Mode as inspect shows it (`ro`, `z`...). */
  mode: string;
}

const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function invalidSpec(spec: string, why?: string): WasmboxError {
  return new WasmboxError('INVALID_ARGUMENT', `invalid volume specification: '${spec}'${why ? `: ${why}` : ''}`, { details: { spec } });
}

/** `volume:/path[:ro]`, `/host:/path[:ro]` or `/path` (an anonymous volume), as `docker run -v`. */
export function parseBind(spec: string): MountRequest {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw invalidSpec(spec);
  let source = '';
  let target: string;
  let mode = '';
  if (parts.length === 1) target = parts[0]!;
  else if (parts.length === 2 && !parts[1]!.startsWith('/')) {
    // `/path:ro`: an anonymous volume with a mode.
    target = parts[0]!;
    mode = parts[1]!;
  } else [source, target, mode = ''] = parts as [string, string, string?];
  if (!target.startsWith('/')) throw invalidSpec(spec, `invalid mount config for type "${source.startsWith('/') ? 'bind' : 'volume'}": mount path must be absolute`);
  if (normalizeAbsolute(target) === '/') throw invalidSpec(spec, 'invalid mount config: destination can\'t be \'/\'');
  const flags = mode === '' ? [] : mode.split(',');
  for (const f of flags) {
    if (!['ro', 'rw', 'z', 'Z', 'nocopy', 'consistent', 'cached', 'delegated', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'].includes(f)) {
      throw invalidSpec(spec, `invalid mode: ${f}`);
    }
  }
  const isBind = source.startsWith('/');
  if (!isBind && source !== '' && !VOLUME_NAME_RE.test(source)) {
    throw new WasmboxError(
      'INVALID_ARGUMENT',
      `create ${source}: "${source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      { details: { volume: source } },
    );
  }
  return { type: isBind ? 'bind' : 'volume', source, target: normalizeAbsolute(target), readOnly: flags.includes('ro'), createHostPath: true, mode };
}

/** `64m`, `1g`, `65536` → bytes (tmpfs size=). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmgt]?)b?$/i.exec(text.trim());
  if (!m) throw new WasmboxError('INVALID_ARGUMENT', `invalid size: '${text}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.floor(Number(m[1]) * mult);
}

/** `--tmpfs /path:size=64m,ro` as the API's `Tmpfs` map gives it. */
export function parseTmpfs(target: string, options: string): MountRequest {
  if (!target.startsWith('/')) throw new WasmboxError('INVALID_ARGUMENT', `invalid mount config for type "tmpfs": mount path must be absolute: ${target}`);
  let sizeBytes: number | undefined;
  let readOnly = false;
  for (const o of options.split(',').filter((x) => x !== '')) {
    const [k, v] = o.split('=') as [string, string?];
    if (k === 'size' && v !== undefined) sizeBytes = parseSize(v);
    else if (k === 'ro') readOnly = true;
  }
  return { type: 'tmpfs', source: '', target: normalizeAbsolute(target), readOnly, createHostPath: false, mode: options, ...(sizeBytes === undefined ? {} : { sizeBytes }) };
}

/** Every mount of a new container; image VOLUMEs not covered by another mount become anonymous volumes. */
export function mountRequests(body: ContainerCreateBody, imageVolumes: Record<string, object> | undefined): MountRequest[] {
  const hc = body.HostConfig ?? {};
  const out: MountRequest[] = [];
  for (const b of hc.Binds ?? []) out.push(parseBind(b));
  for (const m of hc.Mounts ?? []) {
    if (!m.Target?.startsWith('/')) throw new WasmboxError('INVALID_ARGUMENT', `invalid mount config for type "${m.Type}": mount path must be absolute`);
    if (m.Type === 'bind' && !m.Source?.startsWith('/')) {
      throw new WasmboxError('INVALID_ARGUMENT', `invalid mount config for type "bind": invalid mount path: '${m.Source ?? ''}' mount path must be absolute`);
    }
    if (m.Type !== 'bind' && m.Type !== 'volume' && m.Type !== 'tmpfs') throw new WasmboxError('INVALID_ARGUMENT', `mount type unknown: "${String(m.Type)}"`);
    out.push({ type: m.Type, source: m.Source ?? '', target: normalizeAbsolute(m.Target), readOnly: m.ReadOnly ?? false, createHostPath: false, mode: '' });
  }
  for (const [path, opts] of Object.entries(hc.Tmpfs ?? {})) out.push(parseTmpfs(path, opts));
  const seen = new Set<string>();
  for (const m of out) {
    if (seen.has(m.target)) throw new WasmboxError('INVALID_ARGUMENT', `Duplicate mount point: ${m.target}`, { details: { target: m.target } });
    seen.add(m.target);
  }
  for (const path of Object.keys({ ...(imageVolumes ?? {}), ...(body.Volumes ?? {}) })) {
    const target = normalizeAbsolute(path);
    if (seen.has(target)) continue;
    seen.add(target);
    out.push({ type: 'volume', source: '', target, readOnly: false, createHostPath: false, mode: '' });
  }
  return out;
}

/** Docker's container name rule. */
export const CONTAINER_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
