// Volumes on a Node host: <root>/volumes/<name>/_data holds the files (what a container
// mounts), <root>/volumes/<name>/volume.json the metadata. volume.json is written last and
// atomically, so a volume exists exactly when its metadata does; removal renames first.

import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { WasmboxError } from '../../errors.js';
import type { VolumeBackend, VolumeRecord } from '../../engine/volumes.js';
import { writeFileAtomic } from './atomic-file.js';

const META = 'volume.json';
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export interface NodeVolumeBackendOptions {
  /** The directory holding one directory per volume (`<WASMBOX_ROOT>/volumes`). */
  root: string;
}

export class NodeVolumeBackend implements VolumeBackend {
  readonly root: string;

  constructor(options: NodeVolumeBackendOptions) {
    this.root = resolve(options.root);
  }

  #dir(name: string): string {
    if (!NAME_RE.test(name)) throw new WasmboxError('INVALID_ARGUMENT', `invalid volume name "${name}"`, { details: { volume: name } });
    return join(this.root, name);
  }

  async list(): Promise<VolumeRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: VolumeRecord[] = [];
    for (const n of names) {
      if (!NAME_RE.test(n)) continue;
      const r = await this.get(n);
      if (r) out.push(r);
    }
    return out;
  }

  async get(name: string): Promise<VolumeRecord | undefined> {
    const path = join(this.#dir(name), META);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw new WasmboxError('EIO', `cannot read ${path}: ${(e as Error).message}`, { cause: e, details: { path } });
    }
    try {
      const doc = JSON.parse(text) as VolumeRecord;
      return { name, driver: 'local', labels: doc.labels ?? {}, options: doc.options ?? {}, createdAt: doc.createdAt };
    } catch (e) {
      throw new WasmboxError('EIO', `volume metadata ${path} is corrupt: ${(e as Error).message}`, { cause: e, details: { path } });
    }
  }

  async create(record: VolumeRecord): Promise<void> {
    const dir = this.#dir(record.name);
    if (await this.get(record.name)) throw new WasmboxError('EEXIST', `volume ${record.name} already exists`, { details: { volume: record.name } });
    await mkdir(join(dir, '_data'), { recursive: true, mode: 0o755 });
    await writeFileAtomic(join(dir, META), JSON.stringify(record, null, 2) + '\n');
  }

  async remove(name: string): Promise<void> {
    const dir = this.#dir(name);
    if (!(await this.get(name))) throw new WasmboxError('NOT_FOUND', `remove ${name}: no such volume`, { details: { volume: name } });
    // Rename first: a crash mid-delete leaves a hidden directory, not a half-deleted volume.
    const trash = join(this.root, `.removing-${name}-${randomBytes(4).toString('hex')}`);
    await rename(dir, trash);
    await rm(trash, { recursive: true, force: true });
  }

  mountpoint(name: string): string {
    return join(this.#dir(name), '_data');
  }

  async usage(name: string): Promise<number> {
    const walk = async (path: string): Promise<number> => {
      const st = await lstat(path);
      if (!st.isDirectory()) return st.size;
      let n = 0;
      for (const child of await readdir(path)) n += await walk(join(path, child));
      return n;
    };
    try {
      return await walk(this.mountpoint(name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
  }
}
