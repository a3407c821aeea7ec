// `wasmbox pause`: suspends all processes of the containers.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { forEachContainer } from '../container-io.js';
import { checkArgs } from '../usage.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Pause all processes within one or more containers')
    .usage('CONTAINER [CONTAINER...]')
    .addHelpText(
      'after',
      [
        '',
        'A process stops at its next WASI call, output write or file access (a program computing',
        'without any call runs on until its next one). Needs worker processes: a container whose',
        'process runs inline on the engine thread cannot be paused. stop, kill and rm -f end a',
        'paused container.',
      ].join('\n'),
    )
    .argument('[args...]')
    .action(async (names: string[], _opts: object, self: Command) => {
      checkArgs(self, names, { min: 1 });
      await forEachContainer(ctx, names, (api, name) => api.pause(name));
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('pause'), ctx);
}
