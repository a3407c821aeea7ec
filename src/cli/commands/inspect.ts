// `wasmbox inspect`, `image inspect` and `container inspect`: docker's JSON for containers and
// images (containers first, as docker looks them up), an array indented by 4 spaces, or one
// `-f` template result per object.

import type { Command } from 'commander';
import { isWasmboxError } from '../../errors.js';
import { imageInspect } from '../../engine/images.js';
import { type CliContext, ExitError } from '../context.js';
import { renderTemplate } from '../format.js';
import { checkArgs } from '../usage.js';

/** The object `docker image inspect` prints for an image: the engine's ImageInspect. */
export const inspectImage = imageInspect;

interface InspectOptions {
  format?: string;
  type?: string;
  size?: boolean;
}

type Missing = 'image' | 'container' | 'object';

/** Finds `name` among the kinds `missing` allows: containers first, then images (docker's order). */
async function lookup(ctx: CliContext, name: string, opts: InspectOptions, missing: Missing): Promise<unknown> {
  if (missing !== 'image' && opts.type !== 'image') {
    try {
      const api = await ctx.containers();
      return await api.inspect(name, opts.size ? { size: true } : {});
    } catch (e) {
      if (!isWasmboxError(e, 'NOT_FOUND') && !(e instanceof ExitError)) throw e;
      if (missing === 'container' || opts.type === 'container') return undefined;
    }
  }
  try {
    return await (await ctx.imageApi()).inspect(name);
  } catch (e) {
    if (!isWasmboxError(e, 'IMAGE_NOT_FOUND') && !isWasmboxError(e, 'INVALID_REFERENCE')) throw e;
    return undefined;
  }
}

async function inspectAction(ctx: CliContext, names: string[], opts: InspectOptions, missing: Missing): Promise<void> {
  if (opts.type !== undefined && opts.type !== 'image' && opts.type !== 'container') {
    throw new ExitError(1, `"${opts.type}" is not a valid value for --type`);
  }
  const what: Missing = opts.type === 'image' || opts.type === 'container' ? opts.type : missing;
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    const item = await lookup(ctx, name, opts, what);
    if (item === undefined) errors.push(`Error: No such ${what}: ${name}`);
    else found.push(item);
  }
  const format = opts.format?.trim();
  if (format === undefined || format === '' || format === 'json') {
    ctx.stdout.write(JSON.stringify(found, (_k, v: unknown) => (v instanceof Uint8Array ? undefined : v), 4) + '\n');
  } else {
    const source = opts.format!.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
    let out = '';
    for (const item of found) out += renderTemplate(source, item) + '\n';
    ctx.stdout.write(out);
  }
  if (errors.length > 0) throw new ExitError(1, errors.join('\n'));
}

const FORMAT_HELP =
  "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template";

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Display detailed information on one or more images')
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .argument('[args...]')
    .option('-f, --format <string>', FORMAT_HELP)
    .action(async (args: string[], opts: InspectOptions, self: Command) => {
      checkArgs(self, args, { min: 1 });
      await inspectAction(ctx, args, opts, 'image');
    });
}

/** `wasmbox container inspect`: containers only. */
export function configureContainer(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Display detailed information on one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('[args...]')
    .option('-f, --format <string>', FORMAT_HELP)
    .option('-s, --size', 'Display total file sizes')
    .action(async (args: string[], opts: InspectOptions, self: Command) => {
      checkArgs(self, args, { min: 1 });
      await inspectAction(ctx, args, opts, 'container');
    });
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('inspect')
    .description('Return low-level information on wasmbox objects (containers and images)')
    .usage('[OPTIONS] NAME|ID [NAME|ID...]')
    .argument('[args...]')
    .option('-f, --format <string>', FORMAT_HELP)
    .option('-s, --size', 'Display total file sizes if the type is container')
    .option('--type <string>', 'Only inspect objects of the given type')
    .action(async (args: string[], opts: InspectOptions, self: Command) => {
      checkArgs(self, args, { min: 1 });
      await inspectAction(ctx, args, opts, 'object');
    });
}
