// `wasmbox image …`: docker's management command for images. Its subcommands are the same
// commands as the top-level ones (ls = images, rm = rmi...), plus `image prune`.

import type { Command } from 'commander';
import { type CliContext } from '../context.js';
import { humanSize } from '../units.js';
import { checkArgs } from '../usage.js';
import * as history from './history.js';
import * as images from './images.js';
import * as importCmd from './import.js';
import * as inspect from './inspect.js';
import * as load from './load.js';
import * as rmi from './rmi.js';
import * as save from './save.js';
import * as tag from './tag.js';
import { confirm } from '../confirm.js';

interface PruneOptions {
  all?: boolean;
  force?: boolean;
}

function configurePrune(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Remove unused images')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (args: string[], opts: PruneOptions, self: Command) => {
      checkArgs(self, args, { none: true });
      if (!opts.force) {
        const warning = opts.all
          ? 'WARNING! This will remove all images without at least one container associated to them.'
          : 'WARNING! This will remove all dangling images.';
        if (!(await confirm(ctx, warning))) return;
      }
      const { deleted: items, spaceReclaimed } = await (await ctx.imageApi()).prune({ all: opts.all === true });
      let out = '';
      if (items.length > 0) {
        out += 'Deleted Images:\n';
        for (const item of items) out += 'Untagged' in item ? `untagged: ${item.Untagged}\n` : `deleted: ${item.Deleted}\n`;
        out += '\n';
      }
      out += `Total reclaimed space: ${humanSize(spaceReclaimed)}\n`;
      ctx.stdout.write(out);
    });
}

export function register(program: Command, ctx: CliContext): void {
  const group = program.command('image').description('Manage images').usage('COMMAND');
  images.configure(group.command('ls').alias('list'), ctx);
  load.configure(group.command('load'), ctx);
  save.configure(group.command('save'), ctx);
  rmi.configure(group.command('rm').alias('remove'), ctx);
  tag.configure(group.command('tag'), ctx);
  inspect.configure(group.command('inspect'), ctx);
  history.configure(group.command('history'), ctx);
  importCmd.configure(group.command('import'), ctx);
  configurePrune(group.command('prune'), ctx);
}
