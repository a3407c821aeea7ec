// `wasmbox volume create|ls|inspect|rm|prune`: named volumes, as `docker volume`. Data lives
// under $WASMBOX_ROOT/volumes/<name>/_data and outlives the containers that mount it.

import type { Command } from 'commander';
import { isWasmboxError } from '../../errors.js';
import { volumeJson } from '../../api/routes/volumes.js';
import type { Volume } from '../../engine/volumes.js';
import { confirm } from '../confirm.js';
import { type CliContext, ExitError } from '../context.js';
import { formatRows, renderTemplate } from '../format.js';
import { humanSize } from '../units.js';
import { checkArgs } from '../usage.js';
import { parseFilterFlags } from './ps.js';

// No default ([]): commander would print "(default: [])" in --help.
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function keyValues(items: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    if (eq === -1) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function configureCreate(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Create a volume')
    .usage('[OPTIONS] [VOLUME]')
    .argument('[args...]')
    .option('-d, --driver <driver>', 'Specify volume driver name', 'local')
    .option('--label <label>', 'Set metadata for a volume', collect)
    .option('-o, --opt <option>', 'Set driver specific options', collect)
    .action(async (args: string[], opts: { driver: string; label?: string[]; opt?: string[] }, self: Command) => {
      checkArgs(self, args, { max: 1 });
      const engine = await ctx.engine();
      const v = await engine.volumes.create({
        ...(args[0] === undefined ? {} : { name: args[0] }),
        driver: opts.driver,
        labels: keyValues(opts.label),
        driverOpts: keyValues(opts.opt),
      });
      ctx.stdout.write(`${v.name}\n`);
    });
}

function configureLs(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('List volumes')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-f, --filter <filter>', 'Provide filter values (e.g. "dangling=true")', collect)
    .option('--format <format>', 'Format output using a custom template ("table", "json" or a Go template)')
    .option('-q, --quiet', 'Only display volume names')
    .action(async (args: string[], opts: { filter?: string[]; format?: string; quiet?: boolean }, self: Command) => {
      checkArgs(self, args, { none: true });
      const engine = await ctx.engine();
      const volumes = await engine.volumes.list(parseFilterFlags(opts.filter ?? []));
      if (opts.quiet) {
        ctx.stdout.write(volumes.map((v) => `${v.name}\n`).join(''));
        return;
      }
      const row = (v: Volume) => ({ Driver: v.driver, Name: v.name, Mountpoint: v.mountpoint, Labels: Object.entries(v.labels).map(([k, val]) => `${k}=${val}`).join(','), Scope: 'local' });
      ctx.stdout.write(
        formatRows(volumes, {
          format: opts.format,
          defaultTable: '{{.Driver}}\t{{.Name}}',
          headers: { Driver: 'DRIVER', Name: 'VOLUME NAME', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Scope: 'SCOPE' },
          context: row,
        }),
      );
    });
}

function configureInspect(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Display detailed information on one or more volumes')
    .usage('[OPTIONS] VOLUME [VOLUME...]')
    .argument('[args...]')
    .option('-f, --format <format>', 'Format output using a custom template')
    .action(async (args: string[], opts: { format?: string }, self: Command) => {
      checkArgs(self, args, { min: 1 });
      const engine = await ctx.engine();
      const found: Record<string, unknown>[] = [];
      const errors: string[] = [];
      for (const name of args) {
        try {
          found.push(volumeJson(await engine.volumes.inspect(name)));
        } catch (e) {
          if (!isWasmboxError(e)) throw e;
          errors.push(`Error: No such volume: ${name}`);
        }
      }
      if (opts.format !== undefined) ctx.stdout.write(found.map((v) => renderTemplate(opts.format!, v) + '\n').join(''));
      else ctx.stdout.write(JSON.stringify(found, null, 4) + '\n');
      if (errors.length > 0) throw new ExitError(1, errors.join('\n'));
    });
}

function configureRm(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Remove one or more volumes. You cannot remove a volume that is in use by a container.')
    .usage('[OPTIONS] VOLUME [VOLUME...]')
    .argument('[args...]')
    .option('-f, --force', 'Force the removal of one or more volumes')
    .action(async (args: string[], opts: { force?: boolean }, self: Command) => {
      checkArgs(self, args, { min: 1 });
      const engine = await ctx.engine();
      const errors: string[] = [];
      for (const name of args) {
        try {
          await engine.volumes.remove(name, { force: opts.force === true });
          ctx.stdout.write(`${name}\n`);
        } catch (e) {
          if (!isWasmboxError(e)) throw e;
          errors.push(`Error response from daemon: ${e.message}`);
        }
      }
      if (errors.length > 0) throw new ExitError(1, errors.join('\n'));
    });
}

function configurePrune(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Remove unused local volumes')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "label=<label>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (args: string[], opts: { all?: boolean; filter?: string[]; force?: boolean }, self: Command) => {
      checkArgs(self, args, { none: true });
      const warning = opts.all ? 'WARNING! This will remove all local volumes not used by at least one container.' : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
      if (!opts.force && !(await confirm(ctx, warning))) return;
      const engine = await ctx.engine();
      const filters = parseFilterFlags(opts.filter ?? []);
      if (opts.all) filters['all'] = ['true'];
      const { deleted, spaceReclaimed } = await engine.volumes.prune(filters);
      let out = '';
      if (deleted.length > 0) out += `Deleted Volumes:\n${deleted.join('\n')}\n\n`;
      out += `Total reclaimed space: ${humanSize(spaceReclaimed)}\n`;
      ctx.stdout.write(out);
    });
}

export function register(program: Command, ctx: CliContext): void {
  const group = program.command('volume').description('Manage volumes').usage('COMMAND');
  configureCreate(group.command('create'), ctx);
  configureInspect(group.command('inspect'), ctx);
  configureLs(group.command('ls').alias('list'), ctx);
  configurePrune(group.command('prune'), ctx);
  configureRm(group.command('rm').alias('remove'), ctx);
}
