// Types of scripts/build-browser.mjs for TypeScript callers (the tests).

export interface BuildBrowserOptions {
  /** Entry module, relative to the repository root; default src/platform/browser/index.ts. */
  entry?: string;
  /** Output file; default dist/browser/wasmbox.js. */
  outfile?: string;
  minify?: boolean;
  logLevel?: 'verbose' | 'debug' | 'info' | 'warning' | 'error' | 'silent';
}

export interface BuildBrowserResult {
  outfile: string;
  /** Input files of the bundle, relative to the repository root. */
  inputs: string[];
}

export function buildBrowser(options?: BuildBrowserOptions): Promise<BuildBrowserResult>;
