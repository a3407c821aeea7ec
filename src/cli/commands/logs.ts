// `wasmbox logs [-f] [--tail N] [-t] [--since] [--until]`: a container's stored output,
// stdout to our stdout and stderr to our stderr, as `docker logs`.

import type { Command } from 'commander';
import type { LogOptions } from '../../engine/container-types.js';
import { type CliContext, ExitError } from '../context.js';
import { copyOutput } from '../container-io.js';
import { checkArgs } from '../usage.js';

interface LogsFlags {
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
  since?: string;
  until?: string;
  details?: boolean;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** docker's GetTimestamp: a Go duration ("10m", "1h30m") before now, RFC 3339, or unix seconds. */
export function parseTimeArg(value: string, flag: string, now: number = Date.now()): number {
  const v = value.trim();
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) {
    let seconds = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) seconds += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    return now / 1000 - seconds;
  }
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t)) throw new ExitError(1, `invalid value for "${flag}": failed to parse value as time or duration: "${value}"`);
  return t / 1000;
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Fetch the logs of a container')
    .usage('[OPTIONS] CONTAINER')
    .argument('[args...]')
    .option('--details', 'Show extra details provided to logs')
    .option('-f, --follow', 'Follow log output')
    .option('--since <string>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option('-n, --tail <string>', 'Number of lines to show from the end of the logs (default "all")')
    .option('-t, --timestamps', 'Show timestamps')
    .option('--until <string>', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .action(async (args: string[], flags: LogsFlags, self: Command) => {
      checkArgs(self, args, { exactly: 1 });
      const options: LogOptions = { stdout: true, stderr: true, follow: flags.follow === true };
      if (flags.tail !== undefined && flags.tail !== 'all') {
        const n = Number(flags.tail);
        // docker reads a bad or negative --tail as "all".
        if (Number.isInteger(n) && n >= 0) options.tail = n;
      }
      if (flags.since !== undefined) options.since = parseTimeArg(flags.since, '--since');
      if (flags.until !== undefined) options.until = parseTimeArg(flags.until, '--until');
      const api = await ctx.containers();
      const info = await api.inspect(args[0]!);
      await copyOutput(ctx, api.logs(args[0]!, options), { tty: info.Config.Tty === true, timestamps: flags.timestamps === true });
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('logs'), ctx);
}
