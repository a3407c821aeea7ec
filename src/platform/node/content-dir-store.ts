// The content store on disk: blobs at <root>/blobs/sha256/<hex>, which is exactly an OCI image
// layout's blob directory, so skopeo and umoci read it as is. A write streams to a temp file on
// the same file system, is hashed and fsync'd, and is renamed into place only once verified.

import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { digestHex, parseDigest } from '../../content/digest.js';
import type { Digest } from '../../content/digest.js';
import type { BlobInfo, BlobSource, ContentStore, PutOptions } from '../../content/types.js';
import { checkPutOptions, hashBlobSource } from '../../content/verify.js';
import { WasmboxError } from '../../errors.js';

export interface NodeDirContentStoreOptions {
  /** The OCI layout directory; blobs go to <root>/blobs/sha256/. */
  root: string;
  /** Where writes in progress live; must be on the same file system as root. Default <root>/../tmp. */
  tmpDir?: string;
}

const HEX_RE = /^[a-f0-9]{64}$/;
/** Small chunks are gathered up to this size before a write, so a stream of tiny chunks costs few syscalls. */
const STAGING_BYTES = 256 * 1024;
const READ_CHUNK = 256 * 1024;

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

function ioError(e: unknown, action: string, path: string): WasmboxError {
  if (e instanceof WasmboxError) return e;
  const code = errnoOf(e) === 'ENOSPC' ? 'ENOSPC' : 'EIO';
  const why = e instanceof Error ? e.message : String(e);
  return new WasmboxError(code, `cannot ${action} ${path}: ${why}`, { cause: e, details: { path } });
}

function notFound(digest: Digest, path: string): WasmboxError {
  return new WasmboxError('BLOB_NOT_FOUND', `blob ${digest} not found (no file ${path})`, { details: { digest, path } });
}

/** A plain Uint8Array view of a Buffer, so callers compare and slice it like any other blob. */
function plain(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export class NodeDirContentStore implements ContentStore {
  readonly root: string;
  readonly tmpDir: string;
  readonly #blobDir: string;
  #dirsReady: Promise<void> | undefined;

  constructor(options: NodeDirContentStoreOptions) {
    this.root = resolve(options.root);
    this.tmpDir = resolve(options.tmpDir ?? join(this.root, '..', 'tmp'));
    this.#blobDir = join(this.root, 'blobs', 'sha256');
  }

  /** Path of a blob's file (whether or not it exists). */
  blobPath(digest: Digest): string {
    return join(this.#blobDir, digestHex(parseDigest(digest)));
  }

  async has(digest: Digest): Promise<boolean> {
    const path = this.blobPath(digest);
    try {
      return (await stat(path)).isFile();
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return false;
      throw ioError(e, 'stat blob', path);
    }
  }

  async size(digest: Digest): Promise<number> {
    const path = this.blobPath(digest);
    try {
      return (await stat(path)).size;
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') throw notFound(digest, path);
      throw ioError(e, 'stat blob', path);
    }
  }

  async get(digest: Digest): Promise<Uint8Array> {
    const path = this.blobPath(digest);
    try {
      return plain(await readFile(path));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') throw notFound(digest, path);
      throw ioError(e, 'read blob', path);
    }
  }

  async *read(digest: Digest): AsyncIterable<Uint8Array> {
    const path = this.blobPath(digest);
    // Open first so a missing blob is BLOB_NOT_FOUND on the first next(), not a stream error later.
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') throw notFound(digest, path);
      throw ioError(e, 'open blob', path);
    }
    // The stream owns the handle from here and closes it at the end, on error or on break.
    const stream = createReadStream(path, { fd: handle, highWaterMark: READ_CHUNK });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield plain(chunk);
    } catch (e) {
      throw ioError(e, 'read blob', path);
    } finally {
      stream.destroy();
    }
  }

  async put(data: BlobSource, options: PutOptions = {}): Promise<BlobInfo> {
    checkPutOptions(options);
    await this.#ensureDirs();
    const tmpPath = join(this.tmpDir, `blob-${randomBytes(12).toString('hex')}.part`);
    let handle: FileHandle | undefined;
    try {
      handle = await open(tmpPath, 'wx', 0o644).catch((e: unknown) => {
        throw ioError(e, 'create temporary blob file', tmpPath);
      });
      const file = handle;
      const staging = Buffer.allocUnsafe(STAGING_BYTES);
      let staged = 0;
      const flush = async (): Promise<void> => {
        if (staged > 0) await writeAll(file, staging.subarray(0, staged), tmpPath);
        staged = 0;
      };
      const info = await hashBlobSource(data, options, async (chunk) => {
        // A chunk is copied into staging or written before we return: the source may reuse it.
        if (staged + chunk.byteLength <= STAGING_BYTES) {
          staging.set(chunk, staged);
          staged += chunk.byteLength;
          return;
        }
        await flush();
        if (chunk.byteLength < STAGING_BYTES) {
          staging.set(chunk, 0);
          staged = chunk.byteLength;
        } else {
          await writeAll(file, chunk, tmpPath);
        }
      });
      await flush();
      // Durable before visible: after a crash a blob is either complete or absent.
      await file.sync().catch((e: unknown) => {
        throw ioError(e, 'fsync', tmpPath);
      });
      await file.close();
      handle = undefined;
      const finalPath = join(this.#blobDir, digestHex(info.digest));
      await this.#commit(tmpPath, finalPath);
      return info;
    } catch (e) {
      await handle?.close().catch(() => {});
      await unlink(tmpPath).catch(() => {});
      throw e;
    }
  }

  async delete(digest: Digest): Promise<boolean> {
    const path = this.blobPath(digest);
    try {
      await unlink(path);
      return true;
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return false;
      throw ioError(e, 'delete blob', path);
    }
  }

  async list(): Promise<BlobInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.#blobDir);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return [];
      throw ioError(e, 'list blobs in', this.#blobDir);
    }
    const infos = await Promise.all(
      names
        .filter((n) => HEX_RE.test(n))
        .map(async (n): Promise<BlobInfo | undefined> => {
          try {
            const s = await stat(join(this.#blobDir, n));
            return s.isFile() ? { digest: `sha256:${n}`, size: s.size } : undefined;
          } catch {
            return undefined; // deleted while we listed
          }
        }),
    );
    return infos.filter((i): i is BlobInfo => i !== undefined);
  }

  #ensureDirs(): Promise<void> {
    this.#dirsReady ??= Promise.all([mkdir(this.#blobDir, { recursive: true }), mkdir(this.tmpDir, { recursive: true })]).then(
      () => undefined,
      (e: unknown) => {
        this.#dirsReady = undefined;
        throw ioError(e, 'create store directories under', this.root);
      },
    );
    return this.#dirsReady;
  }

  async #commit(tmpPath: string, finalPath: string): Promise<void> {
    try {
      // rename() replaces atomically on POSIX, so two concurrent puts of one blob both succeed.
      await rename(tmpPath, finalPath);
    } catch (e) {
      // Windows refuses to replace a file that is open; the same content is already there.
      if (await stat(finalPath).then((s) => s.isFile(), () => false)) {
        await unlink(tmpPath).catch(() => {});
        return;
      }
      // The blob directory may have been removed under us (a prune); recreate it once.
      if (errnoOf(e) === 'ENOENT') {
        this.#dirsReady = undefined;
        await mkdir(dirname(finalPath), { recursive: true });
        await rename(tmpPath, finalPath).catch((e2: unknown) => {
          throw ioError(e2, 'move blob into place at', finalPath);
        });
      } else {
        throw ioError(e, 'move blob into place at', finalPath);
      }
    }
    await syncDir(dirname(finalPath));
  }
}

async function writeAll(file: FileHandle, bytes: Uint8Array, path: string): Promise<void> {
  let off = 0;
  try {
    while (off < bytes.byteLength) {
      const { bytesWritten } = await file.write(bytes, off, bytes.byteLength - off);
      off += bytesWritten;
    }
  } catch (e) {
    throw ioError(e, 'write', path);
  }
}

/** Makes the rename itself durable; best effort (Windows cannot open a directory). */
async function syncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    /* not supported here */
  }
}
