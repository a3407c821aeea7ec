// `wasmbox logout [SERVER]`: forgets the stored credentials of a registry (docker.io by default).

import type { Command } from 'commander';
import { credentialKey } from '../../image/registry/auth.js';
import type { CliContext } from '../context.js';
import { credentialStore } from '../registry-options.js';
import { checkArgs } from '../usage.js';
import { serverDomain } from './login.js';

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Log out from a registry.\nIf no server is specified, the default is defined by the daemon.')
    .usage('[SERVER]')
    .argument('[args...]')
    .action(async (args: string[], _opts: unknown, self: Command) => {
      checkArgs(self, args, { max: 1 });
      const domain = serverDomain(args[0]);
      const key = credentialKey(domain);
      const removed = await credentialStore(ctx).erase(domain);
      ctx.stdout.write(removed ? `Removing login credentials for ${key}\n` : `Not logged in to ${key}\n`);
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('logout'), ctx);
}
