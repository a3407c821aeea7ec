// `wasmbox container …`: docker's management command for containers. Its subcommands are the
// top-level commands (ls = ps, rm, run, exec...), plus `container prune`.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { humanSize } from '../units.js';
import { checkArgs } from '../usage.js';
import * as attach from './attach.js';
import * as commit from './commit.js';
import * as cp from './cp.js';
import * as create from './create.js';
import * as diff from './diff.js';
import * as exec from './exec.js';
import * as exportCmd from './export.js';
import * as inspect from './inspect.js';
import * as kill from './kill.js';
import * as logs from './logs.js';
import * as pause from './pause.js';
import * as ps from './ps.js';
import { parseFilterFlags } from './ps.js';
import * as rename from './rename.js';
import * as restart from './restart.js';
import * as rm from './rm.js';
import * as run from './run.js';
import * as start from './start.js';
import * as stats from './stats.js';
import * as stop from './stop.js';
import * as top from './top.js';
import * as unpause from './unpause.js';
import * as update from './update.js';
import * as wait from './wait.js';
import { confirm } from '../confirm.js';

// No default ([]): commander would print "(default: [])" in --help.
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function configurePrune(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Remove all stopped containers')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (args: string[], opts: { filter?: string[]; force?: boolean }, self: Command) => {
      checkArgs(self, args, { none: true });
      if (!opts.force) {
        if (!(await confirm(ctx, 'WARNING! This will remove all stopped containers.'))) return;
      }
      const api = await ctx.containers();
      const result = await api.prune({ filters: parseFilterFlags(opts.filter ?? []) });
      let out = '';
      if (result.ContainersDeleted.length > 0) out += `Deleted Containers:\n${result.ContainersDeleted.join('\n')}\n\n`;
      out += `Total reclaimed space: ${humanSize(result.SpaceReclaimed)}\n`;
      ctx.stdout.write(out);
    });
}

export function register(program: Command, ctx: CliContext): void {
  const group = program.command('container').description('Manage containers').usage('COMMAND').enablePositionalOptions();
  attach.configure(group.command('attach'), ctx);
  commit.configure(group.command('commit'), ctx);
  cp.configure(group.command('cp'), ctx);
  create.configure(group.command('create'), ctx);
  diff.configure(group.command('diff'), ctx);
  exec.configure(group.command('exec'), ctx);
  exportCmd.configure(group.command('export'), ctx);
  inspect.configureContainer(group.command('inspect'), ctx);
  kill.configure(group.command('kill'), ctx);
  logs.configure(group.command('logs'), ctx);
  ps.configure(group.command('ls').aliases(['ps', 'list']), ctx);
  pause.configure(group.command('pause'), ctx);
  configurePrune(group.command('prune'), ctx);
  rename.configure(group.command('rename'), ctx);
  restart.configure(group.command('restart'), ctx);
  rm.configure(group.command('rm').aliases(['remove']), ctx);
  run.configure(group.command('run'), ctx);
  start.configure(group.command('start'), ctx);
  stats.configure(group.command('stats'), ctx);
  stop.configure(group.command('stop'), ctx);
  top.configure(group.command('top'), ctx);
  unpause.configure(group.command('unpause'), ctx);
  update.configure(group.command('update'), ctx);
  wait.configure(group.command('wait'), ctx);
}
