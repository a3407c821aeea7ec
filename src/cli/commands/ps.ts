// `wasmbox ps` / `container ls`: docker's container table — CONTAINER ID, IMAGE, COMMAND
// (quoted, cut at 20 columns with "…"), CREATED ("2 seconds ago"), STATUS, PORTS, NAMES — and
// -a, -q, -n, -l, -s, --no-trunc, --filter, --format.

import type { Command } from 'commander';
import type { ContainerSummary } from '../../engine/container-types.js';
import { type CliContext, ExitError } from '../context.js';
import { asStruct, formatRows } from '../format.js';
import { shortId } from '../container-io.js';
import { goTimeString, humanDuration, humanSizeWithPrecision } from '../units.js';
import { checkArgs } from '../usage.js';

interface PsOptions {
  all?: boolean;
  quiet?: boolean;
  last?: string;
  latest?: boolean;
  size?: boolean;
  trunc: boolean;
  filter?: string[];
  format?: string;
}

export const CONTAINER_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES',
};

const TABLE = '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** go-units' Ellipsis: at most `max` columns, the last one "…" when cut. */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return chars.slice(0, max - 1).join('') + '…';
}

/** Go's strconv.Quote for the printable strings commands are made of. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h}`);
}

function ports(c: ContainerSummary): string {
  return c.Ports.map((p) => (p.PublicPort !== undefined ? `${p.IP ?? '0.0.0.0'}:${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`)).join(', ');
}

/** The template data of one container (docker's containerContext); `now` fixes "ago" for tests. */
export function containerContext(c: ContainerSummary, options: { noTrunc?: boolean; now?: number } = {}): object {
  const trunc = !options.noTrunc;
  const names = c.Names.map((n) => n.replace(/^\//, '')).filter((n) => !n.includes('/'));
  const now = options.now ?? Date.now();
  const size = c.SizeRw !== undefined ? humanSizeWithPrecision(c.SizeRw, 3) + (c.SizeRootFs ? ` (virtual ${humanSizeWithPrecision(c.SizeRootFs, 3)})` : '') : '0B';
  let image = c.Image;
  if (trunc && /^sha256:[a-f0-9]{64}$/.test(image)) image = image.slice(7, 19);
  return asStruct({
    ID: trunc ? shortId(c.Id) : c.Id,
    Image: image,
    Command: goQuote(trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: goTimeString(new Date(c.Created * 1000).toISOString()),
    RunningFor: `${humanDuration(now - c.Created * 1000)} ago`,
    Ports: ports(c),
    State: c.State,
    Status: c.Status,
    Size: size,
    Names: names.join(','),
    Labels: Object.entries(c.Labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Mounts: c.Mounts.map((m) => (m.Name !== undefined && m.Name !== '' ? (trunc ? ellipsis(m.Name, 15) : m.Name) : m.Source)).join(','),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
    LocalVolumes: String(c.Mounts.filter((m) => m.Type === 'volume').length),
  });
}

/** `--filter k=v` flags as the API's filters map. */
export function parseFilterFlags(values: string[]): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq === -1) throw new ExitError(125, `invalid argument "${v}" for "-f, --filter" flag: bad format of filter (expected name=value)`);
    (filters[v.slice(0, eq).trim().toLowerCase()] ??= []).push(v.slice(eq + 1));
  }
  return filters;
}

// No default ([]): commander would print "(default: [])" in --help.
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('List containers')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option(
      '--format <string>',
      "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template",
    )
    .option('-n, --last <int>', 'Show n last created containers (includes all states)')
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only display container IDs')
    .option('-s, --size', 'Display total file sizes')
    .action(async (args: string[], opts: PsOptions, self: Command) => {
      checkArgs(self, args, { none: true });
      let limit: number | undefined;
      if (opts.last !== undefined) {
        limit = Number(opts.last);
        if (!Number.isInteger(limit)) throw new ExitError(125, `invalid argument "${opts.last}" for "-n, --last" flag: strconv.ParseInt: parsing "${opts.last}": invalid syntax`);
      }
      if (opts.latest) limit = 1;
      const api = await ctx.containers();
      const list = await api.list({
        all: opts.all === true || (limit !== undefined && limit > 0),
        ...(limit !== undefined && limit > 0 ? { limit } : {}),
        size: opts.size === true,
        filters: parseFilterFlags(opts.filter ?? []),
      });
      const noTrunc = !opts.trunc;
      const format = opts.quiet ? '{{.ID}}' : opts.format;
      const defaultTable = opts.size ? `${TABLE}\t{{.Size}}` : TABLE;
      ctx.stdout.write(formatRows(list, { format, defaultTable, headers: CONTAINER_HEADERS, context: (c) => containerContext(c, { noTrunc }) }));
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('ps'), ctx);
}
