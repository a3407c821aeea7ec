// `wasmbox update [-m] [--restart]`: changes a container's memory limit or restart policy.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { parseMemory, parseRestart } from '../container-flags.js';
import { forEachContainer } from '../container-io.js';
import { checkArgs } from '../usage.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Update configuration of one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('[args...]')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--restart <string>', 'Restart policy to apply when a container exits')
    .action(async (names: string[], opts: { memory?: string; restart?: string }, self: Command) => {
      checkArgs(self, names, { min: 1 });
      const changes = {
        ...(opts.memory !== undefined ? { Memory: parseMemory(opts.memory) } : {}),
        ...(opts.restart !== undefined ? { RestartPolicy: parseRestart(opts.restart) } : {}),
      };
      await forEachContainer(ctx, names, async (api, name) => {
        const { Warnings } = await api.update(name, changes);
        for (const w of Warnings) ctx.stderr.write(`WARNING: ${w}\n`);
      });
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('update'), ctx);
}
