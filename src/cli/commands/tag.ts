// `wasmbox tag SOURCE TARGET`: adds a name to an image (moving the name if another image had it).

import type { Command } from 'commander';
import { isWasmboxError } from '../../errors.js';
import { parseReference } from '../../image/reference.js';
import { type CliContext, ExitError } from '../context.js';
import { engineErrorMessage } from '../image-names.js';
import { checkArgs } from '../usage.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .usage('SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]')
    .argument('[args...]')
    .action(async (args: string[], _opts: unknown, self: Command) => {
      checkArgs(self, args, { exactly: 2 });
      const [source, target] = args as [string, string];
      let ref;
      try {
        ref = parseReference(target);
      } catch (e) {
        throw new ExitError(1, `Error parsing reference: "${target}" is not a valid repository/tag: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (ref.digest !== undefined) throw new ExitError(1, `Error response from daemon: refusing to create a tag with a digest reference`);
      const api = await ctx.imageApi();
      try {
        await api.tag(source, target);
      } catch (e) {
        if (isWasmboxError(e)) throw new ExitError(1, `Error response from daemon: ${engineErrorMessage(e, source)}`);
        throw e;
      }
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('tag'), ctx);
}
