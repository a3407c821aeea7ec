// `wasmbox start [-a] [-i]`: starts created or stopped containers; with -a, attaches to one
// and ends with its exit status. In-process (no daemon) a started container runs to its end
// before the command returns, since the engine lives only as long as the command.

import type { Command } from 'commander';
import { type CliContext, ExitError } from '../context.js';
import { copyOutput, daemonFailure, forEachContainer, startFailureStatus, stdinUntil } from '../container-io.js';
import { checkArgs, commandPath } from '../usage.js';

interface StartOptions {
  attach?: boolean;
  interactive?: boolean;
}

async function startAttached(ctx: CliContext, name: string, opts: StartOptions, self: Command): Promise<void> {
  const api = await ctx.containers();
  const ended = new AbortController();
  const session = await api.attach(name, { stream: true, stdout: true, stderr: true, ...(opts.interactive ? { stdin: stdinUntil(ctx, ended.signal) } : {}) });
  const waited = api.wait(name, { condition: 'next-exit', signal: ended.signal });
  waited.catch(() => undefined);
  const copied = copyOutput(ctx, session.output, { tty: session.tty });
  copied.catch(() => undefined);
  const unsubscribe = ctx.onSignal?.((signal) => void api.kill(name, { signal }).catch(() => undefined));
  try {
    try {
      await api.start(name);
    } catch (e) {
      throw daemonFailure(commandPath(self), e, startFailureStatus(e));
    }
    const result = await waited;
    await copied;
    if (result.StatusCode !== 0) throw new ExitError(result.StatusCode, '');
  } finally {
    unsubscribe?.();
    ended.abort();
  }
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Start one or more stopped containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('[args...]')
    .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
    .option('-i, --interactive', "Attach container's STDIN")
    .action(async (names: string[], opts: StartOptions, self: Command) => {
      checkArgs(self, names, { min: 1 });
      if (opts.attach || opts.interactive) {
        if (names.length > 1) throw new ExitError(1, 'you cannot start and attach multiple containers at once');
        await startAttached(ctx, names[0]!, opts, self);
        return;
      }
      const started: string[] = [];
      await forEachContainer(ctx, names, async (api, name) => {
        await api.start(name);
        started.push(name);
      }).finally(async () => {
        if (ctx.daemon) return;
        const api = await ctx.containers();
        for (const name of started) await api.wait(name, { condition: 'not-running' }).catch(() => undefined);
      });
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('start'), ctx);
}
