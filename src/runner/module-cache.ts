// Compiled modules, once per (content, memory limit): compiling a real program takes
// milliseconds to seconds, instantiating a compiled one microseconds. Concurrent requests
// for the same key share one compilation; a failed one is not kept. The compiled
// WebAssembly.Module is what gets posted to workers (11-48x faster than compiling there).
// In memory only: persisting compiled code on disk is left to a later step (Node has no
// stable serializer for WebAssembly.Module).

import { sha256Hex } from '../content/digest.js';
import { WasmboxError } from '../errors.js';
import { applyMemoryLimit, validateModule, WASM_PAGE_SIZE } from './limits.js';

export interface CompiledModule {
  readonly module: WebAssembly.Module;
  /** sha256 (hex) of the original bytes, before any rewrite. */
  readonly digest: string;
  /** The memory limit applied, in pages; undefined when none. */
  readonly memoryPages: number | undefined;
}

export interface CompileOptions {
  /** Cap on linear memory in bytes (see limits.ts). */
  memoryBytes?: number;
  /** Names the module in error messages (its path in the image). */
  name?: string;
}

export interface ModuleCacheStats {
  /** Compilations started (a miss). */
  compiled: number;
  /** Requests answered from the cache (or by joining a compilation under way). */
  hits: number;
  /** Entries held. */
  size: number;
}

export interface ModuleCacheOptions {
  /** Most compiled modules kept (least recently used dropped first); default 64. */
  maxEntries?: number;
}

export class ModuleCache {
  readonly #entries = new Map<string, Promise<CompiledModule>>();
  readonly #maxEntries: number;
  #compiled = 0;
  #hits = 0;

  constructor(options: ModuleCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 64;
  }

  /** The compiled module for `bytes` under `options.memoryBytes`; INVALID_MODULE / INVALID_ARGUMENT when it cannot run. */
  get(bytes: Uint8Array, options: CompileOptions = {}): Promise<CompiledModule> {
    const digest = sha256Hex(bytes);
    const pages = options.memoryBytes === undefined ? undefined : Math.floor(options.memoryBytes / WASM_PAGE_SIZE);
    const key = `${digest}:${pages ?? '-'}`;
    const found = this.#entries.get(key);
    if (found !== undefined) {
      this.#hits++;
      // Re-insert: Map order is the LRU order.
      this.#entries.delete(key);
      this.#entries.set(key, found);
      return found;
    }
    this.#compiled++;
    const p = compileModule(bytes, { ...options, digest });
    this.#entries.set(key, p);
    p.catch(() => {
      if (this.#entries.get(key) === p) this.#entries.delete(key);
    });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    return p;
  }

  get stats(): ModuleCacheStats {
    return { compiled: this.#compiled, hits: this.#hits, size: this.#entries.size };
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Validates, applies the memory limit and compiles, without caching. */
export async function compileModule(bytes: Uint8Array, options: CompileOptions & { digest?: string } = {}): Promise<CompiledModule> {
  const nameOpt = options.name === undefined ? {} : { name: options.name };
  validateModule(bytes, nameOpt);
  const limited = options.memoryBytes === undefined ? bytes : applyMemoryLimit(bytes, options.memoryBytes, nameOpt);
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(limited as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new WasmboxError('INVALID_MODULE', `not a valid WebAssembly module${options.name ? ` (${options.name})` : ''}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return {
    module,
    digest: options.digest ?? sha256Hex(bytes),
    memoryPages: options.memoryBytes === undefined ? undefined : Math.floor(options.memoryBytes / WASM_PAGE_SIZE),
  };
}
