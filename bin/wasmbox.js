#!/usr/bin/env node
// The wasmbox command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare);
// the CLI is loaded from its one-file bundle (scripts/bundle-node.mjs), which starts faster.
import { main } from '../dist/platform/node/cli.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`wasmbox: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 125;
  },
);
