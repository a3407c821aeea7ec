// Real-Chromium harness for browser tests: Debian's /usr/bin/chromium driven by playwright-core
// (never a downloaded browser), with a fresh profile, and a tiny static server on 127.0.0.1 that
// sends COOP/COEP so pages are crossOriginIsolated (SharedArrayBuffer works).

import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureTool } from './tools.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.tar': 'application/x-tar',
  '.css': 'text/css',
};

/** Headers that make a page crossOriginIsolated; CORP lets the page load its own subresources. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export interface StaticServerOptions {
  /** Directory served at `/` (optional when every file is given in `files`). */
  root?: string;
  /** Files served from memory, by URL path (`/index.html`); they win over `root`. */
  files?: Record<string, string | Uint8Array>;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** Serves a directory and in-memory files with COOP/COEP; refuses paths outside `root`. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = options.root === undefined ? undefined : resolve(options.root);
  const files = options.files ?? {};
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const type = CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
      let body: string | Uint8Array | undefined = files[path];
      if (body === undefined && root !== undefined) {
        const file = resolve(join(root, path));
        if (file.startsWith(root + sep) && (await stat(file).catch(() => null))?.isFile()) {
          body = await readFile(file);
        }
      }
      if (body === undefined) {
        res.writeHead(404, { ...ISOLATION_HEADERS, 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
        return;
      }
      res.writeHead(200, { ...ISOLATION_HEADERS, 'Content-Type': type }).end(body);
    })().catch((e: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(e));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export interface ChromiumSession {
  page: Page;
  context: BrowserContext;
  server: StaticServer;
  /** Uncaught page errors and console errors seen so far (for assertion messages). */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Installs Chromium from Debian if missing, starts the static server, and opens a page at
 * `path` (default `/index.html`) in a fresh headless Chromium profile.
 */
export async function openChromium(options: StaticServerOptions & { path?: string }): Promise<ChromiumSession> {
  await ensureTool('chromium');
  const server = await startStaticServer(options);
  const profile = await mkdtemp(join(tmpdir(), 'wasmbox-chromium-'));
  let context: BrowserContext | undefined;
  try {
    // A persistent context is how playwright takes a user data dir; it is fresh per session.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.stack ?? e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console.error: ${m.text()} (${m.location().url})`);
    });
    await page.goto(server.origin + (options.path ?? '/index.html'));
    const ctx = context;
    return {
      page,
      context: ctx,
      server,
      errors,
      close: async () => {
        await ctx.close().catch(() => undefined);
        await server.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await context?.close().catch(() => undefined);
    await server.close();
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
}
