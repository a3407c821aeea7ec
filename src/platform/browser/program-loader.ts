// Where a page finds the files of the built-in images: fetched from a base URL that serves the
// package's images/ folder (hello-world/hello.wasm, toolbox/toolbox.wasm, toolbox/applets.txt),
// keyed by BUILTIN_FILES. Programs from npm packages (flite) need their own URL mapping.

import { WasmboxError } from '../../errors.js';
import type { ProgramLoader } from '../../image/builtin.js';

export interface FetchProgramLoaderOptions {
  /** The fetch to use (a Service Worker's, a test's); default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Where npm package files (keys starting with `@`) are served; default: not available. */
  packagesUrl?: string | URL;
}

/** A ProgramLoader for createBuiltinImage/ensureImage in a browser: `baseUrl` serves images/. */
export function fetchProgramLoader(baseUrl: string | URL, options: FetchProgramLoaderOptions = {}): ProgramLoader {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const base = new URL(String(baseUrl).endsWith('/') ? String(baseUrl) : `${String(baseUrl)}/`, globalThis.location?.href);
  const packages = options.packagesUrl === undefined ? undefined : new URL(String(options.packagesUrl).replace(/\/?$/, '/'), globalThis.location?.href);
  return async (file) => {
    if (file.startsWith('/') || file.split('/').includes('..')) {
      throw new WasmboxError('INVALID_ARGUMENT', `built-in image file "${file}" must be a relative path inside images/`, { details: { file } });
    }
    const isPackage = file.startsWith('@');
    if (isPackage && packages === undefined) {
      throw new WasmboxError('IMAGE_NOT_FOUND', `the built-in image file ${file} comes from an npm package; pass packagesUrl to fetchProgramLoader to serve it`, {
        details: { file },
      });
    }
    const url = new URL(file, isPackage ? packages : base);
    let response: Response;
    try {
      response = await doFetch(url);
    } catch (e) {
      throw new WasmboxError('IMAGE_NOT_FOUND', `cannot fetch the built-in image file ${file} from ${url.href}: ${(e as Error).message}`, {
        cause: e,
        details: { file, url: url.href },
      });
    }
    if (!response.ok) {
      throw new WasmboxError('IMAGE_NOT_FOUND', `cannot fetch the built-in image file ${file}: ${url.href} answered ${response.status} ${response.statusText}`, {
        details: { file, url: url.href, status: response.status },
      });
    }
    return new Uint8Array(await response.arrayBuffer());
  };
}
