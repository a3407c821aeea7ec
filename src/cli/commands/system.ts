// `wasmbox system df|prune|info` and the top-level `wasmbox info`: what the engine holds and
// how much disk it takes, laid out like `docker system df` and `docker info`.

import type { Command } from 'commander';
import { confirm } from '../confirm.js';
import * as events from './events.js';
import type { CliContext } from '../context.js';
import { formatRows } from '../format.js';
import { bytesSize, humanSize } from '../units.js';
import { checkArgs } from '../usage.js';

interface DfRow {
  Type: string;
  TotalCount: number;
  Active: number;
  Size: string;
  Reclaimable: string;
}

function reclaimable(bytes: number, total: number): string {
  return total > 0 ? `${humanSize(bytes)} (${Math.round((bytes / total) * 100)}%)` : humanSize(bytes);
}

function configureDf(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Show wasmbox disk usage')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('--format <format>', 'Format output using a custom template ("table", "json" or a Go template)')
    .action(async (args: string[], opts: { format?: string }, self: Command) => {
      checkArgs(self, args, { none: true });
      const engine = await ctx.engine();
      const usage = await engine.system.diskUsage();
      const containers = await engine.containers.list({ all: true, size: true });
      const imagesActive = usage.images.filter((i) => i.containers > 0);
      const imagesSize = usage.layersSize;
      const imagesUnused = usage.images.filter((i) => i.containers === 0).reduce((n, i) => n + i.size - i.sharedSize, 0);
      const containersSize = containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
      const containersStopped = containers.filter((c) => c.State !== 'running').reduce((n, c) => n + (c.SizeRw ?? 0), 0);
      const volumesSize = usage.volumes.reduce((n, v) => n + Math.max(0, v.size), 0);
      const volumesUnused = usage.volumes.filter((v) => v.refCount === 0).reduce((n, v) => n + Math.max(0, v.size), 0);
      const rows: DfRow[] = [
        { Type: 'Images', TotalCount: usage.images.length, Active: imagesActive.length, Size: humanSize(imagesSize), Reclaimable: reclaimable(Math.max(0, imagesUnused), imagesSize) },
        { Type: 'Containers', TotalCount: containers.length, Active: containers.filter((c) => c.State === 'running').length, Size: humanSize(containersSize), Reclaimable: reclaimable(containersStopped, containersSize) },
        { Type: 'Local Volumes', TotalCount: usage.volumes.length, Active: usage.volumes.filter((v) => v.refCount > 0).length, Size: humanSize(volumesSize), Reclaimable: reclaimable(volumesUnused, volumesSize) },
        { Type: 'Build Cache', TotalCount: 0, Active: 0, Size: humanSize(0), Reclaimable: humanSize(0) },
      ];
      ctx.stdout.write(
        formatRows(rows, {
          format: opts.format,
          defaultTable: '{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
          headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
          context: (r) => r,
        }),
      );
    });
}

function configurePrune(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Remove unused data')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-a, --all', 'Remove all unused images not just dangling ones')
    .option('--volumes', 'Prune anonymous volumes')
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (args: string[], opts: { all?: boolean; volumes?: boolean; force?: boolean }, self: Command) => {
      checkArgs(self, args, { none: true });
      const lines = ['all stopped containers', ...(opts.volumes ? ['all anonymous volumes not used by at least one container'] : []), opts.all ? 'all images without at least one container associated to them' : 'all dangling images', 'unused build cache'];
      const warning = `WARNING! This will remove:\n${lines.map((l) => `  - ${l}`).join('\n')}\n`;
      if (!opts.force && !(await confirm(ctx, warning))) return;
      const engine = await ctx.engine();
      let reclaimed = 0;
      let out = '';
      const containers = await engine.containers.prune();
      reclaimed += containers.SpaceReclaimed;
      if (containers.ContainersDeleted.length > 0) out += `Deleted Containers:\n${containers.ContainersDeleted.join('\n')}\n\n`;
      if (opts.volumes) {
        const volumes = await engine.volumes.prune();
        reclaimed += volumes.spaceReclaimed;
        if (volumes.deleted.length > 0) out += `Deleted Volumes:\n${volumes.deleted.join('\n')}\n\n`;
      }
      const images = await engine.images.prune(opts.all ? { dangling: ['false'] } : {});
      reclaimed += images.spaceReclaimed;
      const deleted = images.deleted;
      if (deleted.length > 0) {
        out += 'Deleted Images:\n';
        for (const item of deleted) out += 'Untagged' in item ? `untagged: ${item.Untagged}\n` : `deleted: ${item.Deleted}\n`;
        out += '\n';
      }
      const cache = await engine.builds.prune();
      reclaimed += cache.spaceReclaimed;
      out += `Total reclaimed space: ${humanSize(reclaimed)}\n`;
      ctx.stdout.write(out);
    });
}

async function info(ctx: CliContext): Promise<void> {
  const engine = await ctx.engine();
  const s = engine.system;
  const c = s.containerCounts();
  const lines = [
    'Server:',
    ` Containers: ${c.total}`,
    `  Running: ${c.running}`,
    `  Paused: ${c.paused}`,
    `  Stopped: ${c.stopped}`,
    ` Images: ${await s.imageCount()}`,
    ` Server Version: ${s.version}`,
    ' Storage Driver: wasmbox',
    '  Backing: OCI image layout',
    '  Isolation: WebAssembly (WASI preview1)',
    ' Plugins:',
    '  Volume: local',
    '  Network: none',
    ` Runtimes: wasmbox`,
    ' Default Runtime: wasmbox',
    ` Kernel Version: ${s.host.kernelVersion}`,
    ` Operating System: wasmbox (WebAssembly on ${s.host.os})`,
    ` OSType: wasi`,
    ` Architecture: ${s.host.arch}`,
    ` CPUs: ${s.host.ncpu}`,
    ` Total Memory: ${bytesSize(s.host.memTotal)}`,
    ` Name: ${s.host.name}`,
    ` ID: ${s.id}`,
    ` Docker Root Dir: ${s.root}`,
    '',
  ];
  ctx.stdout.write(lines.join('\n'));
}

function configureInfo(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Display system-wide information')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .action(async (args: string[], _opts: unknown, self: Command) => {
      checkArgs(self, args, { none: true });
      await info(ctx);
    });
}

export function register(program: Command, ctx: CliContext): void {
  const group = program.command('system').description('Manage wasmbox').usage('COMMAND');
  configureDf(group.command('df'), ctx);
  configureInfo(group.command('info'), ctx);
  configurePrune(group.command('prune'), ctx);
  events.configure(group.command('events'), ctx);
  configureInfo(program.command('info'), ctx);
}
