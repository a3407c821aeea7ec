// Where wasmbox keeps its state on a Node host, and the stores opened over it. The image store
// is an OCI image layout at <root>/images (skopeo `oci:<root>/images` and umoci read it as is);
// writes in progress go to <root>/tmp, on the same file system so a rename commits them.

import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ImageStore } from '../../image/image-store.js';
import { NodeDirContentStore } from './content-dir-store.js';
import { NodeLayoutFiles } from './layout-files.js';

/** `$WASMBOX_ROOT`, else `$XDG_DATA_HOME/wasmbox`, else `~/.local/share/wasmbox` (XDG's default). */
export function wasmboxRoot(env: Record<string, string | undefined>): string {
  if (env.WASMBOX_ROOT) return resolve(env.WASMBOX_ROOT);
  if (env.XDG_DATA_HOME) return resolve(env.XDG_DATA_HOME, 'wasmbox');
  return join(env.HOME || homedir(), '.local', 'share', 'wasmbox');
}

/** The OCI image layout directory of a wasmbox root. */
export function imageLayoutDir(root: string): string {
  return join(resolve(root), 'images');
}

/** Opens (creating its directories if needed) the image store under a wasmbox root. */
export async function openNodeImageStore(root: string): Promise<ImageStore> {
  const layout = imageLayoutDir(root);
  const tmpDir = join(resolve(root), 'tmp');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  await mkdir(tmpDir, { recursive: true });
  return new ImageStore({
    content: new NodeDirContentStore({ root: layout, tmpDir }),
    files: new NodeLayoutFiles({ root: layout }),
  });
}
