// A Namespace that reports every change it makes as an FsChange, and that lets a replica
// catch up with other processes' changes at the start of each call (`beforeCall`). It is a
// Namespace (a subclass), so the WASI host uses it unchanged; replication works the same
// with or without workers, which is what makes it testable on one thread.

import { WasmboxError } from '../../errors.js';
import { Namespace } from '../../vfs/namespace.js';
import type { NamespaceOptions } from '../../vfs/namespace.js';
import type { NodeKind } from '../../vfs/node.js';
import { normalizeAbsolute, splitPath } from '../../vfs/path.js';
import type { DirEntry, FileHandle, FsBackend, OpenOptions, SetAttrs, Stat } from '../../vfs/types.js';
import { applyChange } from './change-log.js';
import type { FsChange } from './change-log.js';

export interface RecordingNamespaceOptions extends NamespaceOptions {
  /** Receives each change after it succeeded, in order. Write data may be guest memory: copy it to keep it. */
  record: (change: FsChange) => void;
  /** Called at the start of every public call (a replica drains its inbox here). */
  beforeCall?: () => void;
}

export class RecordingNamespace extends Namespace {
  readonly #record: (change: FsChange) => void;
  readonly #beforeCall: (() => void) | undefined;
  /** Mount points whose changes are not replicated (host directories: the host shares them). */
  readonly #unreplicated = new Set<string>();
  /** >0 while replaying others' changes or inside a composite call: nothing is recorded/synced. */
  #muted = 0;

  constructor(root: FsBackend<unknown>, options: RecordingNamespaceOptions) {
    super(root, options);
    this.#record = options.record;
    this.#beforeCall = options.beforeCall;
  }

  /** Changes under `path` (a mount point) are not recorded: every replica reaches that storage directly. */
  unreplicated(path: string): void {
    this.#unreplicated.add(normalizeAbsolute(path));
  }

  /** Replays changes made elsewhere without recording them again; a change that conflicts is skipped. Returns the number skipped. */
  applyRemote(changes: Iterable<FsChange>): number {
    let skipped = 0;
    this.#muted++;
    try {
      for (const c of changes) {
        try {
          applyChange(this, c);
        } catch (e) {
          if (!(e instanceof WasmboxError)) throw e;
          skipped++;
        }
      }
    } finally {
      this.#muted--;
    }
    return skipped;
  }

  // ---- plumbing ----

  #sync(): void {
    if (this.#muted === 0) this.#beforeCall?.();
  }

  #emit(c: FsChange): void {
    if (this.#muted > 0) return;
    const path = c.op === 'rename' ? c.to : c.path;
    if (this.#unreplicated.size > 0) {
      if (this.#unreplicated.has('/')) {
        // A host directory as root (`--rootfs`): only changes inside in-memory mounts travel.
        let deepest = '/';
        for (const m of this.listMounts()) if (m.path.length > deepest.length && (path === m.path || path.startsWith(m.path + '/'))) deepest = m.path;
        if (this.#unreplicated.has(deepest)) return;
      } else {
        for (const m of this.#unreplicated) if (path === m || path.startsWith(m + '/')) return;
      }
    }
    this.#record(c);
  }

  /** The path with its parent directory resolved (symlinks, `..`), so it replays the same anywhere. */
  #canon(path: string): string {
    const parts = splitPath(path);
    const name = parts.pop();
    if (name === undefined) return '/';
    if (name === '..') return normalizeAbsolute(path);
    let parent: string;
    try {
      parent = parts.length === 0 ? '/' : super.realpath('/' + parts.join('/'));
    } catch {
      return normalizeAbsolute(path);
    }
    return parent === '/' ? `/${name}` : `${parent}/${name}`;
  }

  // ---- queries: only catch up first ----

  override stat(path: string): Stat {
    this.#sync();
    return super.stat(path);
  }

  override lstat(path: string): Stat {
    this.#sync();
    return super.lstat(path);
  }

  override exists(path: string): boolean {
    this.#sync();
    return super.exists(path);
  }

  override kindOf(path: string, options: { follow?: boolean } = {}): NodeKind | undefined {
    this.#sync();
    return super.kindOf(path, options);
  }

  override readdir(path: string): DirEntry[] {
    this.#sync();
    return super.readdir(path);
  }

  override readlink(path: string): string {
    this.#sync();
    return super.readlink(path);
  }

  override realpath(path: string): string {
    this.#sync();
    return super.realpath(path);
  }

  override readFile(path: string): Uint8Array {
    this.#sync();
    return super.readFile(path);
  }

  // ---- changes ----

  override open(path: string, o: OpenOptions = {}): FileHandle {
    this.#sync();
    const h = super.open(path, o);
    if (this.#muted > 0) return h;
    // Resolved on first use: most opens only read, and the walk costs as much as the open.
    let canon: string | undefined;
    const canonOf = (): string => (canon ??= this.#canon(path));
    if (o.create || o.truncate) {
      this.#emit({ op: 'open', path: canonOf(), create: o.create ?? false, truncate: o.truncate ?? false, mode: o.mode ?? 0o644 });
    }
    return new RecordingFileHandle(h, canonOf, (c) => this.#emit(c));
  }

  override writeFile(path: string, data: Uint8Array | string, options: { mode?: number } = {}): void {
    this.#sync();
    super.writeFile(path, data, options);
  }

  override truncate(path: string, size: number): void {
    this.#sync();
    super.truncate(path, size);
  }

  override mkdir(path: string, options: { mode?: number; recursive?: boolean } = {}): void {
    this.#sync();
    // The recursive form calls mkdir once per missing component, which records each.
    super.mkdir(path, options);
    if (options.recursive) return;
    const canon = this.#canon(path);
    this.#emit({ op: 'mkdir', path: canon, mode: options.mode ?? 0o755 });
  }

  override rmdir(path: string): void {
    this.#sync();
    const canon = this.#canon(path);
    super.rmdir(path);
    this.#emit({ op: 'rmdir', path: canon });
  }

  override unlink(path: string): void {
    this.#sync();
    const canon = this.#canon(path);
    super.unlink(path);
    this.#emit({ op: 'unlink', path: canon });
  }

  override symlink(target: string, path: string): void {
    this.#sync();
    super.symlink(target, path);
    const canon = this.#canon(path);
    this.#emit({ op: 'symlink', target, path: canon });
  }

  override link(existing: string, path: string): void {
    this.#sync();
    super.link(existing, path);
    const canon = this.#canon(path);
    this.#emit({ op: 'link', existing: this.#canon(existing), path: canon });
  }

  override rename(from: string, to: string): void {
    this.#sync();
    const a = this.#canon(from);
    const b = this.#canon(to);
    super.rename(from, to);
    this.#emit({ op: 'rename', from: a, to: b });
  }

  override setAttrs(path: string, attrs: SetAttrs, follow: boolean): void {
    this.#sync();
    super.setAttrs(path, attrs, follow);
    const canon = this.#canon(path);
    this.#emit({ op: 'setattrs', path: canon, attrs: { ...attrs }, follow });
  }
}

/** An open file whose writes, truncations and attribute changes are recorded by path. */
class RecordingFileHandle implements FileHandle {
  constructor(
    private readonly inner: FileHandle,
    private readonly pathOf: () => string,
    private readonly emit: (c: FsChange) => void,
  ) {}

  read(into: Uint8Array, position: number): number {
    return this.inner.read(into, position);
  }

  write(data: Uint8Array, position: number): number {
    const n = this.inner.write(data, position);
    this.emit({ op: 'write', path: this.pathOf(), position, data: n === data.length ? data : data.subarray(0, n) });
    return n;
  }

  append(data: Uint8Array): number {
    const size = this.inner.append(data);
    // Recorded at the offset it landed on: another replica's file may have grown meanwhile.
    this.emit({ op: 'write', path: this.pathOf(), position: size - data.length, data });
    return size;
  }

  size(): number {
    return this.inner.size();
  }

  truncate(size: number): void {
    this.inner.truncate(size);
    this.emit({ op: 'truncate', path: this.pathOf(), size });
  }

  stat(): Stat {
    return this.inner.stat();
  }

  setAttrs(attrs: SetAttrs): void {
    this.inner.setAttrs(attrs);
    this.emit({ op: 'setattrs', path: this.pathOf(), attrs: { ...attrs }, follow: true });
  }

  close(): void {
    this.inner.close();
  }
}
