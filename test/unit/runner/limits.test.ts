// The memory-limit rewrite on hand-assembled modules: defined and imported memories, maxima
// kept, lowered or added, multi-byte LEB128 sizes, and memory.grow failing past the limit.

import { describe, expect, it } from 'vitest';
import { WasmboxError } from '../../../src/errors.js';
import { applyMemoryLimit, encodeU32, memoriesOf, validateModule, WASM_PAGE_SIZE } from '../../../src/runner/limits.js';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function section(id: number, body: number[]): number[] {
  return [id, ...encodeU32(body.length), ...body];
}

function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...encodeU32(b.length), ...b];
}

function limits(initial: number, maximum?: number): number[] {
  return maximum === undefined ? [0x00, ...encodeU32(initial)] : [0x01, ...encodeU32(initial), ...encodeU32(maximum)];
}

/** (func (export "grow") (param i32) (result i32) memory.grow) over a memory defined or imported; a table import and a global import around it. */
function growModule(mem: { initial: number; maximum?: number; imported?: boolean }): Uint8Array {
  const types = section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]);
  const imports = mem.imported
    ? section(2, [
        0x03,
        ...str('env'), ...str('table'), 0x01, 0x70, ...limits(1),
        ...str('env'), ...str('memory'), 0x02, ...limits(mem.initial, mem.maximum),
        ...str('env'), ...str('g'), 0x03, 0x7f, 0x00,
      ])
    : [];
  const funcs = section(3, [0x01, 0x00]);
  const memory = mem.imported ? [] : section(5, [0x01, ...limits(mem.initial, mem.maximum)]);
  const exports = section(7, [0x02, ...str('grow'), 0x00, 0x00, ...str('memory'), 0x02, 0x00]);
  const code = section(10, [0x01, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b]);
  return Uint8Array.from([...HEADER, ...types, ...imports, ...funcs, ...memory, ...exports, ...code]);
}

function instantiate(bytes: Uint8Array, memory?: WebAssembly.Memory): { grow: (pages: number) => number; memory: WebAssembly.Memory } {
  const imports = memory
    ? { env: { memory, table: new WebAssembly.Table({ initial: 1, element: 'anyfunc' }), g: new WebAssembly.Global({ value: 'i32', mutable: false }, 1) } }
    : {};
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports as WebAssembly.Imports);
  return { grow: inst.exports['grow'] as (pages: number) => number, memory: inst.exports['memory'] as WebAssembly.Memory };
}

describe('applyMemoryLimit', () => {
  it('adds a maximum to a memory that has none, and memory.grow fails past it', () => {
    const bytes = growModule({ initial: 1 });
    expect(memoriesOf(bytes)).toEqual([{ imported: false, initialPages: 1, maximumPages: undefined }]);
    const limited = applyMemoryLimit(bytes, 4 * WASM_PAGE_SIZE + 100);
    expect(memoriesOf(limited)).toEqual([{ imported: false, initialPages: 1, maximumPages: 4 }]);
    const { grow } = instantiate(limited);
    expect(grow(3)).toBe(1);
    expect(grow(1)).toBe(-1);
    // Unlimited, the same module grows.
    expect(instantiate(bytes).grow(10)).toBe(1);
  });

  it('lowers a larger maximum and keeps a smaller one', () => {
    expect(memoriesOf(applyMemoryLimit(growModule({ initial: 1, maximum: 1000 }), 10 * WASM_PAGE_SIZE))[0]!.maximumPages).toBe(10);
    expect(memoriesOf(applyMemoryLimit(growModule({ initial: 1, maximum: 3 }), 10 * WASM_PAGE_SIZE))[0]!.maximumPages).toBe(3);
  });

  it('handles limits and section sizes whose LEB128 length changes (4 GiB = 65536 pages)', () => {
    const bytes = growModule({ initial: 200 });
    const limited = applyMemoryLimit(bytes, 4 * 1024 * 1024 * 1024);
    expect(limited.length).toBeGreaterThan(bytes.length);
    expect(WebAssembly.validate(limited as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(memoriesOf(limited)[0]).toEqual({ imported: false, initialPages: 200, maximumPages: 65536 });
  });

  it('rewrites an imported memory, skipping the other imports correctly', () => {
    const bytes = growModule({ initial: 2, imported: true });
    const limited = applyMemoryLimit(bytes, 5 * WASM_PAGE_SIZE);
    expect(memoriesOf(limited)).toEqual([{ imported: true, initialPages: 2, maximumPages: 5 }]);
    expect(WebAssembly.validate(limited as Uint8Array<ArrayBuffer>)).toBe(true);
    // The host must now give a memory whose maximum is within the import's.
    expect(() => instantiate(limited, new WebAssembly.Memory({ initial: 2 }))).toThrow(WebAssembly.LinkError);
    const { grow } = instantiate(limited, new WebAssembly.Memory({ initial: 2, maximum: 5 }));
    expect(grow(3)).toBe(2);
    expect(grow(1)).toBe(-1);
  });

  it('refuses a limit below the initial memory with a runtime error naming both sizes', () => {
    const bytes = growModule({ initial: 20 });
    let err: unknown;
    try {
      applyMemoryLimit(bytes, 10 * WASM_PAGE_SIZE, { name: '/bin/app.wasm' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WasmboxError);
    expect((err as WasmboxError).code).toBe('INVALID_ARGUMENT');
    expect((err as WasmboxError).message).toMatch(/below the minimum memory of \/bin\/app.wasm: 20 pages/);
  });

  it('returns the same bytes when the module has no memory', () => {
    const bytes = Uint8Array.from([...HEADER, ...section(1, [0x00])]);
    expect(applyMemoryLimit(bytes, WASM_PAGE_SIZE)).toBe(bytes);
  });
});

describe('validateModule', () => {
  it('accepts a module and refuses garbage with INVALID_MODULE', () => {
    validateModule(growModule({ initial: 1 }));
    for (const bad of [new Uint8Array(0), new TextEncoder().encode('#!/bin/sh\necho hi\n'), Uint8Array.from([...HEADER, 0x01, 0x05, 0x00])]) {
      expect(() => validateModule(bad, { name: 'x' })).toThrow(/not a valid WebAssembly module \(x\)/);
    }
  });
});
