// `wasmbox restart [-t N]`: stop (with the timeout) then start again. In-process, the
// restarted container runs to its end before the command returns.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { forEachContainer } from '../container-io.js';
import { checkArgs } from '../usage.js';
import { type TimeoutOptions, timeoutOf } from './stop.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Restart one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('[args...]')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .option('-t, --time <int>', 'Seconds to wait before killing the container')
    .action(async (names: string[], opts: TimeoutOptions, self: Command) => {
      checkArgs(self, names, { min: 1 });
      const timeout = timeoutOf(opts.time);
      await forEachContainer(ctx, names, async (api, name) => {
        await api.restart(name, timeout);
        if (!ctx.daemon) await api.wait(name, { condition: 'not-running' });
      });
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('restart'), ctx);
}
