// OCI image layout *directories* in and out of the image store (`skopeo copy … oci:<dir>`,
// `umoci` work on these): export writes oci-layout, index.json and blobs/ into a directory;
// import walks one and feeds it through the same verified path as an archive.

import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { importEntries, planExport } from '../../image/archive.js';
import type { ArchiveEntry, ImportOptions, LoadResult } from '../../image/archive.js';
import type { ImageStore } from '../../image/image-store.js';
import { writeFileAtomic } from './atomic-file.js';

/** Writes the images into `dir` as an OCI image layout (plus Docker's manifest.json). */
export async function exportLayoutDir(store: ImageStore, names: string[], dir: string): Promise<void> {
  const root = resolve(dir);
  const files = await planExport(store, names);
  await mkdir(join(root, 'blobs', 'sha256'), { recursive: true });
  for (const f of files) {
    const path = join(root, ...f.path.split('/'));
    if (f.type === 'directory') {
      await mkdir(path, { recursive: true });
      continue;
    }
    // Atomic, so a reader never sees half a file; index.json comes after the blobs in the
    // plan, so it never names a blob that is not there yet.
    await writeFileAtomic(path, f.data ?? f.read!());
  }
}

async function* walk(root: string, dir: string): AsyncIterable<ArchiveEntry> {
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    const path = join(dir, name);
    const rel = relative(root, path).split(sep).join('/');
    const st = await lstat(path);
    if (st.isDirectory()) {
      yield { path: `${rel}/`, type: 'directory', size: 0, body: (async function* () {})() };
      yield* walk(root, path);
    } else if (st.isSymbolicLink()) {
      yield { path: rel, type: 'symlink', linkname: await readlink(path), size: 0, body: (async function* () {})() };
    } else if (st.isFile()) {
      if (name.startsWith('.') && name.endsWith('.tmp')) continue;
      yield { path: rel, type: 'file', size: st.size, body: createReadStream(path) as AsyncIterable<Uint8Array> };
    }
  }
}

/** Loads every image of an OCI layout directory into the store (tags from its index.json). */
export async function importLayoutDir(store: ImageStore, dir: string, options: ImportOptions = {}): Promise<LoadResult> {
  const root = resolve(dir);
  return importEntries(store, walk(root, root), { source: options.source ?? root });
}
