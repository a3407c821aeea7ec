// A build context that is a directory on the host (`wasmbox build PATH`): listed once with
// lstat (symlinks are entries, never followed out of the directory), files read on demand.

import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { WasmboxError } from '../../errors.js';
import type { BuildContext, ContextEntry } from '../../build/context.js';
import { contextPath } from '../../build/context.js';

export interface DirectoryBuildContextOptions {
  /** Directories to leave out of the listing whole (e.g. ignored by .dockerignore with no exceptions). */
  skipDirectory?: (path: string) => boolean;
}

export function directoryBuildContext(dir: string, options: DirectoryBuildContextOptions = {}): BuildContext {
  const root = resolve(dir);
  let listing: Promise<ContextEntry[]> | undefined;
  const walk = async (rel: string, out: ContextEntry[]): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const st = await lstat(join(root, path));
      const base = { path, mode: st.mode & 0o7777, mtimeMs: Math.floor(st.mtimeMs) };
      if (st.isDirectory()) {
        if (options.skipDirectory?.(path)) continue;
        out.push({ ...base, type: 'directory', size: 0 });
        await walk(path, out);
      } else if (st.isSymbolicLink()) {
        out.push({ ...base, type: 'symlink', size: 0, linkTarget: await readlink(join(root, path)) });
      } else if (st.isFile()) {
        out.push({ ...base, type: 'file', size: st.size });
      }
      // Sockets, fifos and devices are not part of a build context.
    }
  };
  return {
    list: () => {
      listing ??= (async () => {
        try {
          const out: ContextEntry[] = [];
          await walk('', out);
          return out;
        } catch (e) {
          listing = undefined;
          throw new WasmboxError('EIO', `cannot read the build context ${root}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { path: root } });
        }
      })();
      return listing;
    },
    read: async (path) => {
      const p = contextPath(path);
      try {
        const buf = await readFile(join(root, p));
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'ENOENT' : 'EIO';
        throw new WasmboxError(code, `cannot read ${p} in the build context ${root}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { path: p } });
      }
    },
  };
}
