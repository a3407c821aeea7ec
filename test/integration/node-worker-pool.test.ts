// Process worker threads started ahead (src/platform/node/worker.ts): a prewarmed thread is the
// one the next process takes, a factory with `prewarm` refills after each take, a thread that
// failed while idle still reports its failure to the process that takes it, and workers do not
// inherit the parent's module-loader flags.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeIdleNodeWorkers,
  createNodeWorkerFactory,
  idleNodeWorkers,
  prewarmNodeWorkers,
  workerExecArgv,
} from '../../src/platform/node/worker.js';
import { spawnProcess } from '../../src/runner/process.js';
import { program } from '../helpers/runner-programs.js';

const dec = new TextDecoder();

const echoModule = new WebAssembly.Module((await program('echo')) as Uint8Array<ArrayBuffer>);

/** Takes a thread from `factory` at once (synchronously); resolves when the process ended. */
async function echo(factory: ReturnType<typeof createNodeWorkerFactory>): Promise<{ code: number; out: string }> {
  let out = '';
  const p = spawnProcess({ module: echoModule, args: ['echo', 'warm'], mode: 'worker', workerFactory: factory, stdout: (d) => (out += dec.decode(d)) });
  return { code: (await p.exited).code, out };
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

afterEach(async () => {
  await closeIdleNodeWorkers();
});

describe('node worker pool', () => {
  it('a prewarmed thread is taken by the next process, which runs normally', async () => {
    prewarmNodeWorkers(1);
    prewarmNodeWorkers(1); // already one idle: no second thread
    expect(idleNodeWorkers()).toBe(1);
    const factory = createNodeWorkerFactory();
    const run = echo(factory);
    expect(idleNodeWorkers()).toBe(0);
    expect(await run).toMatchObject({ code: 7, out: expect.stringContaining('arg warm') });
    // Nothing refills without `prewarm`.
    expect(idleNodeWorkers()).toBe(0);
  }, 30_000);

  it('a factory with prewarm keeps that many threads ready', async () => {
    const factory = createNodeWorkerFactory({ prewarm: 2 });
    expect(idleNodeWorkers()).toBe(2);
    const first = echo(factory);
    expect(idleNodeWorkers()).toBe(1);
    await until(() => idleNodeWorkers() === 2);
    expect(idleNodeWorkers()).toBe(2);
    expect((await first).code).toBe(7); // the echo program's own status
    expect((await echo(factory)).code).toBe(7);
  }, 30_000);

  it('a thread that failed while idle reports it to the process that takes it', async () => {
    const entry = new URL('data:text/javascript,' + encodeURIComponent('throw new Error("entry exploded")'));
    prewarmNodeWorkers(1, { entry });
    await new Promise((r) => setTimeout(r, 500));
    const p = spawnProcess({ module: echoModule, args: ['echo'], mode: 'worker', workerFactory: createNodeWorkerFactory({ entry }) });
    const status = await p.exited;
    expect(status.code).toBe(125);
    expect(status.message).toContain('entry exploded');
  }, 30_000);

  it('drops module-loader flags from the worker execArgv, keeps the others', () => {
    expect(
      workerExecArgv(['--import', 'tsx', '--no-turbo-fast-api-calls', '--require=./x.cjs', '-r', 'y', '--expose-gc', '--loader', 'l.mjs', '--experimental-loader=z']),
    ).toEqual(['--no-turbo-fast-api-calls', '--expose-gc']);
  });

  it('starts workers from a process run with V8 flags (which Worker refuses in an explicit execArgv)', () => {
    // What `npm run bench` does: node --expose-gc --no-turbo-fast-api-calls. The flags are
    // kept for the thread only where Node allows them; the worker must start either way.
    const script = [
      "import { readFileSync } from 'node:fs';",
      `import { createNodeWorkerFactory } from ${JSON.stringify(new URL('../../src/platform/node/worker.ts', import.meta.url).pathname)};`,
      `import { spawnProcess } from ${JSON.stringify(new URL('../../src/runner/index.ts', import.meta.url).pathname)};`,
      `const bytes = readFileSync(${JSON.stringify(new URL('../../images/hello-world/hello.wasm', import.meta.url).pathname)});`,
      "let out = '';",
      "const p = spawnProcess({ module: bytes, args: ['/hello'], mode: 'worker', workerFactory: createNodeWorkerFactory({ prewarm: 1 }), stdout: (c) => (out += new TextDecoder().decode(c)) });",
      'const status = await p.exited;',
      'console.log(status.code, out.includes("Hello from wasmbox!"));',
      'process.exit(0);',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--expose-gc', '--no-turbo-fast-api-calls', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toContain('ERR_WORKER_INVALID_EXEC_ARGV');
    expect(r.stdout.trim()).toBe('0 true');
  }, 90_000);
});
