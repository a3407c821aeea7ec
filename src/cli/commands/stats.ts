// `wasmbox stats --no-stream`: one snapshot of memory use and process counts per container
// (a live refreshing view is not implemented: --no-stream is implied).

import type { Command } from 'commander';
import type { ContainerStats } from '../../engine/container-types.js';
import type { CliContext } from '../context.js';
import { asStruct, formatRows } from '../format.js';
import { shortId } from '../container-io.js';
import { humanSizeWithPrecision } from '../units.js';

interface StatsOptions {
  all?: boolean;
  stream: boolean;
  trunc: boolean;
  format?: string;
}

interface Row {
  id: string;
  name: string;
  stats: ContainerStats;
}

const HEADERS: Record<string, string> = {
  Container: 'CONTAINER ID',
  ID: 'CONTAINER ID',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

const TABLE = '{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

/** go-units BytesSize: binary units, 4 significant digits ("1.5MiB"). */
function bytesSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

function context(row: Row, noTrunc: boolean): object {
  const { usage, limit } = row.stats.memory_stats;
  return asStruct({
    Container: noTrunc ? row.id : shortId(row.id),
    ID: noTrunc ? row.id : shortId(row.id),
    Name: row.name,
    CPUPerc: '0.00%',
    MemUsage: `${bytesSize(usage)} / ${bytesSize(limit)}`,
    MemPerc: `${(limit > 0 ? (usage / limit) * 100 : 0).toFixed(2)}%`,
    NetIO: `${humanSizeWithPrecision(0, 3)} / ${humanSizeWithPrecision(0, 3)}`,
    BlockIO: `${humanSizeWithPrecision(0, 3)} / ${humanSizeWithPrecision(0, 3)}`,
    PIDs: String(row.stats.pids_stats.current),
  });
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Display a snapshot of container(s) resource usage statistics')
    .usage('[OPTIONS] [CONTAINER...]')
    .argument('[args...]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('--format <string>', 'Format output using a custom template')
    .option('--no-stream', 'Disable streaming stats and only pull the first result')
    .option('--no-trunc', 'Do not truncate output')
    .action(async (args: string[], opts: StatsOptions) => {
      const api = await ctx.containers();
      const targets = args.length > 0 ? args : (await api.list({ all: opts.all === true })).map((c) => c.Id);
      const rows: Row[] = [];
      for (const t of targets) {
        const info = await api.inspect(t);
        rows.push({ id: info.Id, name: info.Name.replace(/^\//, ''), stats: await api.stats(info.Id) });
      }
      ctx.stdout.write(formatRows(rows, { format: opts.format, defaultTable: TABLE, headers: HEADERS, context: (r) => context(r, !opts.trunc) }));
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('stats'), ctx);
}
