// RUN through the real runner, inline: the built-in shell (what an image's /bin/sh marker
// stands for) interprets the command; the programs it starts are WASI modules from the build
// container's file system, run on this thread to their end. No stdin, no network.

import { runModule } from '../runner/run-module.js';
import { Shell } from '../runner/shell/index.js';
import type { ShellHost, ShellIo } from '../runner/shell/index.js';
import type { SyncInput, SyncOutput } from '../runner/types.js';
import type { RunStep } from './run-step.js';

/** Quotes a word for the shell: the exec form runs as exactly these arguments. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface InlineRunStepOptions {
  /** Compiles a module (default: WebAssembly.Module, cached per build by content). */
  compile?: (bytes: Uint8Array) => WebAssembly.Module;
}

export function inlineRunStep(options: InlineRunStepOptions = {}): RunStep {
  const compiled = new WeakMap<Uint8Array, WebAssembly.Module>();
  const compile = options.compile ?? ((bytes: Uint8Array) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
  return async (ctx) => {
    const stdin: SyncInput = { read: () => null, ready: () => true };
    const stdout: SyncOutput = { write: (d) => ctx.onOutput(d.slice(), 'stdout') };
    const stderr: SyncOutput = { write: (d) => ctx.onOutput(d.slice(), 'stderr') };
    const io: ShellIo = { stdin, stdout, stderr };
    const host: ShellHost = {
      fs: ctx.fs,
      exec: (path, argv, procIo, env, cwd) => {
        const bytes = ctx.fs.readFile(path);
        let module = compiled.get(bytes);
        if (!module) {
          try {
            module = compile(bytes);
          } catch {
            return 126;
          }
          compiled.set(bytes, module);
        }
        const status = runModule(module, { args: argv, env, fs: ctx.fs, cwd, stdin: procIo.stdin, stdout: procIo.stdout, stderr: procIo.stderr });
        if (status.message && status.code !== 0) procIo.stderr.write(new TextEncoder().encode(`${status.message}\n`));
        return status.code;
      },
    };
    // The shell finds argv[0] on PATH and runs /bin/sh (the marker) in-process itself.
    const shell = new Shell(host, { env: ctx.env, cwd: ctx.cwd });
    return shell.run(ctx.argv.map(shellQuote).join(' '), io);
  };
}
