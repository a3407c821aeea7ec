// `wasmbox images` / `wasmbox image ls`: the image table of `docker images`, with its flags
// (-a, -q, --digests, --no-trunc, --filter, --format) and its columns, spacing and units.

import type { Command } from 'commander';
import type { ImageSummary } from '../../image/image-store.js';
import { tryParseReference } from '../../image/reference.js';
import { type CliContext, ExitError } from '../context.js';
import { asStruct, formatRows } from '../format.js';
import { displayId, referenceMatches } from '../image-names.js';
import { createdSince, goTimeString, humanSize, imageSize } from '../units.js';
import { checkArgs } from '../usage.js';

export interface ImagesOptions {
  all?: boolean;
  digests?: boolean;
  filter?: string[];
  format?: string;
  trunc: boolean;
  quiet?: boolean;
}

/** One line of `docker images`: an image under one of its names. */
export interface ImageRow {
  image: ImageSummary;
  repository: string;
  tag: string;
  digest: string;
}

const NONE = '<none>';

export const IMAGE_HEADERS: Record<string, string> = {
  Containers: 'CONTAINERS',
  CreatedAt: 'CREATED AT',
  CreatedSince: 'CREATED',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  SharedSize: 'SHARED SIZE',
  Size: 'SIZE',
  Tag: 'TAG',
  UniqueSize: 'UNIQUE SIZE',
  VirtualSize: 'SIZE',
};

const TABLE = '{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
const TABLE_DIGESTS = '{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

/** The rows of an image: one per tag; `<none>` names for a dangling image. */
export function imageRows(image: ImageSummary): ImageRow[] {
  const digestOf = (repository: string) => image.repoDigests.find((d) => d.startsWith(`${repository}@`))?.slice(repository.length + 1) ?? NONE;
  if (image.repoTags.length > 0) {
    return image.repoTags.map((t) => {
      const ref = tryParseReference(t);
      const repository = ref?.familiarRepository ?? t.slice(0, t.lastIndexOf(':'));
      return { image, repository, tag: ref?.tag ?? NONE, digest: digestOf(repository) };
    });
  }
  if (image.repoDigests.length > 0) {
    return image.repoDigests.map((d) => {
      const at = d.indexOf('@');
      return { image, repository: d.slice(0, at), tag: NONE, digest: d.slice(at + 1) };
    });
  }
  return [{ image, repository: NONE, tag: NONE, digest: NONE }];
}

/** The template data of a row (docker's imageContext); `now` fixes "ago" for tests. */
export function imageRowContext(row: ImageRow, options: { noTrunc?: boolean; now?: number } = {}): object {
  return asStruct({
    Containers: 'N/A',
    CreatedAt: goTimeString(row.image.created),
    CreatedSince: createdSince(row.image.created, options.now),
    Digest: row.digest,
    ID: displayId(row.image.id, options),
    Repository: row.repository,
    SharedSize: 'N/A',
    Size: imageSize(row.image.size),
    Tag: row.tag,
    UniqueSize: 'N/A',
    VirtualSize: humanSize(row.image.size),
  });
}

interface Filters {
  dangling?: boolean;
  reference: string[];
  label: string[];
  before?: string;
  since?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseFilters(values: string[]): Filters {
  const f: Filters = { reference: [], label: [] };
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq === -1) throw new ExitError(125, `invalid argument "${v}" for "-f, --filter" flag: bad format of filter (expected name=value)`);
    const key = v.slice(0, eq).trim().toLowerCase();
    const value = v.slice(eq + 1);
    if (key === 'dangling') {
      if (!/^(true|false|1|0)$/i.test(value)) throw new ExitError(1, `Error response from daemon: invalid filter 'dangling=${value}'`);
      f.dangling = /^(true|1)$/i.test(value);
    } else if (key === 'reference') f.reference.push(value);
    else if (key === 'label') f.label.push(value);
    else if (key === 'before') f.before = value;
    else if (key === 'since') f.since = value;
    else throw new ExitError(1, `Error response from daemon: invalid filter '${key}'`);
  }
  return f;
}

function hasLabel(image: ImageSummary, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq === -1) return Object.prototype.hasOwnProperty.call(image.labels, filter);
  return image.labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

/** The rows `docker images` shows for these filters (a positional REPOSITORY[:TAG] is a reference filter). */
export async function listImageRows(ctx: CliContext, filters: string[]): Promise<ImageRow[]> {
  const f = parseFilters(filters);
  const api = await ctx.imageApi();
  let images = await api.list();
  const createdOf = async (name: string, key: string) => {
    try {
      const created = (await api.inspect(name)).Created;
      return typeof created === 'string' ? created : '';
    } catch {
      throw new ExitError(1, `Error response from daemon: invalid filter '${key}=${name}': No such image: ${name}`);
    }
  };
  if (f.before !== undefined) {
    const t = await createdOf(f.before, 'before');
    images = images.filter((i) => (i.created ?? '') < t);
  }
  if (f.since !== undefined) {
    const t = await createdOf(f.since, 'since');
    images = images.filter((i) => (i.created ?? '') > t);
  }
  if (f.dangling !== undefined) images = images.filter((i) => (i.repoTags.length === 0) === f.dangling);
  for (const l of f.label) images = images.filter((i) => hasLabel(i, l));
  const rows: ImageRow[] = [];
  for (const image of images) {
    if (f.reference.length > 0) {
      // Like the daemon: only the names that match are listed; an image with none is left out.
      const tags = image.repoTags.filter((t) => f.reference.some((p) => referenceMatches(p, t)));
      if (tags.length === 0) continue;
      rows.push(...imageRows({ ...image, repoTags: tags }));
    } else rows.push(...imageRows(image));
  }
  return rows;
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('List images')
    .usage('[OPTIONS] [REPOSITORY[:TAG]]')
    .argument('[args...]')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided (dangling=true|false, reference=PATTERN, label=KEY[=VALUE], before=IMAGE, since=IMAGE)', collect)
    .option(
      '--format <string>',
      "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template",
    )
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action(async (args: string[], opts: ImagesOptions, self: Command) => {
      checkArgs(self, args, { max: 1 });
      const filters = [...(opts.filter ?? []), ...args.map((a) => `reference=${a}`)];
      const rows = await listImageRows(ctx, filters);
      const noTrunc = !opts.trunc;
      const format = opts.quiet ? '{{.ID}}' : opts.format;
      const out = formatRows(rows, {
        format,
        defaultTable: opts.digests ? TABLE_DIGESTS : TABLE,
        headers: IMAGE_HEADERS,
        context: (r) => imageRowContext(r, { noTrunc }),
      });
      ctx.stdout.write(out);
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('images'), ctx);
}
