// Benchmarks of the runner (src/runner): warm start of a hello container (inline, worker,
// the raw @bjorn3/browser_wasi_shim, node:wasi), hello containers per second, file syscalls of a
// C program over images of 1 and 50 layers, `wasmbox run --rm hello-world` as a whole process,
// and the builder's fully cached rebuild. Run alone with `npm run bench -- runner`.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { WASI as NodeWasi } from 'node:wasi';
import { Worker } from 'node:worker_threads';
import { ConsoleStdout, Directory, File, OpenFile, PreopenDirectory, WASI as ShimWasi } from '@bjorn3/browser_wasi_shim';
import type { Inode } from '@bjorn3/browser_wasi_shim';
import { build } from '../src/build/builder.js';
import { MemoryBuildCache } from '../src/build/cache.js';
import { memoryBuildContext } from '../src/build/context.js';
import { inlineRunStep } from '../src/build/inline-run-step.js';
import { MemoryContentStore } from '../src/content/memory-store.js';
import type { Digest } from '../src/content/digest.js';
import { createBuiltinImage } from '../src/image/builtin.js';
import { ImageStore, MemoryMetadataFiles } from '../src/image/image-store.js';
import type { ImageRecord } from '../src/image/image-store.js';
import { LayerStore } from '../src/layers/layer-store.js';
import { writeTar } from '../src/layers/tar-writer.js';
import { nodeProgramLoader } from '../src/platform/node/builtin-images.js';
import { closeIdleNodeWorkers, createNodeWorkerFactory } from '../src/platform/node/worker.js';
import { spawnProcess } from '../src/runner/process.js';
import { ContainerFsHub } from '../src/runner/replica/hub.js';
import { runModule } from '../src/runner/run-module.js';
import { BufferedInput, CallbackOutput } from '../src/runner/stdio.js';
import type { ExitStatus } from '../src/runner/types.js';
import type { WorkerFactory } from '../src/runner/worker/protocol.js';
import type { DirNode } from '../src/vfs/node.js';
import { forkContainerFs } from '../src/vfs/container-fs.js';
import { ensureTool } from '../test/helpers/tools.js';
import { type BenchOptions, type Row, type Table, compare, median, now, rowOf, table } from './lib.js';

const exec = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..');

interface Sizes {
  /** Calls per round of the synchronous warm-start cases. */
  warmIterations: number;
  /** Worker processes per round (each ~30 ms). */
  workerIterations: number;
  warmRounds: number;
  /** Hello containers forked, run and discarded per round. */
  helloContainers: number;
  helloRounds: number;
  /** Files the C program creates, writes, reads, stats, lists and unlinks. */
  files: number;
  fileRounds: number;
  /** Layers of the big image of the file syscall bench. */
  manyLayers: number;
  /** Whole `wasmbox run` processes per round (0: the case is skipped). */
  cliRuns: number;
  cliRounds: number;
  buildRounds: number;
}

const FULL: Sizes = {
  warmIterations: 300,
  workerIterations: 10,
  warmRounds: 7,
  helloContainers: 10_000,
  helloRounds: 5,
  files: 10_000,
  fileRounds: 5,
  manyLayers: 50,
  cliRuns: 5,
  cliRounds: 3,
  buildRounds: 5,
};
const QUICK: Sizes = {
  warmIterations: 5,
  workerIterations: 1,
  warmRounds: 1,
  helloContainers: 20,
  helloRounds: 1,
  files: 100,
  fileRounds: 1,
  manyLayers: 5,
  cliRuns: 0,
  cliRounds: 0,
  buildRounds: 1,
};

const enc = new TextEncoder();
const dec = new TextDecoder();
const discard = (): void => {};

/** The C program of the file syscall bench: times each phase itself (CLOCK_MONOTONIC) and prints ns per phase. */
const FILES_C = `#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
static long long now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static char path[512];
static const char *name(const char *dir, int i) { snprintf(path, sizeof path, "%s/file%d", dir, i); return path; }
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int n = atoi(argv[1]);
  const char *dir = argv[2];
  char data[100], buf[256];
  memset(data, 'x', sizeof data);
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) { perror(dir); return 1; }
  long long t0 = now_ns();
  for (int i = 0; i < n; i++) {
    int fd = open(name(dir, i), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) { perror(path); return 1; }
    if (write(fd, data, sizeof data) != sizeof data) { perror(path); return 1; }
    close(fd);
  }
  long long t1 = now_ns();
  for (int i = 0; i < n; i++) {
    int fd = open(name(dir, i), O_RDONLY);
    if (fd < 0) { perror(path); return 1; }
    if (read(fd, buf, sizeof buf) != sizeof data) { fprintf(stderr, "%s: short read\\n", path); return 1; }
    close(fd);
  }
  long long t2 = now_ns();
  struct stat st;
  for (int i = 0; i < n; i++) {
    if (stat(name(dir, i), &st) != 0 || st.st_size != sizeof data) { perror(path); return 1; }
  }
  long long t3 = now_ns();
  DIR *d = opendir(dir);
  if (!d) { perror(dir); return 1; }
  int seen = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) if (strncmp(e->d_name, "file", 4) == 0) seen++;
  closedir(d);
  if (seen != n) { fprintf(stderr, "readdir saw %d of %d files\\n", seen, n); return 1; }
  long long t4 = now_ns();
  for (int i = 0; i < n; i++) if (unlink(name(dir, i)) != 0) { perror(path); return 1; }
  long long t5 = now_ns();
  rmdir(dir);
  printf("create+write %lld\\nopen+read %lld\\nstat %lld\\nreaddir %lld\\nunlink %lld\\n", t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4);
  return 0;
}
`;

/** The file-syscall program, compiled with the real clang once per source text (cached under the OS temp dir). */
async function filesProgram(): Promise<Uint8Array> {
  const key = createHash('sha256').update(FILES_C).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), 'wasmbox-bench-programs');
  const out = join(cache, `files-${key}.wasm`);
  if (existsSync(out)) return new Uint8Array(await readFile(out));
  const clang = await ensureTool('clang');
  await mkdir(cache, { recursive: true });
  const src = join(cache, `files-${key}-${process.pid}.c`);
  await writeFile(src, FILES_C);
  await exec(clang, ['--target=wasm32-wasi', '-O2', '-s', '-o', `${out}.${process.pid}`, src]);
  await rename(`${out}.${process.pid}`, out);
  return new Uint8Array(await readFile(out));
}

/** The images of the bench: toolbox and hello-world built by wasmbox itself, in memory. */
interface Images {
  content: MemoryContentStore;
  images: ImageStore;
  layers: LayerStore;
  toolbox: ImageRecord;
  hello: ImageRecord;
  helloWasm: Uint8Array;
}

async function createImages(): Promise<Images> {
  const content = new MemoryContentStore();
  const images = new ImageStore({ content, files: new MemoryMetadataFiles() });
  const loadProgram = nodeProgramLoader();
  const toolbox = await createBuiltinImage(images, 'toolbox', { loadProgram });
  const hello = await createBuiltinImage(images, 'hello-world', { loadProgram });
  return { content, images, layers: new LayerStore(content), toolbox, hello, helloWasm: await loadProgram('hello-world/hello.wasm') };
}

const digestsOf = (image: ImageRecord): Digest[] => image.manifest.layers.map((l) => l.digest);

/** Our inline runner on a fresh container forked from `lower`. */
function runInline(module: WebAssembly.Module, lower: DirNode, args: string[], stdout: (d: Uint8Array) => void = discard): ExitStatus {
  const { fs } = forkContainerFs(lower);
  return runModule(module, {
    args,
    env: [],
    cwd: '/',
    fs,
    stdin: new BufferedInput(),
    stdout: new CallbackOutput(stdout),
    stderr: new CallbackOutput(discard),
  });
}

/** The raw shim over an in-memory preopened `/` holding `files`. */
function runShim(module: WebAssembly.Module, args: string[], root: () => Map<string, Inode>, stdout: (d: Uint8Array) => void = discard): number {
  const fds = [new OpenFile(new File([])), new ConsoleStdout(stdout), new ConsoleStdout(discard), new PreopenDirectory('/', root())];
  const wasi = new ShimWasi(args, [], fds, { debug: false });
  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.wasiImport });
  return wasi.start(instance as { exports: { memory: WebAssembly.Memory; _start: () => unknown } });
}

/** node:wasi with stdout to `stdoutFd`; `hostRoot` preopened as `/` when given (node:wasi leaks an fd per preopen). */
function runNodeWasi(module: WebAssembly.Module, args: string[], stdoutFd: number, hostRoot?: string): number {
  const wasi = new NodeWasi({
    version: 'preview1',
    args,
    env: {},
    ...(hostRoot === undefined ? {} : { preopens: { '/': hostRoot } }),
    stdout: stdoutFd,
    returnOnExit: true,
  });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
  return wasi.start(instance);
}

function check(what: string, code: number, stderr = ''): void {
  if (code !== 0) throw new Error(`bench: ${what} exited with ${code}${stderr ? `: ${stderr}` : ''}`);
}

/** node:wasi crashes after ~2,000 instances per process without this flag (notes/facts.md). */
function nodeWasiSafe(instances: number): boolean {
  return instances < 1500 || process.execArgv.includes('--no-turbo-fast-api-calls');
}

/** Rounds of async cases, interleaved like lib.ts's compare: median ms per call of each. */
async function compareAsync(cases: { name: string; fn: () => Promise<unknown>; calls: number }[], rounds: number): Promise<Map<string, number>> {
  for (const c of cases) await c.fn(); // warm-up
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const t0 = now();
      for (let i = 0; i < c.calls; i++) await c.fn();
      samples.get(c.name)!.push((now() - t0) / c.calls);
    }
  }
  return new Map([...samples].map(([k, v]) => [k, median(v)]));
}

// ---- 1. warm start ----

/** The floor of any worker process: a thread that starts, posts one message and is terminated. */
async function bareWorker(): Promise<void> {
  const w = new Worker("require('node:worker_threads').parentPort.postMessage(1)", { eval: true });
  await new Promise((r) => w.once('message', r));
  await w.terminate();
}

async function warmStartTable(s: Sizes, img: Images, workerFactory: WorkerFactory, workerEntry: string, workerEntryUrl?: string): Promise<Table> {
  const toolboxDigests = digestsOf(img.toolbox);
  const helloDigests = digestsOf(img.hello);
  const view = await img.layers.view([...toolboxDigests, ...helloDigests]);
  const tars = await Promise.all([...toolboxDigests, ...helloDigests].map((d) => img.content.get(d)));
  const module = new WebAssembly.Module(img.helloWasm as Uint8Array<ArrayBuffer>);
  const devNull = openSync('/dev/null', 'w');
  const shimRoot = () => new Map<string, Inode>([['hello', new File(img.helloWasm)], ['tmp', new Directory(new Map())]]);
  let out = 0;
  const counted = (d: Uint8Array): void => void (out += d.length);
  try {
    // Same output from every engine, once, before timing anything.
    out = 0;
    check('inline hello', runInline(module, view.root, ['/hello'], counted).code);
    const expected = out;
    out = 0;
    check('shim hello', runShim(module, ['/hello'], shimRoot, counted));
    if (out !== expected) throw new Error(`bench: the shim printed ${out} bytes, our runner ${expected}`);

    const syncCases = [
      { name: 'inline (runModule)', fn: () => runInline(module, view.root, ['/hello']) },
      { name: 'browser_wasi_shim', fn: () => runShim(module, ['/hello'], shimRoot) },
      { name: 'node:wasi', fn: () => runNodeWasi(module, ['/hello'], devNull) },
    ];
    const instances = s.warmIterations * (s.warmRounds + 1);
    if (!nodeWasiSafe(instances)) throw new Error('bench: run with node --no-turbo-fast-api-calls (npm run bench does), node:wasi crashes otherwise');
    const [inline, shim, nodeWasi] = compare(syncCases, { iterations: s.warmIterations, rounds: s.warmRounds, warmup: s.warmIterations });

    const hub = () => {
      const { top } = forkContainerFs(view.root);
      return new ContainerFsHub({ top, lower: { chainId: view.chainId, tars } });
    };
    // A thread started ahead and refilled after each take, as `createNodeWorkerFactory({ prewarm })` does.
    const prewarmed = createNodeWorkerFactory({ ...(workerEntryUrl === undefined ? {} : { entry: workerEntryUrl }), prewarm: 1 });
    const spawned = async (mode: 'inline' | 'worker', options: { withFs?: boolean; factory?: WorkerFactory } = {}): Promise<void> => {
      const fs = options.withFs === false ? {} : { hub: hub() };
      const p = spawnProcess({ module, args: ['/hello'], mode, workerFactory: options.factory ?? workerFactory, ...fs, stdout: discard });
      check(`${mode} spawnProcess hello`, (await p.exited).code);
    };
    const asyncMs = await compareAsync(
      [
        { name: 'inline (spawnProcess)', fn: () => spawned('inline'), calls: s.warmIterations },
        { name: 'worker (spawnProcess)', fn: () => spawned('worker'), calls: s.workerIterations },
        { name: 'worker, empty fs (no hub)', fn: () => spawned('worker', { withFs: false }), calls: s.workerIterations },
        { name: 'worker, prewarmed thread', fn: () => spawned('worker', { factory: prewarmed }), calls: s.workerIterations },
        { name: 'bare node Worker round trip', fn: bareWorker, calls: s.workerIterations },
      ],
      s.warmRounds,
    );
    const us = (name: string): Row => ({ name, value: asyncMs.get(name)! * 1000, unit: 'µs/op' });
    return table(
      'Warm start of a hello container: fork + instantiate + run (module compiled)',
      [
        rowOf(inline!, { unit: 'µs/op', vs: ['browser_wasi_shim', 'node:wasi'] }),
        { ...us('inline (spawnProcess)'), vs: ['inline (runModule)'], note: 'with a ContainerFsHub, as the engine runs it' },
        { ...us('worker (spawnProcess)'), vs: ['inline (runModule)', 'bare node Worker round trip'], note: `new worker thread per process; ${workerEntry}` },
        { ...us('worker, empty fs (no hub)'), vs: ['worker (spawnProcess)'], note: 'the share of the worker start that is not the container replica' },
        { ...us('worker, prewarmed thread'), vs: ['worker (spawnProcess)'], note: 'createNodeWorkerFactory({ prewarm: 1 }): the thread loaded its entry before the process asked' },
        { ...us('bare node Worker round trip'), note: 'reference for the worker rows: an empty worker_threads Worker that posts one message' },
        rowOf(shim!, { unit: 'µs/op', note: 'in-memory preopen `/`, { debug: false }' }),
        rowOf(nodeWasi!, { unit: 'µs/op', note: 'no preopen (it leaks an fd per preopen), stdout to /dev/null' }),
      ],
      {
        notes: [
          `The container is forked from the merged toolbox + hello-world layers (${toolboxDigests.length + helloDigests.length} layers); ` +
            `the hello module prints ${expected} bytes. node:wasi runs with --no-turbo-fast-api-calls.`,
        ],
      },
    );
  } finally {
    closeSync(devNull);
    await closeIdleNodeWorkers();
  }
}

// ---- 2. hello containers per second ----

async function helloRateTable(s: Sizes, img: Images): Promise<Table> {
  const view = await img.layers.view([...digestsOf(img.toolbox), ...digestsOf(img.hello)]);
  const module = new WebAssembly.Module(img.helloWasm as Uint8Array<ArrayBuffer>);
  const n = s.helloContainers;
  let failed = 0;
  const containers = () => {
    for (let i = 0; i < n; i++) if (runInline(module, view.root, ['/hello']).code !== 0) failed++;
  };
  const forks = () => {
    for (let i = 0; i < n; i++) forkContainerFs(view.root);
  };
  const [all, forkOnly] = compare(
    [
      { name: `fork + run + discard (${n.toLocaleString('en-US')} containers)`, fn: containers },
      { name: 'forkContainerFs only', fn: forks },
    ],
    { iterations: 1, warmup: 1, rounds: s.helloRounds, opsPerCall: n },
  );
  if (failed > 0) throw new Error(`bench: ${failed} hello containers failed`);
  const rate = Math.round(all!.opsPerSec);
  return table('Hello containers per second, inline', [
    rowOf(all!, { unit: 'µs/op', note: `${rate.toLocaleString('en-US')} containers/s (goal ≥ 2,000/s)` }),
    rowOf(forkOnly!, { unit: 'µs/op', vs: [all!.name] }),
  ]);
}

// ---- 3. file syscalls ----

const PHASES = ['create+write', 'open+read', 'stat', 'readdir', 'unlink'] as const;
type Phases = Record<(typeof PHASES)[number], number>;

function parsePhases(text: string, engine: string): Phases {
  const out = {} as Phases;
  for (const p of PHASES) {
    const m = new RegExp(`^${p.replace('+', '\\+')} (\\d+)$`, 'm').exec(text);
    if (!m) throw new Error(`bench: ${engine} printed no "${p}" time: ${JSON.stringify(text)}`);
    out[p] = Number(m[1]);
  }
  return out;
}

/** Layer i of the many-layer image: 20 files spread over shared and own directories, as a real image's layers are. */
function fillerLayer(i: number): Uint8Array {
  const files = Array.from({ length: 20 }, (_, j) => ({
    path: j % 2 === 0 ? `usr/lib/p${i}/lib${j}.so` : `usr/share/doc/p${i}/f${j}`,
    type: 'file' as const,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtimeMs: 0,
    data: enc.encode(`layer ${i} file ${j}\n`),
  }));
  return writeTar(files);
}

async function fileSyscallTables(s: Sizes, img: Images): Promise<Table[]> {
  const wasm = await filesProgram();
  const module = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  const base = [...digestsOf(img.toolbox), ...digestsOf(img.hello)];
  const fillers: Digest[] = [];
  for (let i = base.length; i < s.manyLayers; i++) fillers.push((await img.content.put(fillerLayer(i))).digest);
  const one = await img.layers.view(digestsOf(img.toolbox));
  const many = await img.layers.view([...base, ...fillers]);
  const n = s.files;
  const args = ['files', String(n), '/tmp/work'];
  const hostRoot = await mkdtemp(join(tmpdir(), 'wasmbox-bench-files-'));
  await mkdir(join(hostRoot, 'tmp'));
  const stdoutPath = join(hostRoot, 'stdout');

  const engines: { name: string; run: () => Promise<string> }[] = [
    {
      name: 'ours, 1 layer',
      run: async () => {
        let text = '';
        const st = runInline(module, one.root, args, (d) => (text += dec.decode(d)));
        check('files (ours, 1 layer)', st.code, st.message);
        return text;
      },
    },
    {
      name: `ours, ${s.manyLayers} layers`,
      run: async () => {
        let text = '';
        const st = runInline(module, many.root, args, (d) => (text += dec.decode(d)));
        check(`files (ours, ${s.manyLayers} layers)`, st.code, st.message);
        return text;
      },
    },
    {
      name: 'node:wasi (real temp dir)',
      run: async () => {
        const fd = openSync(stdoutPath, 'w');
        try {
          check('files (node:wasi)', runNodeWasi(module, args, fd, hostRoot));
        } finally {
          closeSync(fd);
        }
        return readFile(stdoutPath, 'utf8');
      },
    },
    {
      name: 'browser_wasi_shim (in memory)',
      run: async () => {
        let text = '';
        check('files (shim)', runShim(module, args, () => new Map<string, Inode>([['tmp', new Directory(new Map())]]), (d) => (text += dec.decode(d))));
        return text;
      },
    },
  ];

  try {
    const totals = new Map<string, number[]>(engines.map((e) => [e.name, []]));
    const phases = new Map<string, Phases[]>(engines.map((e) => [e.name, []]));
    for (const e of engines) await e.run(); // warm-up (and a check that each engine runs it)
    for (let r = 0; r < s.fileRounds; r++) {
      for (const e of engines) {
        const t0 = now();
        const text = await e.run();
        totals.get(e.name)!.push(((now() - t0) * 1e6) / n);
        phases.get(e.name)!.push(parsePhases(text, e.name));
      }
    }
    const perFile = (name: string, p?: (typeof PHASES)[number]): number =>
      p === undefined ? median(totals.get(name)!) / 1000 : median(phases.get(name)!.map((x) => x[p])) / n / 1000;
    const [ours1, oursMany, nodeWasi, shim] = engines.map((e) => e.name) as [string, string, string, string];
    const total = table(
      `File syscalls of a C program: ${n.toLocaleString('en-US')} files created+written, read, stat'ed, listed, unlinked (whole process)`,
      [
        { name: ours1, value: perFile(ours1), unit: 'µs/file', vs: [nodeWasi, shim], note: `goal ≤ 1.00× node:wasi, ≤ 1.25× shim` },
        { name: oursMany, value: perFile(oursMany), unit: 'µs/file', vs: [ours1, nodeWasi, shim] },
        { name: nodeWasi, value: perFile(nodeWasi), unit: 'µs/file' },
        { name: shim, value: perFile(shim), unit: 'µs/file' },
      ],
      {
        notes: [
          `Time per file of all five phases, start of the process included; the program works in /tmp/work. The ${s.manyLayers}-layer image is ` +
            `toolbox + hello-world + ${fillers.length} layers of 20 files each. Goals as speed: ≥ 1.0× node:wasi, ≥ 0.8× the shim.`,
        ],
      },
    );
    const phaseRows: Row[] = [];
    for (const p of PHASES) {
      const ref = (engine: string) => `${p}: ${engine}`;
      phaseRows.push(
        { name: ref('ours'), value: perFile(ours1, p) * 1000, unit: 'ns/file', vs: [ref('node:wasi'), ref('shim')] },
        { name: ref('node:wasi'), value: perFile(nodeWasi, p) * 1000, unit: 'ns/file' },
        { name: ref('shim'), value: perFile(shim, p) * 1000, unit: 'ns/file' },
      );
    }
    const byPhase = table(`File syscalls by phase (${n.toLocaleString('en-US')} files, timed by the program; ours = 1-layer image)`, phaseRows);
    return [total, byPhase];
  } finally {
    await rm(hostRoot, { recursive: true, force: true });
  }
}

// ---- 4. `wasmbox run --rm hello-world` as a process ----

/** `npm run build` (dist/ for the CLI and the compiled worker entry); the error's first lines when it fails. */
async function buildDist(): Promise<string | undefined> {
  try {
    await exec('npm', ['run', 'build'], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
    return undefined;
  } catch (e) {
    const out = String((e as { stdout?: unknown }).stdout ?? e);
    return out.split('\n').filter((l) => l.includes('error')).slice(0, 3).join('; ') || 'npm run build failed';
  }
}

async function cliTable(s: Sizes, buildError: string | undefined): Promise<Table> {
  const title = '`wasmbox run --rm hello-world` as a whole process';
  const nodeOnly = async (): Promise<number> => {
    const t0 = now();
    await exec(process.execPath, ['-e', '0']);
    return now() - t0;
  };
  const skipped = async (why: string): Promise<Table> => {
    console.error(`[bench] runner: skipped ${title}: ${why}`);
    const ms = median([await nodeOnly(), await nodeOnly(), await nodeOnly()]);
    return table(title, [{ name: 'node -e 0', value: ms, unit: 'ms' }], { notes: [`\`wasmbox run\` skipped: ${why}.`] });
  };
  if (!existsSync(join(REPO, 'src/cli/commands/run.ts'))) return skipped('the `run` command (src/cli/commands/run.ts) is not there yet');
  if (s.cliRuns === 0) return skipped('quick mode (it needs `npm run build`)');
  if (buildError !== undefined) return skipped(`npm run build failed: ${buildError}`);
  const root = await mkdtemp(join(tmpdir(), 'wasmbox-bench-cli-'));
  const env = { ...process.env, WASMBOX_ROOT: root };
  const wasmbox = async (): Promise<number> => {
    const t0 = now();
    const { stdout } = await exec(process.execPath, [join(REPO, 'bin/wasmbox.js'), 'run', '--rm', 'hello-world'], { env, cwd: root });
    const dt = now() - t0;
    if (!stdout.includes('Hello from wasmbox!')) throw new Error(`bench: wasmbox run --rm hello-world printed ${JSON.stringify(stdout.slice(0, 200))}`);
    return dt;
  };
  try {
    try {
      await wasmbox(); // creates the image in the store: not timed
    } catch (e) {
      // The file may exist before the command is registered in the program.
      const stderr = String((e as { stderr?: unknown }).stderr);
      if (stderr.includes("unknown command 'run'")) return await skipped('the CLI does not register `run` yet');
      if (stderr.includes('no container service')) return await skipped('the engine has no container service yet');
      throw e;
    }
    await nodeOnly();
    const samples = { node: [] as number[], wasmbox: [] as number[] };
    for (let r = 0; r < s.cliRounds; r++) {
      for (let i = 0; i < s.cliRuns; i++) samples.node.push(await nodeOnly());
      for (let i = 0; i < s.cliRuns; i++) samples.wasmbox.push(await wasmbox());
    }
    return table(
      title,
      [
        { name: 'node -e 0', value: median(samples.node), unit: 'ms' },
        { name: 'wasmbox run --rm hello-world', value: median(samples.wasmbox), unit: 'ms', vs: ['node -e 0'] },
      ],
      { notes: [`Median of ${s.cliRuns * s.cliRounds} runs each, after \`npm run build\`; the image is in a fresh WASMBOX_ROOT, created once before timing.`] },
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

// ---- builder: cached rebuild ----

async function buildTable(s: Sizes, img: Images): Promise<Table> {
  const dockerfileText = 'FROM toolbox\nWORKDIR /app\nCOPY . /app/\nRUN cat /app/a.txt /app/b.txt > /app/ab.txt\nENV MODE=bench\nCMD ["cat", "/app/ab.txt"]\n';
  const context = memoryBuildContext({ 'a.txt': 'A\n', 'b.txt': 'B\n', 'sub/c.txt': 'C\n' });
  const first: number[] = [];
  const cached: number[] = [];
  for (let r = 0; r < s.buildRounds; r++) {
    const cache = new MemoryBuildCache();
    const opts = { images: img.images, layers: img.layers, context, dockerfileText, cache, runStep: inlineRunStep(), tags: [`bench:${r}`] };
    let t0 = now();
    const a = await build(opts);
    first.push(now() - t0);
    t0 = now();
    const b = await build(opts);
    cached.push(now() - t0);
    if (b.imageId !== a.imageId || b.cachedSteps !== b.steps) {
      throw new Error(`bench: the rebuild was not fully cached (${b.cachedSteps}/${b.steps} steps; ${a.imageId} vs ${b.imageId})`);
    }
  }
  return table('Builder: a small Dockerfile FROM toolbox (COPY, RUN, ENV, CMD), in memory', [
    { name: 'first build', value: median(first), unit: 'ms' },
    { name: 'second build, fully cached', value: median(cached), unit: 'ms', vs: ['first build'] },
  ]);
}

export async function run(options: BenchOptions = {}): Promise<Table[]> {
  const s = options.quick ? QUICK : FULL;
  const img = await createImages();
  // The full run builds dist/ (for the CLI case), so workers load the compiled entry as an
  // installed wasmbox does; from the sources each worker would first transpile the runner with tsx.
  const buildError = s.cliRuns > 0 ? await buildDist() : 'quick mode';
  const compiledEntry = join(REPO, 'dist/platform/node/worker-entry.js');
  const useDist = buildError === undefined && existsSync(compiledEntry);
  const workerFactory = createNodeWorkerFactory(useDist ? { entry: compiledEntry } : {});
  const tables: Table[] = [];
  tables.push(
    await warmStartTable(s, img, workerFactory, useDist ? 'bundled worker entry (dist/, one file)' : 'worker entry from the TypeScript sources (tsx)', useDist ? compiledEntry : undefined),
  );
  tables.push(await helloRateTable(s, img));
  tables.push(...(await fileSyscallTables(s, img)));
  tables.push(await cliTable(s, buildError));
  tables.push(await buildTable(s, img));
  return tables;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { markdown } = await import('./lib.js');
  for (const t of await run({ quick: process.argv.includes('--quick') })) console.log(markdown(t));
}
