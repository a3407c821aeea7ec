// Process entry of the `wasmbox` binary: binds the CLI to this process's streams and signals.
import { installNodeSha256 } from '../platform/node/hash.js';
import { prewarmNodeWorkers } from '../platform/node/worker.js';
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

/** Commands that start a container process (or a RUN step) in a worker thread of the in-process engine. */
const WORKER_COMMANDS = new Set(['run', 'start', 'restart', 'exec', 'build']);

/**
 * Starts the process worker thread now, for the commands that will need one: it loads its entry
 * on another core while this thread opens the engine and the image (~40 ms sooner to the guest).
 */
function prewarmFor(args: string[], env: NodeJS.ProcessEnv): void {
  const [first, second] = args;
  const command = first === 'container' || first === 'image' ? second : first;
  if (command === undefined || !WORKER_COMMANDS.has(command) || env.WASMBOX_PROCESS_MODE === 'inline') return;
  try {
    prewarmNodeWorkers(1);
  } catch {
    // No worker entry: the command reports it when it needs one.
  }
}

export async function main(argv: string[]): Promise<number> {
  installNodeSha256();
  prewarmFor(argv.slice(2), process.env);
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
