// Worker processes in real Chromium (crossOriginIsolated page): the browser WorkerFactory and
// worker entry, stdin through shared memory, output, kill in a busy loop, and a file written
// by a worker reaching the container's hub, all from bundles that contain no Node builtin.

import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChromium } from '../helpers/chromium.js';
import type { ChromiumSession } from '../helpers/chromium.js';
import { program } from '../helpers/runner-programs.js';

const PAGE_ENTRY = `
export { spawnProcess } from './src/runner/process.ts';
export { ContainerFsHub } from './src/runner/replica/hub.ts';
export { TreeFs, mergeLayers } from './src/vfs/index.ts';
export { writeTar, layerTreeFromTar } from './src/layers/index.ts';
export { createBrowserWorkerFactory } from './src/platform/browser/worker.ts';
`;

const PAGE = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module">
  import * as runner from './runner.js';
  window.runner = runner;
  window.ready = true;
</script>
`;

async function bundle(options: esbuild.BuildOptions): Promise<string> {
  const out = await esbuild.build({ ...options, bundle: true, format: 'esm', platform: 'browser', target: 'chrome120', write: false, logLevel: 'silent' });
  return out.outputFiles[0]!.text;
}

interface Result {
  isolated: boolean;
  cat: { code: number; out: string };
  killed: { code: number; reason?: string; ms: number };
  file: { code: number; content: string };
  image: { code: number; out: string };
}

let session: ChromiumSession;

beforeAll(async () => {
  const runnerJs = await bundle({ stdin: { contents: PAGE_ENTRY, resolveDir: process.cwd(), loader: 'ts' } });
  const workerJs = await bundle({ entryPoints: ['src/platform/browser/worker-entry.ts'] });
  expect(runnerJs).not.toMatch(/from ["']node:/);
  expect(workerJs).not.toMatch(/from ["']node:/);
  session = await openChromium({ files: { '/index.html': PAGE, '/runner.js': runnerJs, '/worker.js': workerJs } });
  await session.page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 30_000 });
});

afterAll(async () => {
  await session?.close();
});

describe('worker processes in Chromium', () => {
  it('run with stdin, are killed in a busy loop, read the image and replicate their file writes', async () => {
    const wasm = { cat: [...(await program('cat'))], loop: [...(await program('loop'))], writefile: [...(await program('writefile'))], readfile: [...(await program('readfile'))] };
    const result = await session.page.evaluate(async (w): Promise<Result> => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const r = (window as any).runner;
      const workerFactory = r.createBrowserWorkerFactory(new URL('./worker.js', location.href));
      const dec = new TextDecoder();
      let out = '';
      const cat = r.spawnProcess({
        module: new Uint8Array(w.cat),
        args: ['cat'],
        mode: 'worker',
        workerFactory,
        stdin: 'pipe',
        stdout: (c: Uint8Array) => (out += dec.decode(c)),
      });
      cat.writeStdin(new TextEncoder().encode('hello from a page\n'));
      setTimeout(() => cat.endStdin(), 50);
      const catStatus = await cat.exited;

      const loop = r.spawnProcess({ module: new Uint8Array(w.loop), args: ['loop'], mode: 'worker', workerFactory });
      await new Promise((res) => setTimeout(res, 500));
      const t0 = performance.now();
      loop.kill();
      const loopStatus = await loop.exited;
      const ms = performance.now() - t0;

      // An image layer, shared with the worker as a SharedArrayBuffer (parsed there from a copy:
      // Chromium's TextDecoder refuses shared memory).
      const enc = new TextEncoder();
      const layer = r.writeTar([
        { path: 'etc', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtimeMs: 0 },
        { path: 'etc/motd', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('image content') },
      ]);
      const hub = new r.ContainerFsHub({ top: new r.TreeFs(r.mergeLayers([r.layerTreeFromTar(layer)])), lower: { tars: [layer] } });
      let imageOut = '';
      const reader = r.spawnProcess({
        module: new Uint8Array(w.readfile),
        args: ['readfile', '/etc/motd'],
        mode: 'worker',
        workerFactory,
        hub,
        stdout: (c: Uint8Array) => (imageOut += dec.decode(c)),
        stderr: (c: Uint8Array) => (imageOut += dec.decode(c)),
      });
      const readStatus = await reader.exited;
      const writer = r.spawnProcess({ module: new Uint8Array(w.writefile), args: ['writefile', '/hello', 'from a worker'], mode: 'worker', workerFactory, hub });
      const writeStatus = await writer.exited;
      let content = '';
      try {
        content = dec.decode(hub.fs.readFile('/hello'));
      } catch (e) {
        content = String(e);
      }
      return {
        isolated: crossOriginIsolated,
        cat: { code: catStatus.code, out },
        killed: { code: loopStatus.code, reason: loopStatus.reason, ms },
        file: { code: writeStatus.code, content },
        image: { code: readStatus.code, out: imageOut },
      };
    }, wasm);
    expect(session.errors).toEqual([]);
    expect(result.isolated).toBe(true);
    expect(result.cat).toEqual({ code: 0, out: 'hello from a page\n' });
    expect(result.killed).toMatchObject({ code: 137, reason: 'killed' });
    expect(result.killed.ms).toBeLessThan(100);
    expect(result.file).toEqual({ code: 0, content: 'from a worker' });
    expect(result.image).toEqual({ code: 0, out: 'image content' });
  });
});
