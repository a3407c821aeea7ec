// `wasmbox build` in-process: a directory context with -t/--label/--build-arg/--iidfile/-q,
// the cache across runs (the JSON file under WASMBOX_ROOT), a Dockerfile or a tar on stdin,
// --progress=plain on stderr, and docker's exit statuses on failure.

import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeTar } from '../../../src/layers/tar-writer.js';
import { openNodeImageStore } from '../../../src/platform/node/stores.js';
import { createHarness } from '../cli/harness.js';
import type { Harness } from '../cli/harness.js';

describe('wasmbox build', () => {
  let h: Harness;
  let ctx: string;
  beforeEach(async () => {
    h = createHarness();
    ctx = mkdtempSync(join(tmpdir(), 'wasmbox-build-ctx-'));
    mkdirSync(join(ctx, 'src'));
    writeFileSync(join(ctx, 'src', 'hello.wasm'), 'wasm bytes');
    writeFileSync(join(ctx, 'notes.md'), 'ignored');
    writeFileSync(join(ctx, '.dockerignore'), '*.md');
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nARG WHO\nLABEL who=$WHO\nCOPY src/ /\nCOPY . /all/\nCMD ["/hello.wasm"]\n');
  });
  afterEach(() => {
    h.cleanup();
    rmSync(ctx, { recursive: true, force: true });
  });

  it('builds and tags an image, with classic output, then reuses the cache', async () => {
    const r = await h.wasmbox(['build', '-t', 'hello:1', '-t', 'hello', '--label', 'l=v', '--build-arg', 'WHO=me', '--iidfile', join(h.root, 'iid'), ctx]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Sending build context to Docker daemon {2}\d+(\.\d+)?B\nStep 1\/7 : FROM scratch\n/);
    expect(r.stdout).toMatch(/Successfully built [0-9a-f]{12}\nSuccessfully tagged hello:1\nSuccessfully tagged hello:latest\n$/);
    const store = await openNodeImageStore(h.root);
    const image = await store.resolve('hello:1');
    expect(image.config.config?.Labels).toEqual({ who: 'me', l: 'v' });
    expect(readFileSync(join(h.root, 'iid'), 'utf8')).toBe(image.id);
    const again = await h.wasmbox(['build', '-q', '-t', 'hello:1', '--label', 'l=v', '--build-arg', 'WHO=me', ctx]);
    expect(again.stdout).toBe(image.id + '\n');
    const verbose = await h.wasmbox(['build', '--label', 'l=v', '--build-arg', 'WHO=me', ctx]);
    expect(verbose.stdout.match(/ ---> Using cache/g)?.length).toBe(6);
    const files = await h.wasmbox(['history', '--no-trunc', 'hello:1']);
    expect(files.stdout).toContain('COPY dir:');
  });

  it('reads a Dockerfile from stdin, or a tar context', async () => {
    const r = await h.wasmbox(['build', '-t', 'x', '-'], { stdin: 'FROM scratch\nLABEL from=stdin\n' });
    expect(r.code).toBe(0);
    const enc = new TextEncoder();
    const tar = writeTar([
      { path: 'Dockerfile', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('FROM scratch\nCOPY f /f\n') },
      { path: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('F') },
    ]);
    const t = await h.wasmbox(['build', '-t', 'y', '-'], { stdin: tar });
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    const store = await openNodeImageStore(h.root);
    expect((await store.resolve('x')).config.config?.Labels).toEqual({ from: 'stdin' });
    expect((await store.resolve('y')).manifest.layers.length).toBe(1);
  });

  it('writes --progress=plain to stderr', async () => {
    const r = await h.wasmbox(['build', '--progress=plain', '-t', 'p', ctx]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/#\d+ \[\d\/\d\] COPY src\/ \/\n#\d+ DONE/);
    expect(r.stderr).toContain('naming to docker.io/library/p:latest done');
  });

  it('fails with exit status 1 and the line, leaving no tag', async () => {
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY ../x /\n');
    const r = await h.wasmbox(['build', '-t', 'bad', ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Dockerfile:2: COPY failed: forbidden path outside the build context: \.\.\/x/);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nRUN echo hi\n');
    const run = await h.wasmbox(['build', '-t', 'bad', ctx]);
    expect(run.code).toBe(1);
    // No /bin/sh in a scratch image: the shell cannot be found, as docker says with status 127.
    expect(run.stderr).toMatch(/The command '\/bin\/sh -c echo hi' returned a non-zero code: 127/);
    const store = await openNodeImageStore(h.root);
    await expect(store.resolve('bad')).rejects.toThrow(/No such image/);
  });

  it('reports usage errors like docker', async () => {
    const r = await h.wasmbox(['build']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/'wasmbox build' requires 1 argument/);
    const missing = await h.wasmbox(['build', join(ctx, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/unable to prepare context: path ".*nope" not found/);
  });
});
