// The image the browser test loads, built by hand in Node with tar-stream (independently of
// our own exporter): an OCI image layout tar, `os: wasi`, two layers, the second gzipped and
// carrying a whiteout, an opaque directory, a changed file and a new one.

import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export const FIXTURE_REF = 'localhost/browser-fixture:1';

interface Entry {
  name: string;
  type?: 'file' | 'directory' | 'symlink';
  content?: string;
  linkname?: string;
  mode?: number;
}

async function tarOf(entries: Entry[]): Promise<Uint8Array> {
  const p = pack();
  const out = collect(p);
  for (const e of entries) {
    const type = e.type ?? 'file';
    const mode = e.mode ?? (type === 'directory' ? 0o755 : 0o644);
    const header = { name: e.name, type, mode, mtime: new Date(1_700_000_000_000), uid: 0, gid: 0 };
    if (type === 'symlink') p.entry({ ...header, linkname: e.linkname! });
    else if (type === 'directory') p.entry(header);
    else p.entry(header, e.content ?? '');
  }
  p.finalize();
  return out;
}

/** Reads a tar-stream pack to its end (its chunks are Buffers). */
async function collect(p: AsyncIterable<unknown>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

function sha256(data: Uint8Array | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

/** Layer 1: the base. */
export const LAYER1: Entry[] = [
  { name: 'bin/', type: 'directory' },
  { name: 'bin/app.wasm', content: '\0asm\x01\0\0\0', mode: 0o755 },
  { name: 'etc/', type: 'directory' },
  { name: 'etc/hello.txt', content: 'hello v1\n' },
  { name: 'etc/remove-me', content: 'gone in layer 2\n' },
  { name: 'etc/motd', type: 'symlink', linkname: 'hello.txt' },
  { name: 'opt/', type: 'directory' },
  { name: 'opt/old/', type: 'directory' },
  { name: 'opt/old/a.txt', content: 'a\n' },
  { name: 'opt/old/sub/', type: 'directory' },
  { name: 'opt/old/sub/deep.txt', content: 'deep\n' },
];

/** Layer 2: deletes etc/remove-me, makes opt/old opaque, changes and adds files. */
export const LAYER2: Entry[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/.wh.remove-me' },
  { name: 'etc/hello.txt', content: 'hello v2\n' },
  { name: 'opt/', type: 'directory' },
  { name: 'opt/old/', type: 'directory' },
  { name: 'opt/old/.wh..wh..opq' },
  { name: 'opt/old/b.txt', content: 'b\n' },
  { name: 'usr/', type: 'directory' },
  { name: 'usr/share/', type: 'directory' },
  { name: 'usr/share/doc.txt', content: 'documentation\n' },
];

/** The OCI image layout tar (as `skopeo copy ... oci-archive:` writes it), tagged FIXTURE_REF. */
export async function buildFixtureArchive(): Promise<Uint8Array> {
  const layer1 = await tarOf(LAYER1);
  const layer2Tar = await tarOf(LAYER2);
  const layer2 = new Uint8Array(gzipSync(layer2Tar));
  const config = JSON.stringify({
    architecture: 'wasm',
    os: 'wasi',
    config: { Entrypoint: ['/bin/app.wasm'], Env: ['PATH=/bin'], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [sha256(layer1), sha256(layer2Tar)] },
    history: [{ created_by: 'layer 1' }, { created_by: 'layer 2' }],
  });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer1), size: layer1.length },
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer2), size: layer2.length },
    ],
  });
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: sha256(manifest),
        size: manifest.length,
        platform: { architecture: 'wasm', os: 'wasi' },
        annotations: { 'org.opencontainers.image.ref.name': FIXTURE_REF, 'io.containerd.image.name': FIXTURE_REF },
      },
    ],
  });
  const blob = (data: Uint8Array | string) => ({ name: `blobs/sha256/${sha256(data).slice(7)}`, data });
  const files = [
    { name: 'oci-layout', data: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', data: index },
    blob(manifest),
    blob(config),
    blob(layer1),
    blob(layer2),
  ];
  const p = pack();
  const out = collect(p);
  for (const dir of ['blobs/', 'blobs/sha256/']) p.entry({ name: dir, type: 'directory', mode: 0o755 });
  for (const f of files) p.entry({ name: f.name, mode: 0o644 }, Buffer.from(f.data));
  p.finalize();
  return out;
}
