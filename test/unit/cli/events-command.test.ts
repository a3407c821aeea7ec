// `wasmbox events` as a client of a daemon (the API in-process through the client's
// in-memory transport): docker's default line, --filter, --format, and the refusal without
// a daemon.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../../src/api/index.js';
import { ApiClient, inProcessTransport } from '../../../src/api/client.js';
import { createCliContext } from '../../../src/cli/context.js';
import { eventLine } from '../../../src/cli/commands/events.js';
import { run } from '../../../src/cli/program.js';
import type { Engine } from '../../../src/engine/engine.js';
import { openNodeEngine } from '../../../src/platform/node/engine.js';
import { Capture, createHarness } from './harness.js';

let root: string;
let engine: Engine;
let client: ApiClient;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wasmbox-events-'));
  engine = await openNodeEngine(root, { processMode: 'inline' });
  client = new ApiClient(inProcessTransport(createApi(engine)));
});

afterAll(async () => {
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

async function events(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = Object.assign((async function* () {})(), { isTTY: false });
  const ctx = createCliContext({ stdout, stderr, stdin, env: { WASMBOX_ROOT: root } }, { client });
  const code = await run(['events', ...argv], ctx);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('wasmbox events', () => {
  it('prints past events between --since and --until in docker\'s line format, filtered', async () => {
    const since = (Date.now() / 1000).toFixed(3);
    await engine.volumes.create({ name: 'ev-one', labels: { team: 'a' } });
    await engine.volumes.create({ name: 'ev-two' });
    await engine.volumes.remove('ev-two');
    const until = (Date.now() / 1000 + 0.2).toFixed(3);
    const all = await events(['--since', since, '--until', until]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z volume create ev-one \(driver=local\)$/);
    expect(lines[2]).toMatch(/ volume destroy ev-two \(driver=local\)$/);
    const filtered = await events(['--since', since, '--until', until, '--filter', 'event=destroy', '--format', '{{.Action}} {{.Actor.ID}}']);
    expect(filtered.stdout).toBe('destroy ev-two\n');
  });

  it('formats attributes sorted, as docker does', () => {
    const line = eventLine({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'web', image: 'toolbox' } }, timeNano: 1_700_000_000_123_000_000 });
    expect(line).toBe('2023-11-14T22:13:20.123000000Z container start abc (image=toolbox, name=web)');
  });

  it('without a daemon says one is needed and exits 1', async () => {
    const h = createHarness();
    try {
      const r = await h.wasmbox(['events']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('wasmbox events needs a daemon');
    } finally {
      h.cleanup();
    }
  });
});
