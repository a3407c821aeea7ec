// `wasmbox attach`: connects our streams to a running container's; ends with its exit status.

import type { Command } from 'commander';
import { type CliContext, ExitError } from '../context.js';
import { copyOutput, stdinUntil } from '../container-io.js';
import { checkArgs } from '../usage.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Attach local standard input, output, and error streams to a running container')
    .usage('[OPTIONS] CONTAINER')
    .argument('[args...]')
    .option('--no-stdin', 'Do not attach STDIN')
    .option('--sig-proxy', 'Proxy all received signals to the process (default true)')
    .action(async (args: string[], opts: { stdin: boolean }, self: Command) => {
      checkArgs(self, args, { exactly: 1 });
      const api = await ctx.containers();
      const name = args[0]!;
      const info = await api.inspect(name);
      if (!info.State.Running) throw new ExitError(1, 'You cannot attach to a stopped container, start it first');
      const ended = new AbortController();
      try {
        const useStdin = opts.stdin && info.Config.OpenStdin === true;
        const session = await api.attach(name, { stream: true, stdout: true, stderr: true, ...(useStdin ? { stdin: stdinUntil(ctx, ended.signal) } : {}) });
        const waited = api.wait(name, { condition: 'not-running', signal: ended.signal });
        waited.catch(() => undefined);
        await copyOutput(ctx, session.output, { tty: session.tty });
        const result = await waited;
        if (result.StatusCode !== 0) throw new ExitError(result.StatusCode, '');
      } finally {
        ended.abort();
      }
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('attach'), ctx);
}
