#!/usr/bin/env node
// The wasmbox command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`wasmbox: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 125;
  },
);
