// ensureTool really provides the tools the integration tests rely on: each returns an absolute
// path to a binary that runs. A missing tool that cannot be installed fails here, loudly.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureTool } from '../helpers/tools.js';
import type { ToolName } from '../helpers/tools.js';

const run = promisify(execFile);

describe('ensureTool', () => {
  const cases: [ToolName, string[], RegExp][] = [
    ['skopeo', ['--version'], /skopeo version/],
    ['umoci', ['--version'], /umoci version/],
    ['chromium', ['--headless', '--no-sandbox', '--version'], /Chromium/],
  ];
  for (const [tool, args, expected] of cases) {
    it(`provides a working ${tool}`, async () => {
      const bin = await ensureTool(tool);
      expect(isAbsolute(bin)).toBe(true);
      const { stdout, stderr } = await run(bin, args);
      expect(stdout + stderr).toMatch(expected);
    });
  }

  it('provides clang that compiles C to a WASI module', async () => {
    const clang = await ensureTool('clang');
    const dir = await mkdtemp(join(tmpdir(), 'wasmbox-clang-'));
    try {
      await writeFile(join(dir, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n');
      await run(clang, ['--target=wasm32-wasi', '-O2', '-s', '-o', join(dir, 'hello.wasm'), join(dir, 'hello.c')]);
      const wasm = await readFile(join(dir, 'hello.wasm'));
      expect([...wasm.subarray(0, 4)]).toEqual([0x00, 0x61, 0x73, 0x6d]);
      const module = await WebAssembly.compile(wasm);
      expect(WebAssembly.Module.imports(module).some((i) => i.module === 'wasi_snapshot_preview1')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown tool with a message that says where to add it', async () => {
    await expect(ensureTool('no-such-tool' as ToolName)).rejects.toThrow(/scripts\/test-deps\.json/);
  });
});
