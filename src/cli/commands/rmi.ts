// `wasmbox rmi` / `wasmbox image rm`: untags and deletes images, printing docker's
// `Untagged:`/`Deleted:` lines; carries on past a failing name and exits 1 at the end.

import type { Command } from 'commander';
import { isWasmboxError } from '../../errors.js';
import { type CliContext, ExitError } from '../context.js';
import { engineErrorMessage } from '../image-names.js';
import { checkArgs } from '../usage.js';

interface RmiOptions {
  force?: boolean;
  /** `--no-prune` (commander's negated flag): there are no untagged parents to keep yet. */
  prune: boolean;
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Remove one or more images')
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .argument('[args...]')
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents')
    .action(async (args: string[], opts: RmiOptions, self: Command) => {
      checkArgs(self, args, { min: 1 });
      const api = await ctx.imageApi();
      const errors: string[] = [];
      for (const name of args) {
        try {
          const items = await api.remove(name, { force: opts.force === true });
          let out = '';
          for (const item of items) out += 'Untagged' in item ? `Untagged: ${item.Untagged}\n` : `Deleted: ${item.Deleted}\n`;
          ctx.stdout.write(out);
        } catch (e) {
          if (!isWasmboxError(e)) throw e;
          errors.push(`Error response from daemon: ${engineErrorMessage(e, name)}`);
        }
      }
      if (errors.length > 0) throw new ExitError(1, errors.join('\n'));
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('rmi'), ctx);
}
