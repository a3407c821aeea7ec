// The browser scenario, run twice with the same input: in Node against src/ and in Chromium
// against the browser bundle. It imports wasmbox only as a type, so the page's copy of it is
// the bundle under test; both runs must return equal (JSON-able) results.

import type * as Wasmbox from '../../src/index.js';

type W = typeof Wasmbox;
type Namespace = InstanceType<W['Namespace']>;

export interface ScenarioInput {
  /** Bytes the content store checks store and verify. */
  blob: Uint8Array;
  /** An image archive (OCI layout or docker save tar) holding `ref`. */
  archive: Uint8Array;
  ref: string;
}

export interface ContentResult {
  digest: string;
  size: number;
  roundTrip: boolean;
  streamedDigest: string;
  /** Error code of a put whose expected digest is wrong, and whether anything was stored. */
  mismatchCode: string;
  storedAfterMismatch: boolean;
  listed: string[];
}

/** A file system as a JSON-able map: path → `dir`, `-> target` or the file's text. */
export type TreeListing = Record<string, string>;

export interface ImageResult {
  loaded: { id: string; repoTags: string[] }[];
  id: string;
  os: string;
  architecture: string;
  layerCount: number;
  diffIdsMatchConfig: boolean;
  /** The merged lower tree as a fresh container sees it. */
  lower: TreeListing;
  /** Reads through the union view before any write. */
  reads: Record<string, string>;
  /** Error codes of operations that must fail. */
  errors: Record<string, string>;
  /** The container's tree after writes, deletes, renames. */
  after: TreeListing;
  /** Names in the tar of the container's diff (whiteouts included). */
  diff: string[];
  /** A second container of the same image, and the lower tree, are unchanged by the first. */
  siblingUnchanged: boolean;
  lowerUnchanged: boolean;
  /** The image exported and loaded into a fresh store keeps its id. */
  reexportedId: string;
}

export interface ScenarioResult {
  content: ContentResult;
  image: ImageResult;
}

function codeOf(w: W, e: unknown): string {
  return w.isWasmboxError(e) ? e.code : `not a WasmboxError: ${String(e)}`;
}

function errorCode(w: W, fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return codeOf(w, e);
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function* chunked(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function contentChecks(w: W, blob: Uint8Array): Promise<ContentResult> {
  const store = new w.MemoryContentStore();
  const expected = w.digestOf(blob);
  const info = await store.put(blob, { expected, expectedSize: blob.length });
  const back = await store.get(info.digest);
  const read: Uint8Array[] = [];
  for await (const c of store.read(info.digest)) read.push(c);

  // A blob streamed in small chunks hashes the same as in one piece.
  const other = new TextEncoder().encode('streamed ' + 'x'.repeat(1000));
  const streamed = await store.put(chunked(other, 7));

  const tampered = new TextEncoder().encode('tampered');
  let mismatchCode = 'no error';
  try {
    await store.put(tampered, { expected });
  } catch (e) {
    mismatchCode = codeOf(w, e);
  }
  return {
    digest: info.digest,
    size: info.size,
    roundTrip: sameBytes(back, blob) && sameBytes(concat(read), blob),
    streamedDigest: streamed.digest === w.digestOf(other) ? streamed.digest : `wrong: ${streamed.digest}`,
    mismatchCode,
    storedAfterMismatch: await store.has(w.digestOf(tampered)),
    listed: (await store.list()).map((b) => `${b.digest} ${b.size}`).sort(),
  };
}

/** Every path under `/` with what it is; files by their text. */
function listTree(fs: Namespace): TreeListing {
  const out: TreeListing = {};
  const visit = (dir: string) => {
    const names = fs.readdir(dir).map((e) => e.name).sort();
    for (const name of names) {
      const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
      const kind = fs.kindOf(path, { follow: false });
      if (kind === 'dir') {
        out[path] = 'dir';
        visit(path);
      } else if (kind === 'symlink') out[path] = `-> ${fs.readlink(path)}`;
      else out[path] = text(fs.readFile(path));
    }
  };
  visit('/');
  return out;
}

async function imageChecks(w: W, input: ScenarioInput): Promise<ImageResult> {
  const content = new w.MemoryContentStore();
  const images = new w.ImageStore({ content, files: new w.MemoryMetadataFiles() });
  // Streamed in odd-sized chunks, as a fetch() body or a file upload would arrive.
  const load = await w.importArchive(images, chunked(input.archive, 4099), { source: 'fixture.tar' });
  const record = await images.resolve(input.ref);

  const layers = new w.LayerStore(content);
  const view = await layers.view(record.manifest.layers.map((l) => l.digest));
  const { fs, top } = w.forkContainerFs(view.root);
  const sibling = w.forkContainerFs(view.root);
  const lower = listTree(fs);

  const reads = {
    '/etc/hello.txt': text(fs.readFile('/etc/hello.txt')),
    '/etc/motd (follows the symlink)': text(fs.readFile('/etc/motd')),
    '/../../etc/hello.txt (.. stays in the root)': text(fs.readFile('/../../etc/hello.txt')),
    'realpath /etc/motd': fs.realpath('/etc/motd'),
    'readdir /opt/old (opaque in layer 2)': fs.readdir('/opt/old').map((e) => e.name).sort().join(','),
  };
  const errors = {
    'read /etc/remove-me (whited out)': errorCode(w, () => fs.readFile('/etc/remove-me')),
    'read /opt/old/a.txt (hidden by opaque dir)': errorCode(w, () => fs.readFile('/opt/old/a.txt')),
    'rmdir /opt (not empty)': errorCode(w, () => fs.rmdir('/opt')),
    'mkdir /etc (exists)': errorCode(w, () => fs.mkdir('/etc')),
    'readdir /etc/hello.txt (a file)': errorCode(w, () => fs.readdir('/etc/hello.txt')),
  };

  // Writes, deletes and renames through the union view: copy-up, whiteouts, new directories.
  fs.writeFile('/etc/hello.txt', 'changed in the container\n');
  fs.writeFile('/etc/new.txt', 'new ');
  const h = fs.open('/etc/new.txt', { write: true, append: true });
  h.append(new TextEncoder().encode('and appended\n'));
  h.close();
  fs.mkdir('/work/out', { recursive: true });
  fs.writeFile('/work/out/result.txt', 'result\n');
  fs.unlink('/bin/app.wasm');
  fs.unlink('/usr/share/doc.txt');
  fs.rmdir('/usr/share');
  fs.rename('/opt/old/b.txt', '/opt/b.txt');
  fs.symlink('/work/out/result.txt', '/result');
  const after = listTree(fs);

  const diffTar = await w.diffToTar(top.rootNode, top.lower);
  const diff = w
    .readTar(diffTar)
    .entries.map((e) => e.path)
    .sort();

  // Export the image and load it into a fresh store: same image id.
  const chunks: Uint8Array[] = [];
  for await (const c of w.exportImages(images, [input.ref])) chunks.push(c);
  const again = new w.ImageStore({ content: new w.MemoryContentStore(), files: new w.MemoryMetadataFiles() });
  await w.importArchive(again, chunked(concat(chunks), 65536), { source: 'exported.tar' });

  return {
    loaded: load.images.map((i) => ({ id: i.id, repoTags: i.repoTags })),
    id: record.id,
    os: record.config.os,
    architecture: record.config.architecture,
    layerCount: record.manifest.layers.length,
    diffIdsMatchConfig: JSON.stringify(view.diffIds) === JSON.stringify(record.config.rootfs.diff_ids),
    lower,
    reads,
    errors,
    after,
    diff,
    siblingUnchanged: JSON.stringify(listTree(sibling.fs)) === JSON.stringify(lower),
    lowerUnchanged: JSON.stringify(listTree(w.forkContainerFs((await layers.view(record.manifest.layers.map((l) => l.digest))).root).fs)) === JSON.stringify(lower),
    reexportedId: (await again.resolve(input.ref)).id,
  };
}

export async function runScenario(w: W, input: ScenarioInput): Promise<ScenarioResult> {
  return { content: await contentChecks(w, input.blob), image: await imageChecks(w, input) };
}
