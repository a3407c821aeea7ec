// Small images for image-store and archive tests: layer tars built with tar-stream, configs
// with matching diff_ids, written through ImageStore.putImage.
import tar from 'tar-stream';
import { digestOf } from '../../src/content/digest.js';
import type { Digest } from '../../src/content/digest.js';
import { MemoryContentStore } from '../../src/content/memory-store.js';
import { gzip } from '../../src/layers/compression.js';
import { createImageConfig } from '../../src/image/config.js';
import type { ImageConfig } from '../../src/image/config.js';
import { ImageStore, MemoryMetadataFiles } from '../../src/image/image-store.js';
import type { ImageRecord } from '../../src/image/image-store.js';

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of source) chunks.push(c);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export async function* chunked(data: Uint8Array, size = 1000): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

export interface TarFile {
  name: string;
  data?: string | Uint8Array;
  type?: 'file' | 'directory' | 'symlink';
  linkname?: string;
}

/** A tar of the given files (deterministic: mtime 0). */
export async function makeTar(files: TarFile[]): Promise<Uint8Array> {
  const pack = tar.pack();
  const out = collect(pack as AsyncIterable<Uint8Array>);
  for (const f of files) {
    const data = typeof f.data === 'string' ? new TextEncoder().encode(f.data) : (f.data ?? new Uint8Array(0));
    await new Promise<void>((resolve, reject) => {
      const header = { name: f.name, type: f.type ?? 'file', mtime: new Date(0), size: data.length, linkname: f.linkname };
      const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      if ((f.type ?? 'file') === 'file') sink.write(data);
      sink.end(() => undefined);
    });
  }
  pack.finalize();
  return out;
}

export function memoryImageStore(): ImageStore {
  return new ImageStore({ content: new MemoryContentStore(), files: new MemoryMetadataFiles() });
}

export interface TestImageOptions {
  tags?: string[];
  /** One entry per layer: file name → content. */
  layers?: Record<string, string>[];
  gzip?: boolean;
  config?: Partial<ImageConfig>;
}

export async function putTestImage(store: ImageStore, options: TestImageOptions = {}): Promise<ImageRecord> {
  const layers = options.layers ?? [{ 'hello.txt': 'hello' }];
  const tars = await Promise.all(layers.map((files) => makeTar(Object.entries(files).map(([name, data]) => ({ name, data })))));
  const diffIds = tars.map((t) => digestOf(t)) as Digest[];
  const blobs = options.gzip ? await Promise.all(tars.map((t) => gzip(t))) : tars;
  const config = createImageConfig({
    created: '2024-01-01T00:00:00Z',
    config: { Cmd: ['/hello.wasm'] },
    ...options.config,
    rootfs: { type: 'layers', diff_ids: diffIds },
  });
  return store.putImage({ config, layers: blobs.map((data) => ({ data })), tags: options.tags ?? [] });
}
