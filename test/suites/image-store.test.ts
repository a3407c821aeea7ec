// The shared ImageStore suite against the memory backends and the Node OCI layout directory
// (NodeDirContentStore + NodeLayoutFiles on one root), plus what only the directory promises.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryContentStore } from '../../src/content/memory-store.js';
import { ImageStore, MemoryMetadataFiles } from '../../src/image/image-store.js';
import { NodeDirContentStore } from '../../src/platform/node/content-dir-store.js';
import { NodeLayoutFiles } from '../../src/platform/node/layout-files.js';
import { putTestImage } from '../helpers/image-fixtures.js';
import { imageStoreSuite } from './image-store.suite.js';

imageStoreSuite('memory', async () => {
  const content = new MemoryContentStore();
  const files = new MemoryMetadataFiles();
  return { store: new ImageStore({ content, files }), reopen: () => new ImageStore({ content, files }) };
});

async function nodeStore() {
  const base = await mkdtemp(join(tmpdir(), 'wasmbox-images-'));
  const root = join(base, 'layout');
  const open = () => new ImageStore({ content: new NodeDirContentStore({ root }), files: new NodeLayoutFiles({ root }) });
  return { base, root, store: open(), reopen: open, cleanup: () => rm(base, { recursive: true, force: true }) };
}

imageStoreSuite('node directory', nodeStore);

describe('ImageStore on a Node directory', () => {
  it('is an OCI image layout on disk: oci-layout, index.json, blobs/sha256', async () => {
    const fx = await nodeStore();
    try {
      const img = await putTestImage(fx.store, { tags: ['ruby'] });
      expect((await readdir(fx.root)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
      expect(JSON.parse(await readFile(join(fx.root, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
      const index = JSON.parse(await readFile(join(fx.root, 'index.json'), 'utf8'));
      expect(index.manifests[0].digest).toBe(img.manifestDigest);
      expect(await readdir(join(fx.root, 'blobs', 'sha256'))).toContain(img.manifestDigest.slice(7));
    } finally {
      await fx.cleanup();
    }
  });
});
