// `wasmbox stats`: memory use and process counts per container, redrawn every second until
// interrupted or until no container shown is running; `--no-stream` prints one snapshot.

import type { Command } from 'commander';
import type { ContainerStats } from '../../engine/container-types.js';
import type { CliContext } from '../context.js';
import { asStruct, formatRows } from '../format.js';
import { shortId } from '../container-io.js';
import { bytesSize, humanSizeWithPrecision } from '../units.js';

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
    .description('Display a live stream of container(s) resource usage statistics')
    .usage('[OPTIONS] [CONTAINER...]')
    .argument('[args...]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('--format <string>', 'Format output using a custom template')
    .option('--no-stream', 'Disable streaming stats and only pull the first result')
    .option('--no-trunc', 'Do not truncate output')
    .action(async (args: string[], opts: StatsOptions) => {
      const api = await ctx.containers();
      const frame = async (): Promise<{ text: string; running: number }> => {
        const targets = args.length > 0 ? args : (await api.list({ all: opts.all === true })).map((c) => c.Id);
        const rows: Row[] = [];
        let running = 0;
        for (const t of targets) {
          const info = await api.inspect(t);
          if (info.State.Running) running++;
          rows.push({ id: info.Id, name: info.Name.replace(/^\//, ''), stats: await api.stats(info.Id) });
        }
        return { text: formatRows(rows, { format: opts.format, defaultTable: TABLE, headers: HEADERS, context: (r) => context(r, !opts.trunc) }), running };
      };
      if (!opts.stream) {
        ctx.stdout.write((await frame()).text);
        return;
      }
      // Like docker: redraw every second (clearing a terminal) until Ctrl-C; we also end once
      // nothing shown is running, since no number can change any more.
      let stopped = false;
      let wake: () => void = () => undefined;
      const unsubscribe = ctx.onSignal?.(() => {
        stopped = true;
        wake();
      });
      try {
        for (;;) {
          const { text, running } = await frame();
          ctx.stdout.write((ctx.stdout.isTTY ? '\x1b[2J\x1b[H' : '') + text);
          if (stopped || running === 0) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 1000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          if (stopped) break;
        }
      } finally {
        unsubscribe?.();
      }
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('stats'), ctx);
}
