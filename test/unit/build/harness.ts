// Builder test harness: in-memory stores, a base image with a few files (an /etc/passwd, a
// /bin/sh marker), a build() with the fake runner, and a reader of the built image's files.

import { build } from '../../../src/build/builder.js';
import type { BuildOptions, BuildResult } from '../../../src/build/builder.js';
import { MemoryBuildCache } from '../../../src/build/cache.js';
import { memoryBuildContext } from '../../../src/build/context.js';
import type { MemoryContextFiles } from '../../../src/build/context.js';
import { MemoryContentStore } from '../../../src/content/memory-store.js';
import { createImageConfig } from '../../../src/image/config.js';
import type { ImageConfig } from '../../../src/image/config.js';
import { ImageStore, MemoryMetadataFiles } from '../../../src/image/image-store.js';
import { LayerStore } from '../../../src/layers/layer-store.js';
import { writeTar } from '../../../src/layers/tar-writer.js';
import { gzip } from '../../../src/layers/compression.js';
import { digestOf } from '../../../src/content/digest.js';
import { Namespace } from '../../../src/vfs/namespace.js';
import { TreeFs } from '../../../src/vfs/tree-fs.js';
import { fakeRunStep } from './fake-run.js';
import type { FakeRunLog } from './fake-run.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

export interface Harness {
  images: ImageStore;
  layers: LayerStore;
  content: MemoryContentStore;
  cache: MemoryBuildCache;
  log: FakeRunLog;
  output: string[];
  build(dockerfile: string, files?: MemoryContextFiles, options?: Partial<BuildOptions>): Promise<BuildResult>;
  image(ref: string): Promise<BuiltImage>;
}

export interface BuiltImage {
  config: ImageConfig;
  layerCount: number;
  fs: Namespace;
  read(path: string): string | undefined;
}

export async function addBaseImage(images: ImageStore, tag: string, files: Record<string, string>, config: Partial<ImageConfig> = {}): Promise<void> {
  const tar = writeTar(
    Object.entries(files).map(([path, data]) => ({ path, type: 'file' as const, mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode(data) })),
  );
  const blob = await gzip(tar);
  await images.putImage({
    config: createImageConfig({
      ...config,
      rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
      history: [{ created_by: 'base layer' }],
    }),
    layers: [{ data: blob }],
    tags: [tag],
  });
}

export async function createHarness(): Promise<Harness> {
  const content = new MemoryContentStore();
  const images = new ImageStore({ content, files: new MemoryMetadataFiles() });
  const layers = new LayerStore(content);
  const cache = new MemoryBuildCache();
  const log: FakeRunLog = { calls: [] };
  const output: string[] = [];
  await addBaseImage(
    images,
    'base:1',
    { 'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n', 'etc/group': 'root:x:0:\nstaff:x:50:\n', 'bin/sh': '#!wasmbox:sh\n' },
    { config: { Env: ['PATH=/bin', 'BASE=yes'], Cmd: ['/bin/sh'] } },
  );
  const h: Harness = {
    images,
    layers,
    content,
    cache,
    log,
    output,
    build: (dockerfile, files = {}, options = {}) =>
      build({
        images,
        layers,
        cache,
        context: memoryBuildContext({ Dockerfile: dockerfile, ...files }),
        runStep: fakeRunStep(log),
        onOutput: (t) => output.push(t),
        ...options,
      }),
    image: async (ref) => {
      const record = await images.resolve(ref);
      const { root } = await layers.view(record.manifest.layers.map((l) => l.digest));
      const fs = new Namespace(new TreeFs(root));
      return {
        config: record.config,
        layerCount: record.manifest.layers.length,
        fs,
        read: (path) => (fs.exists(path) ? dec.decode(fs.readFile(path)) : undefined),
      };
    },
  };
  return h;
}
