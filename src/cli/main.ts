// Process entry of the `wasmbox` binary: binds the CLI to this process's streams.
import { installNodeSha256 } from '../platform/node/hash.js';
import { run } from './program.js';

export async function main(argv: string[]): Promise<number> {
  installNodeSha256();
  return run(argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  });
}
