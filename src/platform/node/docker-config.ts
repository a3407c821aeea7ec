// Registry credentials on a Node host, in docker's config.json format: `auths.<registry>.auth`
// (base64 of user:password) or `identitytoken`. wasmbox writes $WASMBOX_CONFIG/config.json
// (default ~/.wasmbox/config.json) and falls back to reading ~/.docker/config.json, so a
// `docker login` done earlier works too. Credential helpers (credsStore) are not run.

import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { WasmboxError } from '../../errors.js';
import { credentialKey, decodeAuthField, encodeAuthField, registryOfKey } from '../../image/registry/auth.js';
import type { CredentialStore, RegistryCredentials } from '../../image/registry/auth.js';
import { writeFileAtomic } from './atomic-file.js';

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
  [extra: string]: unknown;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  [extra: string]: unknown;
}

/** `$WASMBOX_CONFIG/config.json`, else `~/.wasmbox/config.json`. */
export function wasmboxConfigFile(env: Record<string, string | undefined>): string {
  if (env.WASMBOX_CONFIG) return join(resolve(env.WASMBOX_CONFIG), 'config.json');
  return join(env.HOME || homedir(), '.wasmbox', 'config.json');
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigFile(env: Record<string, string | undefined>): string {
  if (env.DOCKER_CONFIG) return join(resolve(env.DOCKER_CONFIG), 'config.json');
  return join(env.HOME || homedir(), '.docker', 'config.json');
}

async function readConfig(path: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const doc = JSON.parse(text) as unknown;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not a JSON object');
    return doc as ConfigFile;
  } catch (e) {
    throw new WasmboxError('INVALID_ARGUMENT', `${path}: invalid credentials file: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function entryToCredentials(entry: AuthEntry): RegistryCredentials | undefined {
  const out: RegistryCredentials = {};
  const decoded = entry.auth ? decodeAuthField(entry.auth) : undefined;
  if (decoded) {
    out.username = decoded.username;
    out.password = decoded.password;
  } else if (typeof entry.username === 'string') {
    out.username = entry.username;
    if (typeof entry.password === 'string') out.password = entry.password;
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken) out.identityToken = entry.identitytoken;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken) out.registryToken = entry.registrytoken;
  return Object.keys(out).length > 0 ? out : undefined;
}

function findEntry(config: ConfigFile | undefined, registry: string): AuthEntry | undefined {
  const auths = config?.auths;
  if (!auths) return undefined;
  const want = registryOfKey(registry);
  const exact = auths[credentialKey(want)];
  if (exact) return exact;
  for (const [key, entry] of Object.entries(auths)) if (registryOfKey(key) === want) return entry;
  return undefined;
}

export interface DockerConfigCredentialStoreOptions {
  env: Record<string, string | undefined>;
  /** Also read ~/.docker/config.json when wasmbox's own file has nothing (default true). */
  dockerFallback?: boolean;
}

export class DockerConfigCredentialStore implements CredentialStore {
  readonly path: string;
  readonly fallbackPath: string | undefined;

  constructor(options: DockerConfigCredentialStoreOptions) {
    this.path = wasmboxConfigFile(options.env);
    this.fallbackPath = options.dockerFallback === false ? undefined : dockerConfigFile(options.env);
  }

  async get(registry: string): Promise<RegistryCredentials | undefined> {
    const own = findEntry(await readConfig(this.path), registry);
    if (own) return entryToCredentials(own);
    if (this.fallbackPath === undefined || this.fallbackPath === this.path) return undefined;
    const theirs = findEntry(await readConfig(this.fallbackPath).catch(() => undefined), registry);
    return theirs ? entryToCredentials(theirs) : undefined;
  }

  async store(registry: string, credentials: RegistryCredentials): Promise<void> {
    const config = (await readConfig(this.path)) ?? {};
    const auths = { ...(config.auths ?? {}) };
    for (const key of Object.keys(auths)) if (registryOfKey(key) === registryOfKey(registry)) delete auths[key];
    const entry: AuthEntry = {};
    if (credentials.username !== undefined) entry.auth = encodeAuthField(credentials.username, credentials.password ?? '');
    if (credentials.identityToken) entry.identitytoken = credentials.identityToken;
    auths[credentialKey(registryOfKey(registry))] = entry;
    await this.#write({ ...config, auths });
  }

  async erase(registry: string): Promise<boolean> {
    const config = await readConfig(this.path);
    if (!config?.auths) return false;
    const auths = { ...config.auths };
    let removed = false;
    for (const key of Object.keys(auths)) {
      if (registryOfKey(key) === registryOfKey(registry)) {
        delete auths[key];
        removed = true;
      }
    }
    if (removed) await this.#write({ ...config, auths });
    return removed;
  }

  async #write(config: ConfigFile): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // The file holds passwords: readable by its owner only.
    await writeFileAtomic(this.path, JSON.stringify(config, null, '\t') + '\n', { mode: 0o600 });
  }
}
