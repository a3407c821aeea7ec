// `wasmbox history` / `wasmbox image history`: an image's history, newest first, with the
// layer each step added (IMAGE CREATED CREATED BY SIZE COMMENT, like `docker history`).

import type { Command } from 'commander';
import { isWasmboxError } from '../../errors.js';
import type { ImageRecord } from '../../image/image-store.js';
import { type CliContext, ExitError } from '../context.js';
import { asStruct, formatRows } from '../format.js';
import { displayId, engineErrorMessage } from '../image-names.js';
import { createdSince, goTimeString, imageSize } from '../units.js';
import { checkArgs } from '../usage.js';

export interface HistoryRow {
  id: string;
  created: string | undefined;
  createdBy: string;
  size: number;
  comment: string;
}

/** The history steps, newest first; the image's own id on the top step, `<missing>` on the others. */
export function historyRows(record: ImageRecord): HistoryRow[] {
  const layers = record.manifest.layers;
  const history = record.config.history ?? [];
  const rows: HistoryRow[] = [];
  let layer = 0;
  if (history.length === 0) {
    for (const l of layers) rows.push({ id: '<missing>', created: record.config.created, createdBy: '', size: l.size, comment: '' });
  } else {
    for (const h of history) {
      const size = h.empty_layer ? 0 : (layers[layer++]?.size ?? 0);
      rows.push({ id: '<missing>', created: h.created, createdBy: h.created_by ?? '', size, comment: h.comment ?? '' });
    }
  }
  rows.reverse();
  if (rows[0]) rows[0].id = record.id;
  return rows;
}

/** docker's Ellipsis: at most `max` characters, the last one "…" when cut. */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max - 1).join('') + '…';
}

interface HistoryOptions {
  format?: string;
  trunc: boolean;
  quiet?: boolean;
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Show the history of an image')
    .usage('[OPTIONS] IMAGE')
    .argument('[args...]')
    .option('--format <string>', "Format output using a custom template:\n'table', 'table TEMPLATE', 'json' or 'TEMPLATE'")
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action(async (args: string[], opts: HistoryOptions, self: Command) => {
      checkArgs(self, args, { exactly: 1 });
      let rows: HistoryRow[];
      try {
        const client = ctx.client();
        rows = client
          ? (await client.images.history(args[0]!)).map((h) => ({
              id: h.Id,
              created: h.Created > 0 ? new Date(h.Created * 1000).toISOString() : undefined,
              createdBy: h.CreatedBy,
              size: h.Size,
              comment: h.Comment,
            }))
          : historyRows(await (await ctx.images()).resolve(args[0]!));
      } catch (e) {
        if (isWasmboxError(e)) throw new ExitError(1, `Error response from daemon: ${engineErrorMessage(e, args[0]!)}`);
        throw e;
      }
      const noTrunc = !opts.trunc;
      const out = formatRows(rows, {
        format: opts.quiet ? '{{.ID}}' : opts.format,
        defaultTable: '{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
        headers: { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' },
        context: (r) =>
          asStruct({
            Comment: r.comment,
            CreatedAt: goTimeString(r.created),
            CreatedBy: noTrunc ? r.createdBy : ellipsis(r.createdBy.replace(/\t/g, ' '), 45),
            CreatedSince: createdSince(r.created),
            ID: r.id === '<missing>' ? r.id : displayId(r.id, { noTrunc }),
            Size: imageSize(r.size),
          }),
      });
      ctx.stdout.write(out);
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('history'), ctx);
}
