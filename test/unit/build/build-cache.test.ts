// The build cache and reproducibility: an unchanged rebuild reuses every step, a changed
// file reruns the steps from its COPY on, --no-cache reruns all, the same Dockerfile built
// from scratch twice gives the same layers; and the contexts and cache index on Node.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync, symlinkSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../../src/build/builder.js';
import { cachedBlobs } from '../../../src/build/cache.js';
import { memoryBuildContext, tarBuildContext } from '../../../src/build/context.js';
import { writeTar } from '../../../src/layers/tar-writer.js';
import { gzip } from '../../../src/layers/compression.js';
import { directoryBuildContext } from '../../../src/platform/node/build-context.js';
import { NodeFileBuildCache } from '../../../src/platform/node/build-cache-file.js';
import { IgnoreMatcher } from '../../../src/build/dockerignore.js';
import { createHarness } from './harness.js';

const DOCKERFILE = 'FROM base:1\nENV A=1\nCOPY a.txt /a\nRUN echo $A > /r\nCOPY b.txt /b\nCMD ["x"]';

function usingCache(output: string[]): number[] {
  const steps: number[] = [];
  let current = 0;
  for (const line of output.join('').split('\n')) {
    const m = /^Step (\d+)\//.exec(line);
    if (m) current = Number(m[1]);
    if (line === ' ---> Using cache') steps.push(current);
  }
  return steps;
}

describe('build cache', () => {
  it('reuses every step of an unchanged build, quickly', async () => {
    const h = await createHarness();
    const files = { 'a.txt': 'A', 'b.txt': 'B' };
    const first = await h.build(DOCKERFILE, files, { tags: ['c:1'] });
    expect(first.cachedSteps).toBe(0);
    h.output.length = 0;
    const t0 = performance.now();
    const second = await h.build(DOCKERFILE, files, { tags: ['c:1'] });
    const ms = performance.now() - t0;
    console.log(`cached rebuild of ${second.steps} steps: ${ms.toFixed(1)} ms`);
    expect(second.cachedSteps).toBe(5);
    expect(usingCache(h.output)).toEqual([2, 3, 4, 5, 6]);
    expect(second.imageId).toBe(first.imageId);
    expect(h.log.calls.length).toBe(1);
  });

  it('reruns from the step whose input changed', async () => {
    const h = await createHarness();
    await h.build(DOCKERFILE, { 'a.txt': 'A', 'b.txt': 'B' });
    h.output.length = 0;
    await h.build(DOCKERFILE, { 'a.txt': 'A', 'b.txt': 'changed' });
    expect(usingCache(h.output)).toEqual([2, 3, 4]);
    h.output.length = 0;
    await h.build(DOCKERFILE, { 'a.txt': 'changed', 'b.txt': 'changed' });
    expect(usingCache(h.output)).toEqual([2]);
    // A changed mode is a change too.
    h.output.length = 0;
    await h.build(DOCKERFILE, { 'a.txt': { data: 'changed', mode: 0o755 }, 'b.txt': 'changed' });
    expect(usingCache(h.output)).toEqual([2]);
  });

  it('keys on build args used by RUN', async () => {
    const h = await createHarness();
    const df = 'FROM base:1\nARG V\nRUN echo $V > /v';
    await h.build(df, {}, { buildArgs: { V: '1' } });
    h.output.length = 0;
    await h.build(df, {}, { buildArgs: { V: '2' } });
    // `ARG V` itself is the same step; the RUN that sees V=2 is not.
    expect(usingCache(h.output)).toEqual([2]);
    h.output.length = 0;
    await h.build(df, {}, { buildArgs: { V: '1' } });
    expect(usingCache(h.output)).toEqual([2, 3]);
  });

  it('--no-cache runs every step', async () => {
    const h = await createHarness();
    await h.build(DOCKERFILE, { 'a.txt': 'A', 'b.txt': 'B' });
    h.output.length = 0;
    const r = await h.build(DOCKERFILE, { 'a.txt': 'A', 'b.txt': 'B' }, { noCache: true });
    expect(r.cachedSteps).toBe(0);
    expect(usingCache(h.output)).toEqual([]);
  });

  it('protects cached intermediate images from a prune of blobs', async () => {
    const h = await createHarness();
    await h.build(DOCKERFILE, { 'a.txt': 'A', 'b.txt': 'B' });
    await h.images.prune({ keep: await cachedBlobs(h.cache) });
    h.output.length = 0;
    await h.build(DOCKERFILE, { 'a.txt': 'A', 'b.txt': 'B' });
    expect(usingCache(h.output)).toEqual([2, 3, 4, 5, 6]);
    // Without keep, the intermediates go, and the cache entries are ignored (not trusted).
    await h.images.remove(( await h.images.list()).find((i) => i.repoTags.length === 0)!.id);
    await h.images.prune();
    h.output.length = 0;
    await h.build(DOCKERFILE, { 'a.txt': 'A', 'b.txt': 'B' });
    expect(usingCache(h.output)).toEqual([]);
  });
});

describe('reproducible builds', () => {
  it('gives the same layer digests from scratch twice, and the same image id with SOURCE_DATE_EPOCH', async () => {
    const results = [];
    for (let i = 0; i < 2; i++) {
      const h = await createHarness();
      const r = await h.build(DOCKERFILE, { 'a.txt': 'A', 'b.txt': 'B' }, { tags: ['r:1'], sourceDateEpoch: 1700000000, now: () => Date.now() + i * 5000 });
      const record = await h.images.resolve('r:1');
      results.push({ id: r.imageId, layers: record.manifest.layers.map((l) => l.digest), created: record.config.created });
    }
    expect(results[0]!.layers).toEqual(results[1]!.layers);
    expect(results[0]!.id).toBe(results[1]!.id);
    expect(results[0]!.created).toBe('2023-11-14T22:13:20.000Z');
  });

  it('gives the same layers without SOURCE_DATE_EPOCH (mtimes are clamped to 0)', async () => {
    const digests = [];
    for (let i = 0; i < 2; i++) {
      const h = await createHarness();
      await h.build(DOCKERFILE, { 'a.txt': 'A', 'b.txt': 'B' }, { tags: ['r:1'] });
      digests.push((await h.images.resolve('r:1')).manifest.layers.map((l) => l.digest));
    }
    expect(digests[0]).toEqual(digests[1]);
  });
});

describe('build contexts', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('reads a tar context (plain or gzip), refusing entries outside it', async () => {
    const enc = new TextEncoder();
    const tar = writeTar([
      { path: 'Dockerfile', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('FROM base:1\nCOPY . /app/') },
      { path: 'src/x', type: 'file', mode: 0o755, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('X') },
      { path: 'src/l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtimeMs: 0, linkpath: 'x' },
    ]);
    for (const blob of [tar, await gzip(tar)]) {
      const h = await createHarness();
      await h.build('', {}, { context: await tarBuildContext(blob), tags: ['t:1'] });
      const img = await h.image('t:1');
      expect(img.read('/app/src/x')).toBe('X');
      expect(img.fs.stat('/app/src/x').mode).toBe(0o755);
      expect(img.fs.readlink('/app/src/l')).toBe('x');
    }
    const evil = writeTar([{ path: '../evil', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('x') }]);
    await expect(tarBuildContext(evil)).rejects.toThrow(/outside the build context/);
  });

  it('reads a directory context on Node, skipping directories .dockerignore excludes whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmbox-ctx-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'node_modules/pkg'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/pkg/index.js'), 'x');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM base:1\nCOPY . /app/');
    writeFileSync(join(dir, '.dockerignore'), 'node_modules');
    writeFileSync(join(dir, 'main.c'), 'int main;');
    symlinkSync('main.c', join(dir, 'link'));
    const ignore = IgnoreMatcher.fromFile('node_modules');
    const context = directoryBuildContext(dir, { skipDirectory: (p) => ignore.skipsDirectory(p) });
    expect((await context.list()).map((e) => e.path)).toEqual(['.dockerignore', 'Dockerfile', 'link', 'main.c']);
    const h = await createHarness();
    await h.build('', {}, { context, tags: ['d:1'] });
    const img = await h.image('d:1');
    expect(img.read('/app/main.c')).toBe('int main;');
    expect(img.fs.readlink('/app/link')).toBe('main.c');
    await expect(context.read('nope')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps the cache index in a JSON file that a new process reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmbox-cache-'));
    dirs.push(dir);
    const path = join(dir, 'build-cache.json');
    const h = await createHarness();
    const files = { Dockerfile: DOCKERFILE, 'a.txt': 'A', 'b.txt': 'B' };
    await build({ images: h.images, layers: h.layers, context: memoryBuildContext(files), cache: new NodeFileBuildCache(path), runStep: async () => 0 });
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8'))).length).toBe(5);
    const r = await build({ images: h.images, layers: h.layers, context: memoryBuildContext(files), cache: new NodeFileBuildCache(path) });
    expect(r.cachedSteps).toBe(5);
    // A corrupt file is an empty cache, not a failed build.
    writeFileSync(path, '{not json');
    const r2 = await build({ images: h.images, layers: h.layers, context: memoryBuildContext(files), cache: new NodeFileBuildCache(path), runStep: async () => 0 });
    expect(r2.cachedSteps).toBe(0);
  });
});
