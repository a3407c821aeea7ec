// Processes with real WASI programs compiled by clang: inline and worker modes, stdin, output
// ordering, exit statuses, kill and timeouts in a busy loop, memory limits, the module cache,
// file-system replication between worker processes of one container, and the worker entry
// working from compiled JavaScript as well as from the TypeScript sources.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeWorkerFactory, describeNodeMount } from '../../src/platform/node/worker.js';
import { HostDirBackend } from '../../src/platform/node/host-dir-backend.js';
import type * as NodeWorkerModule from '../../src/platform/node/worker.js';
import { ModuleCache } from '../../src/runner/module-cache.js';
import { spawnProcess } from '../../src/runner/process.js';
import type { ProcessSpec, WasmProcess } from '../../src/runner/process.js';
import { ContainerFsHub } from '../../src/runner/replica/hub.js';
import type { WorkerFactory } from '../../src/runner/worker/protocol.js';
import { TreeFs, mergeLayers } from '../../src/vfs/index.js';
import { layerTreeFromTar, writeTar } from '../../src/layers/index.js';
import { program } from '../helpers/runner-programs.js';
import type { ProgramName } from '../helpers/runner-programs.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

let workerFactory: WorkerFactory;
const wasm = {} as Record<ProgramName, Uint8Array>;

beforeAll(async () => {
  workerFactory = createNodeWorkerFactory();
  for (const name of ['cat', 'loop', 'malloc', 'lines', 'echo', 'writefile', 'readfile', 'waitfile', 'signal', 'mallocabort'] as const) wasm[name] = await program(name);
});

interface Run {
  proc: WasmProcess;
  stdout: () => string;
  stderr: () => string;
}

function start(name: ProgramName, spec: Partial<ProcessSpec> = {}): Run {
  let out = '';
  let err = '';
  const proc = spawnProcess({
    module: wasm[name],
    args: [name],
    workerFactory,
    stdout: (c) => (out += dec.decode(c)),
    stderr: (c) => (err += dec.decode(c)),
    ...spec,
  });
  return { proc, stdout: () => out, stderr: () => err };
}

describe.each(['inline', 'worker'] as const)('%s process', (mode) => {
  it('passes args and env, reports the exit status, and sets COLUMNS/LINES and isatty for a tty', async () => {
    const r = start('echo', { mode, args: ['echo', 'a b', 'ü'], env: ['FOO=bar'], tty: { columns: 100, rows: 30 } });
    expect(await r.proc.exited).toEqual({ code: 7 });
    expect(r.stdout()).toBe('arg echo\narg a b\narg ü\nenv FOO=bar\nenv COLUMNS=100\nenv LINES=30\ntty 1\n');
    const plain = start('echo', { mode, args: ['echo'] });
    await plain.proc.exited;
    expect(plain.stdout()).toBe('arg echo\ntty 0\n');
  });

  it('pipes stdin through a cat-like program (a buffer, a stream, and writeStdin)', async () => {
    const a = start('cat', { mode, stdin: enc.encode('from a buffer\n') });
    expect(await a.proc.exited).toEqual({ code: 0 });
    expect(a.stdout()).toBe('from a buffer\n');

    async function* stream() {
      for (let i = 0; i < 50; i++) {
        yield enc.encode(`chunk ${i}\n`);
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    }
    const b = start('cat', { mode, stdin: stream() });
    expect((await b.proc.exited).code).toBe(0);
    expect(b.stdout()).toBe(Array.from({ length: 50 }, (_, i) => `chunk ${i}\n`).join(''));

    const c = start('cat', { mode, stdin: 'pipe' });
    c.proc.writeStdin(enc.encode('piped '));
    setTimeout(() => {
      c.proc.writeStdin(enc.encode('later\n'));
      c.proc.endStdin();
    }, 20);
    expect((await c.proc.exited).code).toBe(0);
    expect(c.stdout()).toBe('piped later\n');

    const d = start('cat', { mode });
    expect(await d.proc.exited).toEqual({ code: 0 });
    expect(d.stdout()).toBe('');
  });

  it('streams a large stdin (bigger than the shared ring) byte for byte', async () => {
    const big = new Uint8Array(1_000_000).map((_, i) => (i * 7) & 0xff);
    const chunks: Uint8Array[] = [];
    const proc = spawnProcess({ module: wasm.cat, args: ['cat'], mode, workerFactory, stdin: big, stdout: (c) => chunks.push(c) });
    expect((await proc.exited).code).toBe(0);
    const got = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) {
      got.set(c, o);
      o += c.length;
    }
    expect(got.length).toBe(big.length);
    // (Buffer.compare: a deep toEqual of a megabyte takes seconds.)
    expect(Buffer.compare(got, big)).toBe(0);
  });

  it('keeps stdout in order with large output, and stderr too', async () => {
    const r = start('lines', { mode, args: ['lines', '100000'] });
    expect(await r.proc.exited).toEqual({ code: 0 });
    const lines = r.stdout().split('\n');
    expect(lines.length).toBe(100001);
    for (let i = 0; i < 100000; i += 997) expect(lines[i]).toBe(`line ${i}`);
    expect(lines[99999]).toBe('line 99999');
    expect(r.stderr().split('\n').filter(Boolean)).toEqual(Array.from({ length: 100 }, (_, i) => `err ${i * 1000}`));
  });

  it('applies the memory limit: malloc returns NULL and the program exits non-zero', async () => {
    const limited = start('malloc', { mode, limits: { memoryBytes: 32 * 1024 * 1024 } });
    expect(await limited.proc.exited).toEqual({ code: 3 });
    const mib = Number(/after (\d+) MiB/.exec(limited.stdout())![1]);
    expect(mib).toBeGreaterThan(20);
    expect(mib).toBeLessThan(32);
  });

  it('reports a trap at the memory limit as out of memory', async () => {
    const r = start('mallocabort', { mode, limits: { memoryBytes: 16 * 1024 * 1024 } });
    const status = await r.proc.exited;
    expect(status).toMatchObject({ code: 134, reason: 'oom' });
    expect(status.message).toMatch(/out of memory \(limit 16777216 bytes\)/);
  });

  it('exits 126 for a file that is not a WebAssembly module, and 125 for a limit below its minimum memory', async () => {
    const bad = spawnProcess({ module: enc.encode('#!/bin/sh\n'), args: ['x'], mode, workerFactory, name: '/bin/x' });
    const status = await bad.exited;
    expect(status.code).toBe(126);
    expect(status.message).toMatch(/not a valid WebAssembly module \(\/bin\/x\)/);
    const tiny = start('cat', { mode, limits: { memoryBytes: 65536 } });
    const s2 = await tiny.proc.exited;
    expect(s2.code).toBe(125);
    expect(s2.message).toMatch(/below the minimum memory/);
  });
});

describe('worker process', () => {
  it('is killed in a busy loop within milliseconds (137, killed)', async () => {
    const r = start('loop', { mode: 'worker' });
    // Let it start spinning.
    await new Promise((res) => setTimeout(res, 300));
    const t0 = performance.now();
    r.proc.kill();
    expect(await r.proc.exited).toEqual({ code: 137, reason: 'killed' });
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('is stopped by timeoutMs (137, timeout) close to the deadline', async () => {
    const t0 = performance.now();
    const r = start('loop', { mode: 'worker', limits: { timeoutMs: 400 } });
    const status = await r.proc.exited;
    const took = performance.now() - t0;
    expect(status).toMatchObject({ code: 137, reason: 'timeout' });
    expect(took).toBeGreaterThanOrEqual(395);
    // Generous: CI runs other test files on the same two cores.
    expect(took).toBeLessThan(650);
  });

  it('delivers output while the process is still running (no batching delay)', async () => {
    const r = start('waitfile', { mode: 'worker', args: ['waitfile', '/never'] });
    let exited = false;
    void r.proc.exited.then(() => (exited = true));
    const t0 = performance.now();
    while (!r.stdout().includes('waiting') && performance.now() - t0 < 3000) await new Promise((res) => setTimeout(res, 2));
    expect(r.stdout()).toBe('waiting\n');
    expect(exited).toBe(false);
    r.proc.kill();
    expect((await r.proc.exited).code).toBe(137);
  });

  it('blocks on stdin until data arrives, and shows its output before blocking', async () => {
    const r = start('cat', { mode: 'worker', stdin: 'pipe' });
    for (let i = 0; i < 3; i++) {
      r.proc.writeStdin(enc.encode(`line ${i}\n`));
      const want = Array.from({ length: i + 1 }, (_, k) => `line ${k}\n`).join('');
      for (let t = 0; t < 200 && r.stdout() !== want; t++) await new Promise((res) => setTimeout(res, 5));
      expect(r.stdout()).toBe(want);
    }
    r.proc.endStdin();
    expect((await r.proc.exited).code).toBe(0);
  });

  it('measures start-up (printed, not asserted)', async () => {
    const cache = new ModuleCache();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = start('echo', { mode: 'worker', moduleCache: cache });
      await r.proc.exited;
      times.push(performance.now() - t0);
    }
    const inlineT0 = performance.now();
    await start('echo', { mode: 'inline', moduleCache: cache }).proc.exited;
    const inline = performance.now() - inlineT0;
    console.log(`worker process spawn→exit (TypeScript entry via tsx): ${times.map((t) => t.toFixed(1)).join(', ')} ms; inline: ${inline.toFixed(2)} ms`);
    expect(cache.stats.compiled).toBe(1);
  });
});

describe('worker process without SharedArrayBuffer (postMessage only)', () => {
  it('reads stdin given up front, writes ordered output in batches, and sends its file-system changes', async () => {
    const r = start('cat', { mode: 'worker', sharedMemory: false, stdin: enc.encode('no shared memory\n') });
    expect((await r.proc.exited).code).toBe(0);
    expect(r.stdout()).toBe('no shared memory\n');

    const piped = start('cat', { mode: 'worker', sharedMemory: false, stdin: 'pipe' });
    piped.proc.writeStdin(enc.encode('collected '));
    setTimeout(() => {
      piped.proc.writeStdin(enc.encode('first\n'));
      piped.proc.endStdin();
    }, 10);
    expect((await piped.proc.exited).code).toBe(0);
    expect(piped.stdout()).toBe('collected first\n');

    const lines = start('lines', { mode: 'worker', sharedMemory: false, args: ['lines', '20000'] });
    expect((await lines.proc.exited).code).toBe(0);
    expect(lines.stdout()).toBe(Array.from({ length: 20000 }, (_, i) => `line ${i}\n`).join(''));

    const hub = new ContainerFsHub({ top: new TreeFs() });
    const w = start('writefile', { mode: 'worker', sharedMemory: false, hub, args: ['writefile', '/note', 'posted'] });
    expect((await w.proc.exited).code).toBe(0);
    expect(dec.decode(hub.fs.readFile('/note'))).toBe('posted');
  });
});

describe('module cache', () => {
  it('compiles a program once for many processes', async () => {
    const cache = new ModuleCache();
    const runs = Array.from({ length: 4 }, (_, i) => start('echo', { mode: i % 2 ? 'worker' : 'inline', moduleCache: cache }));
    await Promise.all(runs.map((r) => r.proc.exited));
    expect(cache.stats).toMatchObject({ compiled: 1, hits: 3 });
  });
});

describe('replicated container file system', () => {
  function container(): ContainerFsHub {
    const layer = writeTar([
      { path: 'etc', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtimeMs: 0 },
      { path: 'etc/motd', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('from the image') },
    ]);
    const top = new TreeFs(mergeLayers([layerTreeFromTar(layer)]));
    return new ContainerFsHub({ top, lower: { tars: [layer] } });
  }

  it('a worker reads the image and the top layer; its writes reach the container and the next process', async () => {
    const hub = container();
    hub.fs.writeFile('/etc/top', 'top layer');
    const motd = start('readfile', { mode: 'worker', hub, args: ['readfile', '/etc/motd'] });
    const top = start('readfile', { mode: 'worker', hub, args: ['readfile', '/etc/top'] });
    await Promise.all([motd.proc.exited, top.proc.exited]);
    expect(motd.stdout()).toBe('from the image');
    expect(top.stdout()).toBe('top layer');

    const w = start('writefile', { mode: 'worker', hub, args: ['writefile', '/etc/new', 'written by a worker'] });
    expect(await w.proc.exited).toEqual({ code: 0 });
    expect(dec.decode(hub.fs.readFile('/etc/new'))).toBe('written by a worker');
    const r = start('readfile', { mode: 'worker', hub, args: ['readfile', '/etc/new'] });
    expect((await r.proc.exited).code).toBe(0);
    expect(r.stdout()).toBe('written by a worker');
    expect(hub.replicas).toBe(0);
  });

  it("a running worker sees another worker's write and the engine's write at its next call", async () => {
    const hub = container();
    const waiter = start('waitfile', { mode: 'worker', hub, args: ['waitfile', '/etc/flag'] });
    for (let t = 0; t < 400 && !waiter.stdout().includes('waiting'); t++) await new Promise((res) => setTimeout(res, 5));
    const w = start('writefile', { mode: 'worker', hub, args: ['writefile', '/etc/flag', 'raised'] });
    expect((await w.proc.exited).code).toBe(0);
    expect(await waiter.proc.exited).toEqual({ code: 0 });
    expect(waiter.stdout()).toBe('waiting\nfound raised\n');

    const waiter2 = start('waitfile', { mode: 'worker', hub, args: ['waitfile', '/etc/engine-flag'] });
    for (let t = 0; t < 400 && !waiter2.stdout().includes('waiting'); t++) await new Promise((res) => setTimeout(res, 5));
    hub.fs.writeFile('/etc/engine-flag', 'from the engine');
    expect(await waiter2.proc.exited).toEqual({ code: 0 });
    expect(waiter2.stdout()).toBe('waiting\nfound from the engine\n');
  });

  it("a sleeping worker's change reaches the engine while it runs, and the engine's answer wakes it", async () => {
    const hub = container();
    const r = start('signal', { mode: 'worker', hub, args: ['signal', '/etc/ping', '/etc/pong'] });
    let exited = false;
    void r.proc.exited.then(() => (exited = true));
    const t0 = performance.now();
    while (!hub.fs.exists('/etc/ping') && performance.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 2));
    expect(dec.decode(hub.fs.readFile('/etc/ping'))).toBe('ready');
    expect(exited).toBe(false);
    hub.fs.writeFile('/etc/pong', '');
    expect(await r.proc.exited).toEqual({ code: 0 });
  });

  it('a worker opens a bind mount itself: it reads and writes the host directory directly, read-only enforced', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'wasmbox-bind-'));
    try {
      await writeFile(join(hostDir, 'from-host'), 'host file');
      const hub = new ContainerFsHub({ top: new TreeFs(), describeMount: describeNodeMount });
      hub.mount('/mnt', new HostDirBackend(hostDir));
      const w = start('writefile', { mode: 'worker', hub, args: ['writefile', '/mnt/out', 'via bind mount'] });
      expect((await w.proc.exited).code).toBe(0);
      expect(await readFile(join(hostDir, 'out'), 'utf8')).toBe('via bind mount');
      const r = start('readfile', { mode: 'worker', hub, args: ['readfile', '/mnt/from-host'] });
      expect((await r.proc.exited).code).toBe(0);
      expect(r.stdout()).toBe('host file');
      const ro = new ContainerFsHub({ top: new TreeFs(), describeMount: describeNodeMount });
      ro.mount('/ro', new HostDirBackend(hostDir, { readOnly: true }), { readOnly: true });
      const denied = start('writefile', { mode: 'worker', hub: ro, args: ['writefile', '/ro/x', 'no'] });
      expect((await denied.proc.exited).code).toBe(1);
      expect(denied.stderr()).toMatch(/\/ro\/x: Read-only file system/);
    } finally {
      await rm(hostDir, { recursive: true, force: true });
    }
  });

  it('an inline process uses the container namespace and its changes reach running workers', async () => {
    const hub = container();
    const waiter = start('waitfile', { mode: 'worker', hub, args: ['waitfile', '/etc/inline-flag'] });
    for (let t = 0; t < 400 && !waiter.stdout().includes('waiting'); t++) await new Promise((res) => setTimeout(res, 5));
    const w = start('writefile', { mode: 'inline', hub, args: ['writefile', '/etc/inline-flag', 'inline'] });
    expect((await w.proc.exited).code).toBe(0);
    expect(await waiter.proc.exited).toEqual({ code: 0 });
    expect(waiter.stdout()).toBe('waiting\nfound inline\n');
  });
});

describe('worker entry from compiled JavaScript', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wasmbox-worker-js-'));
    // worker.js and worker-entry.js side by side, as tsc lays them out in dist/platform/node/.
    await esbuild.build({
      entryPoints: ['src/platform/node/worker.ts', 'src/platform/node/worker-entry.ts'],
      outdir: dir,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
    });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds worker-entry.js next to the compiled factory and runs a process with it', async () => {
    const mod = (await import(pathToFileURL(join(dir, 'worker.js')).href)) as typeof NodeWorkerModule;
    const entry = mod.nodeWorkerEntry();
    expect(entry.typescript).toBe(false);
    expect(entry.url.pathname.endsWith('/worker-entry.js')).toBe(true);
    const times: number[] = [];
    let out = '';
    for (let i = 0; i < 3; i++) {
      out = '';
      const t0 = performance.now();
      const proc = spawnProcess({ module: wasm.cat, args: ['cat'], mode: 'worker', workerFactory: mod.createNodeWorkerFactory(), stdin: enc.encode('compiled\n'), stdout: (c) => (out += dec.decode(c)) });
      expect((await proc.exited).code).toBe(0);
      times.push(performance.now() - t0);
    }
    expect(out).toBe('compiled\n');
    console.log(`worker process spawn→exit (compiled entry): ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
  });
});
