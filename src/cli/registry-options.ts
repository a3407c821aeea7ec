// What the registry commands (pull, push, login, logout, search) share: the client with the
// user's credentials (config.json) and the registries to reach over plain http
// (`--insecure-registry` flags and WASMBOX_INSECURE_REGISTRIES, comma-separated).

import type { Command } from 'commander';
import { RegistryClient } from '../image/registry/client.js';
import type { FetchLike } from '../image/registry/client.js';
import { DockerConfigCredentialStore } from '../platform/node/docker-config.js';
import type { CliContext } from './context.js';

export interface InsecureRegistryOptions {
  insecureRegistry?: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds the repeatable `--insecure-registry HOST[:PORT]` flag. */
export function insecureRegistryOption(cmd: Command): Command {
  return cmd.option('--insecure-registry <host>', 'Use plain http for this registry (repeatable; also WASMBOX_INSECURE_REGISTRIES)', collect);
}

export function insecureRegistries(ctx: CliContext, opts: InsecureRegistryOptions): string[] {
  const fromEnv = (ctx.env.WASMBOX_INSECURE_REGISTRIES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return [...fromEnv, ...(opts.insecureRegistry ?? [])];
}

export function credentialStore(ctx: CliContext): DockerConfigCredentialStore {
  return new DockerConfigCredentialStore({ env: ctx.env });
}

/** Tests may inject a fetch through the context (`registryFetch`); the global one otherwise. */
export function registryClient(ctx: CliContext & { registryFetch?: FetchLike }, opts: InsecureRegistryOptions): RegistryClient {
  return new RegistryClient({
    credentials: credentialStore(ctx),
    insecureRegistries: insecureRegistries(ctx, opts),
    userAgent: 'wasmbox-cli',
    ...(ctx.registryFetch ? { fetch: ctx.registryFetch } : {}),
  });
}
