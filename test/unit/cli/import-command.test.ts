// `wasmbox import` in-process against a temp WASMBOX_ROOT: from a file and from stdin, with
// -c/-m, and docker's messages and exit codes for bad input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openNodeImageStore } from '../../../src/platform/node/stores.js';
import { createHarness, layerTar } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.cleanup());

describe('wasmbox import', () => {
  it('imports a file-system tar from a file with -c and -m, and from stdin untagged', async () => {
    const tar = await layerTar({ 'bin/app.wasm': 'wasm', 'etc/conf': 'x=1' });
    const file = join(h.root, 'fs.tar');
    writeFileSync(file, tar);
    const r = await h.wasmbox(['import', '-c', 'ENTRYPOINT ["/bin/app.wasm"]', '-c', 'LABEL a=b', '-m', 'first', file, 'mine:1']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^sha256:[a-f0-9]{64}\n$/);
    const store = await openNodeImageStore(h.root);
    const image = await store.resolve('mine:1');
    expect(image.id).toBe(r.stdout.trim());
    expect(image.config).toMatchObject({ os: 'wasi', architecture: 'wasm', comment: 'first', config: { Entrypoint: ['/bin/app.wasm'], Labels: { a: 'b' } } });
    expect(image.manifest.layers).toHaveLength(1);

    const piped = await h.wasmbox(['image', 'import', '-'], { stdin: tar });
    expect(piped.code).toBe(0);
    const dangling = await store.resolve(piped.stdout.trim());
    expect(dangling.repoTags).toEqual([]);
    expect(dangling.config.comment).toBe('Imported from -');
  });

  it('fails with docker-like messages: missing file, terminal stdin, bad change, bad arguments', async () => {
    const missing = await h.wasmbox(['import', join(h.root, 'nope.tar')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such file or directory');
    expect((await h.wasmbox(['import', '-'], { stdinIsTTY: true })).code).toBe(1);
    const file = join(h.root, 'fs.tar');
    writeFileSync(file, await layerTar({ a: 'a' }));
    const bad = await h.wasmbox(['import', '-c', 'COPY a b', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('COPY is not a valid change command');
    const usage = await h.wasmbox(['import']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("'wasmbox import' requires at least 1 argument");
    expect((await h.wasmbox(['import', file, 'a:1', 'extra'])).code).toBe(1);
  });
});
