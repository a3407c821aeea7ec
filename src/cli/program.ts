// The wasmbox command line: commander, one file per command under commands/, the same
// command names, flags, output and exit codes as the docker CLI.
import { Command, CommanderError } from 'commander';
import { isWasmboxError } from '../errors.js';
import { type CliContext, type CliIO, ExitError, createCliContext } from './context.js';
import { allCommands, dockerUsageError } from './usage.js';
import * as version from './commands/version.js';
import * as images from './commands/images.js';
import * as load from './commands/load.js';
import * as save from './commands/save.js';
import * as rmi from './commands/rmi.js';
import * as tag from './commands/tag.js';
import * as inspect from './commands/inspect.js';
import * as history from './commands/history.js';
import * as image from './commands/image.js';
import * as pull from './commands/pull.js';
import * as push from './commands/push.js';
import * as login from './commands/login.js';
import * as logout from './commands/logout.js';
import * as search from './commands/search.js';
import * as importCmd from './commands/import.js';
import * as daemon from './commands/daemon.js';
import * as buildCmd from './commands/build.js';
import * as runCmd from './commands/run.js';
import * as create from './commands/create.js';
import * as start from './commands/start.js';
import * as stop from './commands/stop.js';
import * as restart from './commands/restart.js';
import * as kill from './commands/kill.js';
import * as rm from './commands/rm.js';
import * as ps from './commands/ps.js';
import * as logs from './commands/logs.js';
import * as exec from './commands/exec.js';
import * as attach from './commands/attach.js';
import * as wait from './commands/wait.js';
import * as top from './commands/top.js';
import * as stats from './commands/stats.js';
import * as diff from './commands/diff.js';
import * as exportCmd from './commands/export.js';
import * as cp from './commands/cp.js';
import * as commit from './commands/commit.js';
import * as rename from './commands/rename.js';
import * as pause from './commands/pause.js';
import * as unpause from './commands/unpause.js';
import * as update from './commands/update.js';
import * as container from './commands/container.js';
import * as volume from './commands/volume.js';
import * as system from './commands/system.js';
import * as events from './commands/events.js';

export const COMMANDS = [version, images, load, save, rmi, tag, inspect, history, image, pull, push, login, logout, search, importCmd, daemon, buildCmd,
  runCmd, create, start, stop, restart, kill, rm, ps, logs, exec, attach, wait, top, stats, diff, exportCmd, cp, commit, rename, pause, unpause, update, container, volume, system, events];

export function createProgram(ctx: CliContext): Command {
  const program = new Command('wasmbox')
    .description('A container runtime whose containers are WebAssembly (WASI) programs.\nDocker\'s commands, a WebAssembly sandbox.')
    .usage('[OPTIONS] COMMAND')
    .version(version.packageVersion(), '-v, --version', 'Print version information and quit')
    .option('-H, --host <address>', 'Daemon socket to connect to: unix:///path.sock or tcp://host:port (default: $WASMBOX_HOST, $DOCKER_HOST, or a running `wasmbox daemon`)')
    .showSuggestionAfterError(true)
    // `run IMAGE CMD -x`: options after the image belong to the container's command.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void ctx.stdout.write(s),
      writeErr: (s) => void ctx.stderr.write(s),
    });
  for (const c of COMMANDS) c.register(program, ctx);
  // Before any command but `daemon` itself: talk to a daemon if one is selected or running.
  program.hook('preAction', async (_root, action) => {
    let top: Command = action;
    while (top.parent && top.parent !== program) top = top.parent;
    if (top.name() === 'daemon') return;
    await ctx.connect?.({ host: program.opts<{ host?: string }>().host });
  });
  for (const cmd of allCommands(program)) {
    // Usage errors in docker's words, naming the command that failed.
    cmd.configureOutput({ outputError: (s, write) => write(dockerUsageError(s, cmd)) });
    // Command lists show names and aliases, as docker's do; each command's own usage has the rest.
    cmd.configureHelp({ subcommandTerm: (sub) => [sub.name(), ...sub.aliases()].join(', ') });
  }
  return program;
}

/** Runs one command line; resolves to the exit status (docker's: 125 for usage errors, 1 for failures). */
export async function run(argv: string[], io: CliIO | CliContext): Promise<number> {
  const owned = !('images' in io);
  const ctx = 'images' in io ? io : createCliContext(io);
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
  } finally {
    // The in-process engine ends with the command (its workers would keep Node alive).
    if (owned) await ctx.close();
  }
}
