// `wasmbox login [SERVER]`: checks credentials against a registry (`/v2/` must accept them) and
// stores them in $WASMBOX_CONFIG/config.json; flags as docker's (-u, -p, --password-stdin).

import type { Command } from 'commander';
import { DEFAULT_DOMAIN } from '../../image/reference.js';
import { credentialKey, registryOfKey } from '../../image/registry/auth.js';
import { type CliContext, ExitError } from '../context.js';
import { type InsecureRegistryOptions, credentialStore, insecureRegistryOption, registryClient } from '../registry-options.js';
import { checkArgs } from '../usage.js';

interface LoginCliOptions extends InsecureRegistryOptions {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

async function readAll(stdin: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const c of stdin) chunks.push(c);
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The registry a `login`/`logout` argument names: `docker.io` when absent. */
export function serverDomain(server: string | undefined): string {
  return server === undefined || server === '' ? DEFAULT_DOMAIN : registryOfKey(server);
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return insecureRegistryOption(
    cmd
      .description('Log in to a registry.\nIf no server is specified, the default is defined by the daemon.')
      .usage('[OPTIONS] [SERVER]')
      .argument('[args...]')
      .option('-u, --username <string>', 'Username')
      .option('-p, --password <string>', 'Password or Personal Access Token (PAT)')
      .option('--password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin'),
  ).action(async (args: string[], opts: LoginCliOptions, self: Command) => {
    checkArgs(self, args, { max: 1 });
    const domain = serverDomain(args[0]);
    let password = opts.password;
    if (password !== undefined) ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    if (opts.passwordStdin) {
      if (password !== undefined) throw new ExitError(1, '--password and --password-stdin are mutually exclusive');
      if (opts.username === undefined) throw new ExitError(1, 'Must provide --username with --password-stdin');
      password = (await readAll(ctx.stdin)).replace(/\r?\n$/, '');
    }
    const store = credentialStore(ctx);
    const client = registryClient(ctx, opts);
    if (opts.username === undefined && password === undefined) {
      // As docker: reuse stored credentials when they still work.
      const saved = await store.get(domain);
      if (!saved) throw new ExitError(1, 'Error: Cannot perform an interactive login from a non TTY device');
      await client.login(domain, saved);
      ctx.stdout.write('Login Succeeded\n');
      return;
    }
    if (opts.username === undefined || opts.username === '') throw new ExitError(1, 'Error: Non-null Username Required');
    if (password === undefined || password === '') throw new ExitError(1, 'Error: Non-null Password Required');
    const credentials = { username: opts.username, password };
    await client.login(domain, credentials);
    await store.store(credentialKey(domain), credentials);
    ctx.stdout.write('Login Succeeded\n');
  });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('login'), ctx);
}
