// Types of scripts/build-images.mjs for TypeScript callers (the tests).

export interface ImageProgram {
  name: string;
  /** Output path relative to images/, e.g. `toolbox/toolbox.wasm`. */
  output: string;
  /** Absolute source dir; clang runs there. */
  dir: string;
  /** Sources relative to dir, sorted. */
  sources: string[];
  include: string[];
}

export interface BuiltProgram {
  name: string;
  /** Absolute path of the built .wasm. */
  path: string;
  size: number;
}

export const IMAGES_DIR: string;
export const CFLAGS: string[];
export function programs(): ImageProgram[];
export function buildImages(options?: { outDir?: string; log?: (message: string) => void }): Promise<BuiltProgram[]>;
export function checkImages(options?: {
  log?: (message: string) => void;
}): Promise<{ built: BuiltProgram[]; mismatches: string[] }>;
