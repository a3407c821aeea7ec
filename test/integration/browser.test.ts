// The browser build in real Chromium: the bundle builds without any Node builtin, loads in a
// crossOriginIsolated page, and the scenario of browser-scenario.ts gives the same result in
// the page (against dist/browser/wasmbox.js) as in Node (against src/).

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBrowser } from '../../scripts/build-browser.mjs';
import * as wasmbox from '../../src/index.js';
import { openChromium } from '../helpers/chromium.js';
import type { ChromiumSession } from '../helpers/chromium.js';
import { buildFixtureArchive, FIXTURE_REF } from './browser-fixture.js';
import { runScenario } from './browser-scenario.js';
import type { ScenarioInput, ScenarioResult } from './browser-scenario.js';

const PAGE = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>wasmbox browser test</title>
<script type="module">
  import * as wasmbox from './wasmbox.js';
  import { runScenario } from './scenario.js';
  window.wasmbox = wasmbox;
  window.runScenario = runScenario;
  window.wasmboxReady = true;
</script>
`;

type PageWindow = typeof globalThis & {
  wasmbox: typeof wasmbox;
  runScenario: typeof runScenario;
  wasmboxReady?: boolean;
};

async function scenarioInput(): Promise<ScenarioInput> {
  return { blob: new TextEncoder().encode('hello from wasmbox\n'), archive: await buildFixtureArchive(), ref: FIXTURE_REF };
}

/** The merged lower tree of the fixture, as `umoci raw unpack` extracts it. */
const EXPECTED_LOWER = {
  '/bin': 'dir',
  '/bin/app.wasm': '\0asm\x01\0\0\0',
  '/etc': 'dir',
  '/etc/hello.txt': 'hello v2\n',
  '/etc/motd': '-> hello.txt',
  '/opt': 'dir',
  '/opt/old': 'dir',
  '/opt/old/b.txt': 'b\n',
  '/usr': 'dir',
  '/usr/share': 'dir',
  '/usr/share/doc.txt': 'documentation\n',
};

const EXPECTED_AFTER = {
  '/bin': 'dir',
  '/etc': 'dir',
  '/etc/hello.txt': 'changed in the container\n',
  '/etc/motd': '-> hello.txt',
  '/etc/new.txt': 'new and appended\n',
  '/opt': 'dir',
  '/opt/b.txt': 'b\n',
  '/opt/old': 'dir',
  '/result': '-> /work/out/result.txt',
  '/usr': 'dir',
  '/work': 'dir',
  '/work/out': 'dir',
  '/work/out/result.txt': 'result\n',
};

/** The container's changes as an OCI layer: whiteouts for what it deleted. */
const EXPECTED_DIFF = [
  'bin/',
  'bin/.wh.app.wasm',
  'etc/',
  'etc/hello.txt',
  'etc/new.txt',
  'opt/',
  'opt/b.txt',
  'opt/old/',
  'opt/old/.wh.b.txt',
  'result',
  'usr/',
  'usr/.wh.share',
  'work/',
  'work/out/',
  'work/out/result.txt',
];

let out: string;
let session: ChromiumSession;
let input: ScenarioInput;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'wasmbox-browser-'));
  const bundle = await buildBrowser({ outfile: join(out, 'wasmbox.js') });
  expect(bundle.inputs.some((i) => i.startsWith('node:'))).toBe(false);
  const scenario = await buildBrowser({ entry: 'test/integration/browser-scenario.ts', outfile: join(out, 'scenario.js') });
  // The scenario must use the page's wasmbox bundle, not a second copy of src/ inside it.
  expect(scenario.inputs).toEqual(['test/integration/browser-scenario.ts']);
  await writeFile(join(out, 'index.html'), PAGE);
  input = await scenarioInput();
  session = await openChromium({ root: out, files: { '/fixture.tar': input.archive } });
  await session.page
    .waitForFunction(() => (window as unknown as PageWindow).wasmboxReady === true, undefined, { timeout: 10_000 })
    .catch((e: unknown) => {
      throw new Error(`the page did not load the bundle: ${session.errors.join('\n') || String(e)}`);
    });
}, 120_000);

afterAll(async () => {
  await session?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

describe('browser build', () => {
  it('refuses a module that imports a Node builtin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasmbox-badentry-'));
    try {
      await writeFile(join(dir, 'bad.ts'), "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n");
      await expect(buildBrowser({ entry: join(dir, 'bad.ts'), outfile: join(dir, 'out.js') })).rejects.toThrow(
        /imports the Node builtin "node:fs"/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes an ESM bundle with a source map', async () => {
    const js = await readFile(join(out, 'wasmbox.js'), 'utf8');
    expect(js).toMatch(/\/\/# sourceMappingURL=wasmbox\.js\.map\s*$/);
    expect(js).toMatch(/^export \{/m);
    expect(js).not.toMatch(/\brequire\(["']node:/);
  });
});

describe('in Chromium', () => {
  it('the page is crossOriginIsolated and has SharedArrayBuffer', async () => {
    const got = await session.page.evaluate(() => ({
      isolated: globalThis.crossOriginIsolated,
      sab: typeof SharedArrayBuffer,
    }));
    expect(got).toEqual({ isolated: true, sab: 'function' });
  });

  it('runs the scenario (content store, image load, union fs) with the same result as Node', async () => {
    const inNode = await runScenario(wasmbox, input);
    // What Node must get, so that agreement between the two runs means something.
    expect(inNode.content).toMatchObject({
      digest: 'sha256:' + createHash('sha256').update(input.blob).digest('hex'),
      size: input.blob.length,
      roundTrip: true,
      mismatchCode: 'DIGEST_MISMATCH',
      storedAfterMismatch: false,
    });
    expect(inNode.content.streamedDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(inNode.content.listed).toHaveLength(2);
    expect(inNode.image).toMatchObject({
      loaded: [{ repoTags: [FIXTURE_REF] }],
      os: 'wasi',
      architecture: 'wasm',
      layerCount: 2,
      diffIdsMatchConfig: true,
      lower: EXPECTED_LOWER,
      after: EXPECTED_AFTER,
      diff: EXPECTED_DIFF,
      siblingUnchanged: true,
      lowerUnchanged: true,
    });
    expect(inNode.image.reads).toEqual({
      '/etc/hello.txt': 'hello v2\n',
      '/etc/motd (follows the symlink)': 'hello v2\n',
      '/../../etc/hello.txt (.. stays in the root)': 'hello v2\n',
      'realpath /etc/motd': '/etc/hello.txt',
      'readdir /opt/old (opaque in layer 2)': 'b.txt',
    });
    expect(Object.values(inNode.image.errors)).toEqual(['ENOENT', 'ENOENT', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR']);
    expect(inNode.image.reexportedId).toBe(inNode.image.id);

    const inPage: ScenarioResult = await session.page.evaluate(
      async ({ blob, ref }) => {
        const w = window as unknown as PageWindow;
        const archive = new Uint8Array(await (await fetch('/fixture.tar')).arrayBuffer());
        return w.runScenario(w.wasmbox, { blob: new Uint8Array(blob), archive, ref });
      },
      { blob: Array.from(input.blob), ref: input.ref },
    );
    expect(session.errors).toEqual([]);
    expect(inPage).toEqual(inNode);
  });
});
