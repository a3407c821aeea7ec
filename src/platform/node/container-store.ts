// Containers on a Node host, as Docker keeps them: <root>/containers/<id>/config.v2.json (the
// record, written atomically), top-layer.tar (the top layer's diff, saved at every process
// exit and on engine close) and <id>-json.log (the json-file log driver's lines). Also the
// MountFactory that turns bind mounts and volume mountpoints into confined host directories.

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { appendFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { WasmboxError } from '../../errors.js';
import type { OutputFrame } from '../../engine/container-types.js';
import type { MountFactory } from '../../engine/containers.js';
import type { ContainerPersistence, ContainerRecord, StoredContainer } from '../../engine/containers/persistence.js';
import type { FsBackend } from '../../vfs/types.js';
import { HostDirBackend } from './host-dir-backend.js';
import { describeNodeMount } from './worker.js';
import { writeFileAtomic } from './atomic-file.js';

const RECORD = 'config.v2.json';
const TOP = 'top-layer.tar';
const ID_RE = /^[a-f0-9]{64}$/;

export class NodeContainerStore implements ContainerPersistence {
  readonly root: string;
  /** Log lines waiting to be appended, per container, written in order by one task each. */
  readonly #pending = new Map<string, { lines: string[]; task: Promise<void> | undefined }>();
  readonly #decoder = new TextDecoder();

  constructor(root: string) {
    this.root = resolve(root);
  }

  #dir(id: string): string {
    if (!ID_RE.test(id)) throw new WasmboxError('INVALID_ARGUMENT', `invalid container id "${id}"`, { details: { id } });
    return join(this.root, id);
  }

  async load(): Promise<StoredContainer[]> {
    let ids: string[];
    try {
      ids = await readdir(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: StoredContainer[] = [];
    for (const id of ids.filter((i) => ID_RE.test(i))) {
      const dir = join(this.root, id);
      let record: ContainerRecord;
      try {
        record = JSON.parse(await readFile(join(dir, RECORD), 'utf8')) as ContainerRecord;
      } catch {
        // A container whose record was never completed: not a container.
        continue;
      }
      const top = await readFile(join(dir, TOP)).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength), () => undefined);
      const logs = await this.#readLog(join(dir, `${id}-json.log`));
      out.push({ record, ...(top === undefined ? {} : { top }), logs });
    }
    return out;
  }

  async #readLog(path: string): Promise<OutputFrame[]> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return [];
    }
    const frames: OutputFrame[] = [];
    const enc = new TextEncoder();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const j = JSON.parse(line) as { log: string; stream: 'stdout' | 'stderr'; time: string };
        frames.push({ stream: j.stream === 'stderr' ? 'stderr' : 'stdout', data: enc.encode(j.log), time: Date.parse(j.time) });
      } catch {
        // A torn last line after a crash.
      }
    }
    return frames;
  }

  async #atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
    await writeFileAtomic(path, data);
  }

  async save(record: ContainerRecord): Promise<void> {
    const dir = this.#dir(record.id);
    await mkdir(dir, { recursive: true });
    await this.#atomicWrite(join(dir, RECORD), JSON.stringify(record));
  }

  async saveTop(id: string, tar: Uint8Array): Promise<void> {
    const dir = this.#dir(id);
    await mkdir(dir, { recursive: true });
    await this.#atomicWrite(join(dir, TOP), tar);
  }

  appendLog(id: string, frame: OutputFrame): void {
    const line = JSON.stringify({ log: this.#decoder.decode(frame.data), stream: frame.stream, time: new Date(frame.time).toISOString() }) + '\n';
    let p = this.#pending.get(id);
    if (!p) this.#pending.set(id, (p = { lines: [], task: undefined }));
    p.lines.push(line);
    if (p.task === undefined) p.task = this.#drain(id, p);
  }

  async #drain(id: string, p: { lines: string[]; task: Promise<void> | undefined }): Promise<void> {
    try {
      while (p.lines.length > 0) {
        const batch = p.lines.splice(0).join('');
        const dir = this.#dir(id);
        if (!existsSync(dir)) await mkdir(dir, { recursive: true });
        await appendFile(join(dir, `${id}-json.log`), batch);
      }
    } catch {
      // The container was removed meanwhile, or the disk is full: the in-memory log still has it.
    } finally {
      p.task = undefined;
      if (this.#pending.get(id) === p && p.lines.length === 0) this.#pending.delete(id);
    }
  }

  async remove(id: string): Promise<void> {
    const p = this.#pending.get(id);
    if (p) {
      p.lines.length = 0;
      await p.task;
    }
    this.#pending.delete(id);
    await rm(this.#dir(id), { recursive: true, force: true });
  }

  async flush(): Promise<void> {
    for (const p of [...this.#pending.values()]) await p.task;
  }
}

/** Bind mounts and volumes as host directories (HostDirBackend), which worker processes open themselves. */
export function nodeMountFactory(): MountFactory {
  const open = (hostPath: string, readOnly: boolean): FsBackend<unknown> => new HostDirBackend(hostPath, { readOnly });
  return {
    async bind(hostPath, options) {
      const path = resolve(hostPath);
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        if (!options.create) {
          throw new WasmboxError('INVALID_ARGUMENT', `invalid mount config for type "bind": bind source path does not exist: ${path}`, { details: { source: path } });
        }
        // As `docker run -v /missing:/x`: the daemon creates the host directory.
        mkdirSync(path, { recursive: true });
        isDir = true;
      }
      if (!isDir) {
        throw new WasmboxError('NOT_IMPLEMENTED', `bind mount of ${path}: only directories can be bind-mounted in wasmbox (not single files)`, { details: { source: path } });
      }
      return open(path, options.readOnly);
    },
    async volume(mountpoint, options) {
      mkdirSync(mountpoint, { recursive: true });
      return open(mountpoint, options.readOnly);
    },
    describe: describeNodeMount,
  };
}
