// Types of scripts/build-browser.mjs for TypeScript callers (the tests).

export interface BuildBrowserOptions {
  /** Entry module, relative to the repository root; default src/platform/browser/index.ts. */
  entry?: string;
  /** Output file; default dist/browser/wasmbox.js. */
  outfile?: string;
  minify?: boolean;
  /** Also bundle the process worker entry to wasmbox-worker.js beside outfile; default: only for the default entry. */
  worker?: boolean;
  logLevel?: 'verbose' | 'debug' | 'info' | 'warning' | 'error' | 'silent';
}

export interface BuildBrowserResult {
  outfile: string;
  /** Input files of the bundle, relative to the repository root. */
  inputs: string[];
  /** The bundled worker entry, when it was built. */
  workerOutfile?: string;
  workerInputs?: string[];
}

export const WORKER_ENTRY: string;
export const WORKER_FILE: string;

export function buildBrowser(options?: BuildBrowserOptions): Promise<BuildBrowserResult>;
