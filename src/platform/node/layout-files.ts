// The metadata files of an on-disk OCI image layout (`index.json`, `oci-layout`), for the image
// store. A write goes to a temp file in the same directory, is fsync'd and renamed over the old
// file, so a reader (skopeo, umoci, another wasmbox process) sees the old or the new file, whole.

import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { WasmboxError } from '../../errors.js';
import type { MetadataFiles } from '../../image/image-store.js';
import { writeFileAtomic } from './atomic-file.js';

export interface NodeLayoutFilesOptions {
  /** The OCI layout directory (the same root as the NodeDirContentStore's). */
  root: string;
}

const NAME_RE = /^[A-Za-z0-9._-]+$/;

export class NodeLayoutFiles implements MetadataFiles {
  readonly root: string;

  constructor(options: NodeLayoutFilesOptions) {
    this.root = resolve(options.root);
  }

  #path(name: string): string {
    if (!NAME_RE.test(name) || name === '.' || name === '..') {
      throw new WasmboxError('INVALID_ARGUMENT', `invalid layout metadata file name "${name}"`);
    }
    return join(this.root, name);
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    const path = this.#path(name);
    try {
      const buf = await readFile(path);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new WasmboxError('EIO', `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { path } });
    }
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    const path = this.#path(name);
    try {
      await mkdir(this.root, { recursive: true });
      await writeFileAtomic(path, data);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'ENOSPC' : 'EIO';
      throw new WasmboxError(code, `cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { path } });
    }
  }
}
