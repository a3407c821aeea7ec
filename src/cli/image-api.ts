// The ImageApi over the local image store, for the CLI without a daemon: the same calls the
// daemon client makes over HTTP (list, inspect, tag, rmi, prune, load, save, import), so each
// image command is written once. Pull and push keep their CLI-side registry client in-process.

import type { ImageApi } from '../api/client.js';
import { imageInspect } from '../engine/images.js';
import type { ImageHistoryItem } from '../engine/images.js';
import { importImage } from '../engine/image-import.js';
import { WasmboxError } from '../errors.js';
import { exportImages, importArchive } from '../image/archive.js';
import type { ImageDeleteResponseItem, ImageStore } from '../image/image-store.js';
import { parseReference } from '../image/reference.js';

function seconds(created: string | undefined): number {
  const t = created === undefined ? NaN : Date.parse(created);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

export function storeImageApi(store: ImageStore): ImageApi {
  return {
    list: () => store.list(),
    inspect: async (name) => imageInspect(await store.resolve(name)),
    async history(name) {
      const record = await store.resolve(name);
      const layers = record.manifest.layers;
      let layer = 0;
      const rows: ImageHistoryItem[] = (record.config.history ?? []).map((h) => ({
        Id: '<missing>',
        Created: seconds(h.created),
        CreatedBy: h.created_by ?? '',
        Tags: null,
        Size: h.empty_layer ? 0 : (layers[layer++]?.size ?? 0),
        Comment: h.comment ?? '',
      }));
      rows.reverse();
      if (rows[0]) rows[0].Id = record.id;
      return rows;
    },
    tag: (source, target) => store.tag(source, parseReference(target)),
    remove: (name, options = {}) => store.remove(name, { force: options.force === true }),
    async prune(options = {}) {
      if (!options.all) {
        const { items, spaceReclaimed } = await store.pruneDangling();
        return { deleted: items, spaceReclaimed };
      }
      // Without a daemon no container outlives a command, so every image is unused.
      const deleted: ImageDeleteResponseItem[] = [];
      let spaceReclaimed = 0;
      for (const image of await store.list()) {
        deleted.push(...(await store.remove(image.id, { force: true })));
        spaceReclaimed += image.size;
      }
      return { deleted, spaceReclaimed };
    },
    load: (source, options = {}) => importArchive(store, source, options),
    async save(names) {
      for (const name of names) await store.resolve(name);
      return exportImages(store, names);
    },
    import: async (source, options) => ({ id: (await importImage(store, source, options)).id }),
    pull: () => Promise.reject(new WasmboxError('NOT_IMPLEMENTED', 'pull without a daemon goes through the CLI registry client')),
    push: () => Promise.reject(new WasmboxError('NOT_IMPLEMENTED', 'push without a daemon goes through the CLI registry client')),
  };
}
