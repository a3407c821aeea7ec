// `wasmbox exec [-i] [-t] [-e] [-w] [-u] [-d] CONTAINER CMD…`: runs a command in a running
// container; the exit status is the command's.

import type { Command } from 'commander';
import type { ExecCreateBody } from '../../engine/container-types.js';
import { type CliContext, ExitError } from '../context.js';
import { parseEnvFile } from '../container-flags.js';
import { copyOutput, daemonFailure, startFailureStatus, stdinUntil, withTerminal } from '../container-io.js';
import { checkArgs, commandPath } from '../usage.js';

interface ExecFlags {
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  env?: string[];
  envFile?: string[];
  workdir?: string;
  user?: string;
  privileged?: boolean;
}

// No default ([]): commander would print "(default: [])" in --help.
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Execute a command in a running container')
    .usage('[OPTIONS] CONTAINER COMMAND [ARG...]')
    .argument('[args...]')
    .option('-d, --detach', 'Detached mode: run command in the background')
    .option('-e, --env <list>', 'Set environment variables', collect)
    .option('--env-file <list>', 'Read in a file of environment variables', collect)
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('--privileged', 'Give extended privileges to the command')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .passThroughOptions()
    .action(async (args: string[], flags: ExecFlags, self: Command) => {
      checkArgs(self, args, { min: 2 });
      if (flags.interactive && flags.tty && ctx.stdin.isTTY !== true) throw new ExitError(1, 'the input device is not a TTY');
      const env = [
        ...(flags.envFile ?? []).flatMap((f) => parseEnvFile(f, ctx.env)),
        ...(flags.env ?? []).flatMap((e) => (e.includes('=') ? [e] : ctx.env[e] !== undefined ? [`${e}=${ctx.env[e]}`] : [])),
      ];
      const [name, ...command] = args as [string, ...string[]];
      const body: ExecCreateBody = {
        Cmd: command,
        Tty: flags.tty === true,
        AttachStdin: flags.interactive === true && !flags.detach,
        AttachStdout: !flags.detach,
        AttachStderr: !flags.detach,
        Privileged: flags.privileged === true,
        ...(env.length > 0 ? { Env: env } : {}),
        ...(flags.workdir !== undefined ? { WorkingDir: flags.workdir } : {}),
        ...(flags.user !== undefined ? { User: flags.user } : {}),
      };
      const api = await ctx.containers();
      const { Id } = await api.execCreate(name, body);
      const ended = new AbortController();
      try {
        const status = await withTerminal(ctx, { tty: flags.tty === true, interactive: flags.interactive === true, resize: (size) => api.execResize(Id, size) }, async () => {
          let session;
          try {
            session = await api.execStart(Id, { detach: flags.detach === true, tty: flags.tty === true, ...(flags.interactive ? { stdin: stdinUntil(ctx, ended.signal) } : {}) });
          } catch (e) {
            throw daemonFailure(commandPath(self), e, startFailureStatus(e) === 125 ? 126 : startFailureStatus(e));
          }
          if (flags.detach) return 0;
          const copied = copyOutput(ctx, session.output, { tty: session.tty });
          const code = await session.exited;
          await copied;
          return code;
        });
        if (status !== 0) throw new ExitError(status, '');
      } finally {
        ended.abort();
      }
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('exec'), ctx);
}
