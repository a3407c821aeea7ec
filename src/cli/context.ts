// What every command receives: its output streams and environment (injected, so tests run
// commands in-process), and lazy access to the stores under $WASMBOX_ROOT.

export interface Output {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliContext {
  stdout: Output;
  stderr: Output;
  stdin: AsyncIterable<Uint8Array>;
  env: Record<string, string | undefined>;
}

/** Thrown by commands to end with a docker-like exit status after printing their message. */
export class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}
