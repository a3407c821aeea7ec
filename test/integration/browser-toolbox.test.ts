// The runner in real Chromium through the browser bundle (dist-style wasmbox.js plus its
// process worker wasmbox-worker.js): built-in images assembled from programs fetched over
// HTTP, hello-world inline, the built-in shell over real toolbox programs, and worker
// processes in a crossOriginIsolated page. The same scenario runs in Node; results must agree.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBrowser } from '../../scripts/build-browser.mjs';
import { BUILTIN_FILES } from '../../src/image/index.js';
import * as wasmbox from '../../src/platform/node/index.js';
import { createNodeWorkerFactory } from '../../src/platform/node/worker.js';
import { openChromium } from '../helpers/chromium.js';
import type { ChromiumSession } from '../helpers/chromium.js';
import { runToolboxScenario } from './browser-toolbox-scenario.js';
import type { ToolboxScenarioResult } from './browser-toolbox-scenario.js';

const PAGE = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>wasmbox runner in a page</title>
<script type="module">
  import * as wasmbox from './wasmbox.js';
  import { runToolboxScenario } from './scenario.js';
  window.runScenario = () =>
    runToolboxScenario(wasmbox, {
      loadProgram: wasmbox.fetchProgramLoader(new URL('./images/', location.href)),
      workerFactory: wasmbox.createBrowserWorkerFactory(new URL('./wasmbox-worker.js', location.href)),
    });
  window.wasmboxReady = true;
</script>
`;

type PageWindow = typeof globalThis & {
  runScenario: () => Promise<ToolboxScenarioResult>;
  wasmboxReady?: boolean;
  crossOriginIsolated: boolean;
};

let out: string;
let session: ChromiumSession;
let nodeResult: ToolboxScenarioResult;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'wasmbox-browser-toolbox-'));
  const bundle = await buildBrowser({ outfile: join(out, 'wasmbox.js') });
  expect(bundle.workerOutfile).toBe(join(out, 'wasmbox-worker.js'));
  expect([...bundle.inputs, ...(bundle.workerInputs ?? [])].filter((i) => i.startsWith('node:'))).toEqual([]);
  const scenario = await buildBrowser({ entry: 'test/integration/browser-toolbox-scenario.ts', outfile: join(out, 'scenario.js') });
  // The scenario must use the page's bundle, not a second copy of src/ inside it.
  expect(scenario.inputs).toEqual(['test/integration/browser-toolbox-scenario.ts']);
  await writeFile(join(out, 'index.html'), PAGE);
  const images: Record<string, Uint8Array> = {};
  for (const file of [BUILTIN_FILES.hello, BUILTIN_FILES.toolbox, BUILTIN_FILES.toolboxApplets]) {
    images[`/images/${file}`] = await readFile(join(wasmbox.builtinImagesDir(), file));
  }
  session = await openChromium({ root: out, files: images });
  await session.page
    .waitForFunction(() => (window as unknown as PageWindow).wasmboxReady === true, undefined, { timeout: 10_000 })
    .catch((e: unknown) => {
      throw new Error(`the page did not load the bundle: ${session.errors.join('\n') || String(e)}`);
    });
  nodeResult = await runToolboxScenario(wasmbox, { loadProgram: wasmbox.nodeProgramLoader(), workerFactory: createNodeWorkerFactory() });
}, 120_000);

afterAll(async () => {
  await session?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

describe('the runner in Chromium', () => {
  let page: ToolboxScenarioResult;

  beforeAll(async () => {
    expect(await session.page.evaluate(() => crossOriginIsolated)).toBe(true);
    page = await session.page.evaluate(() => (window as unknown as PageWindow).runScenario());
    expect(session.errors).toEqual([]);
  }, 60_000);

  it('assembles the built-in images with the same ids as Node', () => {
    expect(page.imageIds).toEqual(nodeResult.imageIds);
    expect(page.imageIds.hello).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('runs hello-world inline', () => {
    expect(page.hello.status).toBe(0);
    expect(page.hello.stdout).toContain('Hello from wasmbox!');
    expect(page.hello).toEqual(nodeResult.hello);
  });

  it('runs the built-in shell over real toolbox programs', () => {
    const s = page.shell;
    expect(s['pipeline']).toEqual({ stdout: 'a\nb\n', stderr: '', status: 0 });
    expect(Number(s['countBin']!.stdout)).toBeGreaterThanOrEqual(40);
    expect(s['setE']).toEqual({ stdout: '', stderr: '', status: 1 });
    // A file written by one command (and one script) is read by the next.
    expect(s['readFile']).toEqual({ stdout: '14\nHELLO WASMBOX\nf\ng\n', stderr: '', status: 0 });
    expect(s['sedXargs']!.stdout).toBe('2 3 4\n');
    expect(s['uniq']!.stdout).toBe('      1 a\n      2 b\n');
    expect(s['date']!.stdout).toBe('1970-01-01\n');
    expect(s['notFound']).toEqual({ stdout: 'status 127\n', stderr: 'sh: nosuch: not found\n', status: 0 });
    expect(s).toEqual(nodeResult.shell);
    expect(page.coldHost).toEqual({ stdout: 'cold\n', stderr: '', status: 0 });
  });

  it('runs processes in workers that see the image and write to the container', () => {
    expect(page.worker.hello).toEqual(page.hello);
    expect(page.worker.ls.stdout.split('\n')).toEqual(expect.arrayContaining(['ls', 'sh', 'toolbox', 'xargs']));
    expect(page.worker.tee).toEqual({ stdout: 'written by a worker\n', stderr: '', status: 0 });
    expect(page.worker.teeFile).toBe('written by a worker\n');
    expect(page.worker.sameInline).toBe(true);
    expect(page.worker).toEqual(nodeResult.worker);
  });
});
