// The wasmbox command line: commander, one file per command under commands/, the same
// command names, flags, output and exit codes as the docker CLI.
import { Command, CommanderError } from 'commander';
import { isWasmboxError } from '../errors.js';
import { type CliContext, ExitError } from './context.js';
import * as version from './commands/version.js';

export const COMMANDS = [version];

export function createProgram(ctx: CliContext): Command {
  const program = new Command('wasmbox')
    .description('A container runtime whose containers are WebAssembly (WASI) programs.\nDocker\'s commands, a WebAssembly sandbox.')
    .usage('[OPTIONS] COMMAND')
    .version(version.packageVersion(), '-v, --version', 'Print version information and quit')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void ctx.stdout.write(s),
      writeErr: (s) => void ctx.stderr.write(s),
    });
  for (const c of COMMANDS) c.register(program, ctx);
  return program;
}

/** Runs one command line; resolves to the exit status (docker's: 125 for usage errors, 1 for failures). */
export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const program = createProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return e.exitCode === 0 ? 0 : 125;
    }
    if (e instanceof ExitError) {
      if (e.message) ctx.stderr.write(e.message.endsWith('\n') ? e.message : e.message + '\n');
      return e.exitCode;
    }
    // Like the docker CLI: failures reported by the engine exit 1, usage errors 125.
    const message = e instanceof Error ? e.message : String(e);
    ctx.stderr.write(isWasmboxError(e) ? `Error response from daemon: ${message}\n` : `Error: ${message}\n`);
    return 1;
  }
}
