// The image service: the image store as the daemon uses it. It adds what Docker's daemon does
// around the store: filters for `docker images`, conflicts with containers using an image,
// history, archives, registry pull/push, import, and an event for every tag, untag, delete,
// load, save, pull, push and import.

import { WasmboxError, isWasmboxError } from '../errors.js';
import type { Digest } from '../content/digest.js';
import { exportImages, importArchive } from '../image/archive.js';
import type { LoadResult } from '../image/archive.js';
import type { HistoryEntry } from '../image/config.js';
import type { ImageDeleteResponseItem, ImageRecord, ImageStore, ImageSummary } from '../image/image-store.js';
import { parseReference, tryParseReference } from '../image/reference.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { EventService } from './events.js';
import { boolFilter, checkFilterKeys, globMatch, matchLabels, parseTimeFilter } from './filters.js';
import type { Filters } from './filters.js';
import type { UsageTracker } from './usage.js';
import { importImage } from './image-import.js';
import type { ImportImageOptions } from './image-import.js';
import type { RegistryOperationOptions } from './registry.js';
import type { PushResult } from '../image/registry/push.js';

/** Go's zero time: what Docker prints for a time it does not know. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The ImageInspect object (`GET /images/{name}/json`, `docker image inspect`). */
export function imageInspect(record: ImageRecord): Record<string, unknown> {
  const c = record.config;
  const out: Record<string, unknown> = {
    Id: record.id,
    RepoTags: record.repoTags,
    RepoDigests: record.repoDigests,
    Parent: '',
    Comment: typeof c.comment === 'string' ? c.comment : '',
    Created: c.created ?? ZERO_TIME,
    DockerVersion: typeof c.docker_version === 'string' ? c.docker_version : '',
    Author: c.author ?? '',
    Config: { ...(c.config ?? {}) },
    Architecture: c.architecture,
  };
  if (c.variant !== undefined) out.Variant = c.variant;
  out.Os = c.os;
  if (c['os.version'] !== undefined) out.OsVersion = c['os.version'];
  out.Size = record.size;
  out.GraphDriver = { Data: null, Name: 'wasmbox' };
  out.RootFS = { Type: 'layers', Layers: [...c.rootfs.diff_ids] };
  out.Metadata = { LastTagTime: ZERO_TIME };
  out.Descriptor = { mediaType: record.descriptor.mediaType, digest: record.manifestDigest, size: record.descriptor.size };
  return out;
}

export const IMAGE_LIST_FILTERS = ['dangling', 'label', 'reference', 'before', 'since', 'until'] as const;
export const IMAGE_PRUNE_FILTERS = ['dangling', 'label', 'label!', 'until'] as const;

/** One row of `docker history`, in the Engine API's shape. */
export interface ImageHistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** Pulls and pushes for the image service (engine/registry.ts on every platform; fakes in tests). */
export interface ImageRegistry {
  pull(reference: string, options: RegistryOperationOptions): Promise<ImageRecord>;
  push(reference: string, options: RegistryOperationOptions): Promise<PushResult>;
}

/** Kept for callers written before push existed. */
export type ImagePuller = ImageRegistry;

export interface ImageServiceOptions {
  store: ImageStore;
  events: EventService;
  usage: UsageTracker;
  clock?: Clock;
  registry?: ImageRegistry;
}

export interface RemoveImageOptions {
  force?: boolean;
  /** Docker's `noprune` (keep untagged parents); wasmbox images have no parent chain, so it changes nothing. */
  noprune?: boolean;
}

const ID_RE = /^(?:sha256:)?[a-f0-9]{1,64}$/;
const FULL_ID_RE = /^(?:sha256:)?[a-f0-9]{64}$/;

/** The name Docker's messages use: `nope` → `nope:latest`; ids and digests as given. */
export function displayName(nameOrId: string): string {
  if (FULL_ID_RE.test(nameOrId)) return nameOrId;
  const ref = tryParseReference(nameOrId);
  return ref ? ref.familiar() : nameOrId;
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function createdSeconds(created: string | undefined): number {
  if (created === undefined) return 0;
  const t = Date.parse(created);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

export class ImageService {
  readonly store: ImageStore;
  readonly #events: EventService;
  readonly #usage: UsageTracker;
  readonly #clock: Clock;
  readonly #registry: ImageRegistry | undefined;

  constructor(options: ImageServiceOptions) {
    this.store = options.store;
    this.#events = options.events;
    this.#usage = options.usage;
    this.#clock = options.clock ?? systemClock;
    this.#registry = options.registry;
  }

  /** Like ImageStore.resolve, with Docker's message: "No such image: nope:latest". */
  async resolve(nameOrId: string): Promise<ImageRecord> {
    try {
      return await this.store.resolve(nameOrId);
    } catch (e) {
      if (isWasmboxError(e, 'IMAGE_NOT_FOUND') && e.message === `No such image: ${nameOrId}`) {
        throw new WasmboxError('IMAGE_NOT_FOUND', `No such image: ${displayName(nameOrId)}`, { details: { image: nameOrId }, cause: e });
      }
      throw e;
    }
  }

  /** Containers that use an image (by id). */
  users(id: string): string[] {
    return this.#usage.users('image', id);
  }

  /** `docker images`, with filters dangling, label, reference, before, since, until. Newest first. */
  async list(filters: Filters = {}): Promise<ImageSummary[]> {
    checkFilterKeys(filters, IMAGE_LIST_FILTERS);
    const dangling = boolFilter(filters, 'dangling');
    let images = await this.store.list();
    if (dangling !== undefined) images = images.filter((i) => (i.repoTags.length === 0) === dangling);
    images = images.filter((i) => matchLabels(i.labels, filters.label));
    if (filters.reference?.length) {
      const patterns = filters.reference;
      images = images.filter((i) =>
        i.repoTags.some((t) => {
          const ref = parseReference(t);
          // Docker's FamiliarMatch: the pattern against `name:tag`, and a tagless one against the name.
          return patterns.some((p) => globMatch(p, t) || globMatch(p, ref.familiarRepository));
        }),
      );
    }
    for (const key of ['before', 'since'] as const) {
      for (const name of filters[key] ?? []) {
        const pivot = createdSeconds((await this.resolve(name)).config.created);
        images = images.filter((i) => (key === 'before' ? createdSeconds(i.created) < pivot : createdSeconds(i.created) > pivot));
      }
    }
    for (const until of filters.until ?? []) {
      const limit = parseTimeFilter(until, this.#clock.now()) / 1000;
      images = images.filter((i) => createdSeconds(i.created) < limit);
    }
    return images;
  }

  /** `docker tag source repo[:tag]`. */
  async tag(source: string, target: string): Promise<void> {
    const ref = parseReference(target);
    const record = await this.resolve(source);
    await this.store.tag(record.id, ref);
    this.#events.publish('image', 'tag', { id: record.id, attributes: { name: ref.familiar(), ...record.config.config?.Labels } });
  }

  /**
   * `docker rmi`: untags, and deletes the image once no tag is left. An image a container uses
   * is kept: CONFLICT unless `force`, which untags it and leaves it dangling, as Docker does.
   */
  async remove(nameOrId: string, options: RemoveImageOptions = {}): Promise<ImageDeleteResponseItem[]> {
    const record = await this.resolve(nameOrId);
    const users = this.users(record.id);
    const ref = ID_RE.test(nameOrId) && !record.repoTags.includes(displayName(nameOrId)) ? undefined : tryParseReference(nameOrId);
    const byTag = ref !== undefined && ref.digest === undefined;
    const lastTag = !byTag || record.repoTags.length <= 1;
    let items: ImageDeleteResponseItem[];
    if (users.length > 0 && lastTag) {
      if (!options.force) {
        throw new WasmboxError(
          'CONFLICT',
          byTag
            ? `conflict: unable to remove repository reference "${nameOrId}" (must force) - container ${shortId(users[0]!)} is using its referenced image ${shortId(record.id)}`
            : `conflict: unable to delete ${shortId(record.id)} (must be forced) - image is being used by container ${shortId(users[0]!)}`,
          { details: { image: record.id, containers: users } },
        );
      }
      items = [];
      for (const tag of byTag ? [ref.familiar()] : record.repoTags) {
        await this.store.untag(tag);
        items.push({ Untagged: tag });
      }
    } else {
      items = await this.store.remove(nameOrId, { force: options.force ?? false });
    }
    const labels = record.config.config?.Labels ?? {};
    for (const item of items) {
      if ('Untagged' in item) this.#events.publish('image', 'untag', { id: record.id, attributes: { name: item.Untagged, ...labels } });
      else this.#events.publish('image', 'delete', { id: item.Deleted, attributes: { name: item.Deleted, ...labels } });
    }
    return items;
  }

  /**
   * `docker image prune`: dangling images, or with `dangling=false` every image no container
   * uses; filters label, label!, until.
   */
  async prune(filters: Filters = {}): Promise<{ deleted: ImageDeleteResponseItem[]; spaceReclaimed: number }> {
    checkFilterKeys(filters, IMAGE_PRUNE_FILTERS);
    const danglingOnly = boolFilter(filters, 'dangling') ?? true;
    const now = this.#clock.now();
    const limits = (filters.until ?? []).map((u) => parseTimeFilter(u, now) / 1000);
    const candidates = (await this.store.list()).filter(
      (i) =>
        (!danglingOnly || i.repoTags.length === 0) &&
        this.users(i.id).length === 0 &&
        matchLabels(i.labels, filters.label) &&
        (!filters['label!']?.length || matchLabels(i.labels, filters['label!'], { invert: true })) &&
        limits.every((l) => createdSeconds(i.created) < l),
    );
    const deleted: ImageDeleteResponseItem[] = [];
    let spaceReclaimed = 0;
    for (const image of candidates) {
      try {
        deleted.push(...(await this.remove(image.id, { force: true })));
        spaceReclaimed += image.size;
      } catch (e) {
        // Removed by someone else meanwhile: nothing to prune.
        if (!isWasmboxError(e, 'IMAGE_NOT_FOUND')) throw e;
      }
    }
    if (deleted.length > 0) this.#events.publish('image', 'prune', { id: '', attributes: { reclaimed: String(spaceReclaimed) } });
    return { deleted, spaceReclaimed };
  }

  /** `docker history`: newest first; layers that come from a history entry carry its size. */
  async history(nameOrId: string): Promise<ImageHistoryItem[]> {
    const record = await this.resolve(nameOrId);
    const layers = record.manifest.layers;
    const history: HistoryEntry[] = record.config.history?.length
      ? record.config.history
      : layers.map(() => ({ created: record.config.created, created_by: '', empty_layer: false }));
    let layer = 0;
    const rows = history.map((h) => {
      const size = h.empty_layer ? 0 : (layers[layer++]?.size ?? 0);
      return { Id: '<missing>', Created: createdSeconds(h.created), CreatedBy: h.created_by ?? '', Tags: null as string[] | null, Size: size, Comment: h.comment ?? '' };
    });
    rows.reverse();
    if (rows[0]) {
      rows[0].Id = record.id;
      rows[0].Tags = record.repoTags.length > 0 ? [...record.repoTags] : null;
    }
    return rows;
  }

  /** `docker load`: one `load` event per image. */
  async load(source: AsyncIterable<Uint8Array>, options: { source?: string } = {}): Promise<LoadResult> {
    const result = await importArchive(this.store, source, options);
    for (const image of result.images) {
      const names = image.repoTags.length > 0 ? image.repoTags : [image.id];
      for (const name of names) this.#events.publish('image', 'load', { id: name, attributes: { name } });
    }
    return result;
  }

  /** `docker save`: checks every name first (404 before any byte is sent), then streams the tar. */
  async save(names: string[]): Promise<AsyncIterable<Uint8Array>> {
    if (names.length === 0) throw new WasmboxError('INVALID_ARGUMENT', 'docker save needs at least one image name');
    const records: ImageRecord[] = [];
    for (const n of names) records.push(await this.resolve(n));
    for (const [i, r] of records.entries()) this.#events.publish('image', 'save', { id: r.id, attributes: { name: names[i]! } });
    return exportImages(this.store, names);
  }

  #needRegistry(what: string): ImageRegistry {
    if (!this.#registry) throw new WasmboxError('NOT_IMPLEMENTED', `cannot ${what}: this engine has no registry access; use "docker load" and "docker save" instead`);
    return this.#registry;
  }

  /** `docker pull`: progress messages as docker's JSON stream has them; a `pull` event at the end. */
  async pull(reference: string, options: RegistryOperationOptions = {}): Promise<ImageRecord> {
    const ref = parseReference(reference);
    const record = await this.#needRegistry(`pull ${ref.familiar()}`).pull(ref.toString(), options);
    this.#events.publish('image', 'pull', { id: ref.familiar(), attributes: { name: ref.familiar() } });
    return record;
  }

  /** `docker push` of a tag (`:latest` when none): a `push` event at the end. */
  async push(reference: string, options: RegistryOperationOptions = {}): Promise<PushResult> {
    const parsed = parseReference(reference, { defaultTag: false });
    const ref = parsed.tag === undefined && parsed.digest === undefined ? parsed.withTag('latest') : parsed;
    const result = await this.#needRegistry(`push ${ref.familiar()}`).push(ref.toString(), options);
    this.#events.publish('image', 'push', { id: ref.familiar(), attributes: { name: ref.familiar() } });
    return result;
  }

  /** `docker import`: a one-layer image from a file-system tar; an `import` event. */
  async import(source: AsyncIterable<Uint8Array> | Uint8Array, options: ImportImageOptions = {}): Promise<ImageRecord> {
    const record = await importImage(this.store, source, { created: new Date(this.#clock.now()).toISOString(), ...options });
    this.#events.publish('image', 'import', { id: record.id, attributes: { name: record.id } });
    return record;
  }

  /** Layer blob bytes shared between images, per image id (for `docker system df -v`). */
  async sharedSizes(): Promise<Map<Digest, { size: number; shared: number }>> {
    const images = await this.store.list();
    const owners = new Map<Digest, number>();
    const layersOf = new Map<Digest, { digest: Digest; size: number }[]>();
    for (const i of images) {
      const r = await this.store.resolve(i.id);
      layersOf.set(i.id, r.manifest.layers);
      for (const l of new Set(r.manifest.layers.map((x) => x.digest))) owners.set(l, (owners.get(l) ?? 0) + 1);
    }
    const out = new Map<Digest, { size: number; shared: number }>();
    for (const [id, layers] of layersOf) {
      const shared = layers.filter((l) => (owners.get(l.digest) ?? 0) > 1).reduce((n, l) => n + l.size, 0);
      out.set(id, { size: layers.reduce((n, l) => n + l.size, 0), shared });
    }
    return out;
  }
}
