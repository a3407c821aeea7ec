// Runs wasmbox command lines in-process with captured stdout/stderr and a fresh WASMBOX_ROOT,
// and makes small wasi/wasm images to list, tag, save and load.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { digestOf } from '../../../src/content/digest.js';
import { run } from '../../../src/cli/program.js';
import type { CliIO, Output } from '../../../src/cli/context.js';
import type { ImageConfig } from '../../../src/image/config.js';
import type { ImageRecord } from '../../../src/image/image-store.js';
import { openNodeImageStore } from '../../../src/platform/node/stores.js';

export class Capture implements Output {
  readonly chunks: Uint8Array[] = [];
  isTTY = false;

  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk.slice());
    return true;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }

  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
}

export interface Harness {
  root: string;
  /** Runs `wasmbox …argv` with `stdin` (bytes) and the options for the streams. */
  wasmbox(argv: string[], options?: { stdin?: Uint8Array | string; stdoutIsTTY?: boolean; stdinIsTTY?: boolean }): Promise<RunResult>;
  putImage(options: { tags?: string[]; files?: Record<string, string>; created?: string; labels?: Record<string, string>; createdBy?: string }): Promise<ImageRecord>;
  cleanup(): void;
}

/** A small uncompressed layer tar holding `files`. */
export async function layerTar(files: Record<string, string>): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Uint8Array[] = [];
  const drained = (async () => {
    for await (const c of pack) chunks.push(c as Uint8Array);
  })();
  for (const [name, body] of Object.entries(files)) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name, mode: 0o644, mtime: new Date(0) }, body, (e) => (e ? reject(e) : resolve())),
    );
  }
  pack.finalize();
  await drained;
  return Buffer.concat(chunks);
}

export function createHarness(): Harness {
  const root = mkdtempSync(join(tmpdir(), 'wasmbox-cli-'));
  // Inline processes: containers run on the test's thread (fast; no worker per run).
  const env = { WASMBOX_ROOT: root, WASMBOX_PROCESS_MODE: 'inline' };
  return {
    root,
    async wasmbox(argv, options = {}) {
      const stdout = new Capture();
      const stderr = new Capture();
      stdout.isTTY = options.stdoutIsTTY === true;
      const input = options.stdin === undefined ? new Uint8Array(0) : typeof options.stdin === 'string' ? new TextEncoder().encode(options.stdin) : options.stdin;
      const stdin = Object.assign(
        (async function* () {
          if (input.length > 0) yield input;
        })(),
        { isTTY: options.stdinIsTTY === true },
      );
      const io: CliIO = { stdout, stderr, stdin, env };
      const code = await run(argv, io);
      return { code, stdout: stdout.text(), stderr: stderr.text(), stdoutBytes: stdout.bytes() };
    },
    async putImage({ tags = [], files = { 'hello.wasm': 'wasm' }, created, labels, createdBy = 'COPY . /' }) {
      const store = await openNodeImageStore(root);
      const layer = await layerTar(files);
      const config: ImageConfig = {
        architecture: 'wasm',
        os: 'wasi',
        config: { Cmd: ['/hello.wasm'], ...(labels ? { Labels: labels } : {}) },
        rootfs: { type: 'layers', diff_ids: [digestOf(layer)] },
        history: [{ created_by: createdBy, ...(created ? { created } : {}) }],
      };
      if (created) config.created = created;
      return store.putImage({ config, layers: [{ data: layer }], tags });
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
