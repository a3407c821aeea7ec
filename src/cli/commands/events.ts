// `wasmbox events` (and `system events`): the daemon's event stream, printed as docker does
// (`<time> <type> <action> <id> (k=v, …)` or a --format template). Events happen in the
// daemon, so without one there is nothing to follow.

import type { Command } from 'commander';
import { type CliContext, ExitError } from '../context.js';
import { renderTemplate } from '../format.js';
import { checkArgs } from '../usage.js';
import { parseFilterFlags } from './ps.js';

// No default ([]): commander would print "(default: [])" in --help.
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

interface EventsOptions {
  since?: string;
  until?: string;
  filter?: string[];
  format?: string;
}

/**
 * RFC 3339 with nanoseconds, docker's default line. timeNano arrives as a JSON number, which
 * holds only ~17 digits, and the engine's clock counts milliseconds: print those exactly.
 */
function eventTime(e: Record<string, unknown>): string {
  const ms = e.timeNano !== undefined ? Math.round(Number(e.timeNano) / 1e6) : Number(e.time ?? 0) * 1000;
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function eventLine(e: Record<string, unknown>): string {
  const actor = (e.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
  const attrs = Object.entries(actor.Attributes ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${eventTime(e)} ${String(e.Type)} ${String(e.Action)} ${actor.ID ?? ''}${attrs === '' ? '' : ` (${attrs})`}`;
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Get real time events from the server')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <format>', 'Format output using a custom template ("json" or a Go template)')
    .option('--since <string>', 'Show all events created since timestamp')
    .option('--until <string>', 'Stream events until this timestamp')
    .action(async (args: string[], opts: EventsOptions, self: Command) => {
      checkArgs(self, args, { none: true });
      const client = ctx.client();
      if (client === undefined) {
        throw new ExitError(1, 'wasmbox events needs a daemon: start one with `wasmbox daemon` (events happen in the daemon)');
      }
      const filters = parseFilterFlags(opts.filter ?? []);
      const query: Record<string, string> = {};
      if (opts.since !== undefined) query.since = opts.since;
      if (opts.until !== undefined) query.until = opts.until;
      if (Object.keys(filters).length > 0) query.filters = JSON.stringify(filters);
      const format = opts.format?.trim();
      await client.stream('GET', '/events', { query }, (e) => {
        if (format === 'json' || format === '{{json .}}') ctx.stdout.write(JSON.stringify(e) + '\n');
        else if (format !== undefined && format !== '') ctx.stdout.write(renderTemplate(format, e) + '\n');
        else ctx.stdout.write(eventLine(e) + '\n');
      });
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('events'), ctx);
}
