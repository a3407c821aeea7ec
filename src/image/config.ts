// The image configuration (OCI image-spec config, which Docker's v1 image JSON extends): what a
// container starts with (entrypoint, cmd, env, user, workdir...) and the ordered diff ids of the
// layers. Unknown fields are kept, so a config read and written back keeps Docker's extras.

import { WasmboxError } from '../errors.js';
import { isDigest } from '../content/digest.js';
import type { Digest } from '../content/digest.js';
import { parseJsonObject } from './manifest.js';

export const DEFAULT_OS = 'wasi';
export const DEFAULT_ARCHITECTURE = 'wasm';

/** The `config` object of an image config: defaults for a container. Docker's capitalised names. */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Shell?: string[];
  OnBuild?: string[];
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  [extra: string]: unknown;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
  [extra: string]: unknown;
}

function bad(where: string, message: string): WasmboxError {
  return new WasmboxError('INVALID_MANIFEST', `${where}: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function stringArray(v: unknown, where: string, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(where, `${field} must be an array of strings`);
  return v as string[];
}

function optionalString(v: unknown, where: string, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad(where, `${field} must be a string`);
  return v;
}

function objectMap(v: unknown, where: string, field: string, valuesAreStrings: boolean): void {
  if (v === undefined || v === null) return;
  if (!isRecord(v)) throw bad(where, `${field} must be an object`);
  if (valuesAreStrings && Object.values(v).some((x) => typeof x !== 'string')) throw bad(where, `${field} values must be strings`);
}

function containerConfig(v: unknown, where: string): ContainerConfig | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw bad(where, 'config must be an object');
  // Docker writes null for unset fields; drop those so consumers see `undefined`.
  const c: ContainerConfig = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) c[k] = x;
  const strings = ['User', 'WorkingDir', 'StopSignal'] as const;
  for (const k of strings) if (optionalString(c[k], where, `config.${k}`) === undefined) delete c[k];
  for (const k of ['Env', 'Entrypoint', 'Cmd', 'Shell', 'OnBuild'] as const) stringArray(c[k], where, `config.${k}`);
  objectMap(c.ExposedPorts, where, 'config.ExposedPorts', false);
  objectMap(c.Volumes, where, 'config.Volumes', false);
  objectMap(c.Labels, where, 'config.Labels', true);
  return c;
}

/** Validates image config JSON; INVALID_MANIFEST names the field and the config's digest. */
export function parseImageConfig(bytes: Uint8Array, options: { digest?: Digest; source?: string } = {}): ImageConfig {
  const where = `image config${options.digest ? ` ${options.digest}` : ''}${options.source ? ` (${options.source})` : ''}`;
  const doc = parseJsonObject(bytes, where);
  if (typeof doc.architecture !== 'string' || doc.architecture === '') throw bad(where, 'architecture is missing');
  if (typeof doc.os !== 'string' || doc.os === '') throw bad(where, 'os is missing');
  const rootfs = doc.rootfs;
  if (!isRecord(rootfs)) throw bad(where, 'rootfs is missing');
  if (rootfs.type !== 'layers') throw bad(where, `rootfs.type must be "layers", got ${JSON.stringify(rootfs.type)}`);
  const diffIds = rootfs.diff_ids ?? [];
  if (!Array.isArray(diffIds)) throw bad(where, 'rootfs.diff_ids must be an array');
  diffIds.forEach((d, i) => {
    if (typeof d !== 'string' || !isDigest(d)) throw bad(where, `rootfs.diff_ids[${i}] ${JSON.stringify(d)} is not a sha256 digest`);
  });
  optionalString(doc.created, where, 'created');
  const cfg: ImageConfig = { ...doc, architecture: doc.architecture, os: doc.os, rootfs: { ...rootfs, type: 'layers', diff_ids: diffIds as Digest[] } };
  const container = containerConfig(doc.config, where);
  if (container) cfg.config = container;
  else delete cfg.config;
  if (doc.history !== undefined && doc.history !== null) {
    if (!Array.isArray(doc.history) || doc.history.some((h) => !isRecord(h))) throw bad(where, 'history must be an array of objects');
    cfg.history = doc.history as HistoryEntry[];
  } else delete cfg.history;
  return cfg;
}

/** A new, empty wasi/wasm config (what `FROM scratch` starts from). */
export function createImageConfig(init: Partial<ImageConfig> = {}): ImageConfig {
  return {
    ...init,
    architecture: init.architecture ?? DEFAULT_ARCHITECTURE,
    os: init.os ?? DEFAULT_OS,
    config: init.config ?? {},
    rootfs: init.rootfs ?? { type: 'layers', diff_ids: [] },
    history: init.history ?? [],
  };
}

/** Number of history entries that stand for a layer (not `empty_layer`). */
export function nonEmptyHistoryCount(config: ImageConfig): number {
  return (config.history ?? []).filter((h) => !h.empty_layer).length;
}
