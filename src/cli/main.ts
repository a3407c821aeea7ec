// Process entry of the `wasmbox` binary: binds the CLI to this process's streams and signals.
import { installNodeSha256 } from '../platform/node/hash.js';
import { run } from './program.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Our signals for --sig-proxy: while a handler is subscribed, they no longer end the process. */
function onSignal(handler: (signal: string) => void): () => void {
  const listeners = FORWARDED.map((sig) => {
    const l = () => handler(sig);
    process.on(sig, l);
    return [sig, l] as const;
  });
  return () => {
    for (const [sig, l] of listeners) process.off(sig, l);
  };
}

export async function main(argv: string[]): Promise<number> {
  installNodeSha256();
  try {
    return await run(argv.slice(2), {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: process.env,
      onSignal,
    });
  } finally {
    // A read of stdin left pending by `run -i` would keep the process alive.
    if (!process.stdin.destroyed) process.stdin.destroy();
  }
}
