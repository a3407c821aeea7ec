// Registry credentials and the HTTP authentication challenges of the distribution spec: a small
// credential-store interface (the Node platform keeps a docker-style config.json behind it),
// `WWW-Authenticate` parsing (Basic and Bearer with realm/service/scope), Basic headers, and the
// daemon's `X-Registry-Auth` header.

import { WasmboxError } from '../../errors.js';

/** What `docker login` stores for one registry. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** An OAuth refresh token ("identitytoken" in config.json) some registries hand out at login. */
  identityToken?: string;
  /** A bearer token to send as is, without asking a token server. */
  registryToken?: string;
}

/** Where credentials live; `get` receives the registry's domain as in a reference (`docker.io`, `localhost:5000`). */
export interface CredentialStore {
  get(registry: string): Promise<RegistryCredentials | undefined>;
  store?(registry: string, credentials: RegistryCredentials): Promise<void>;
  /** True if something was removed. */
  erase?(registry: string): Promise<boolean>;
}

/** The key docker uses in config.json for a registry: Docker Hub has its legacy v1 URL. */
export function credentialKey(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io'
    ? 'https://index.docker.io/v1/'
    : registry;
}

/** Normalises a key of config.json (`https://host/v1/`, `http://host`, `host`) to the registry's domain. */
export function registryOfKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

export class MemoryCredentialStore implements CredentialStore {
  readonly #map = new Map<string, RegistryCredentials>();

  constructor(initial: Record<string, RegistryCredentials> = {}) {
    for (const [k, v] of Object.entries(initial)) this.#map.set(registryOfKey(k), v);
  }

  async get(registry: string): Promise<RegistryCredentials | undefined> {
    return this.#map.get(registryOfKey(registry));
  }

  async store(registry: string, credentials: RegistryCredentials): Promise<void> {
    this.#map.set(registryOfKey(registry), credentials);
  }

  async erase(registry: string): Promise<boolean> {
    return this.#map.delete(registryOfKey(registry));
  }
}

/** One challenge of a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"`. */
export interface AuthChallenge {
  /** Lowercased: `basic`, `bearer`. */
  scheme: string;
  /** Parameter names lowercased; values unquoted. */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Parses a `WWW-Authenticate` header (RFC 9110 §11.6.1) into its challenges. Lenient: unknown
 * syntax ends the current challenge instead of throwing, as a registry's header is untrusted.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const n = header.length;
  const skipSpace = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  const quoted = (): string => {
    // header[i] is the opening quote.
    i++;
    let s = '';
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < n) i++;
      s += header[i];
      i++;
    }
    i++;
    return s;
  };
  let current: AuthChallenge | undefined;
  while (i < n) {
    skipSpace();
    if (header[i] === ',') {
      i++;
      continue;
    }
    const start = i;
    const word = token();
    if (word === '') {
      i++;
      continue;
    }
    skipSpace();
    if (header[i] === '=' && current) {
      // A parameter of the current challenge (token68 values such as `abc==` also land here).
      i++;
      skipSpace();
      const value = header[i] === '"' ? quoted() : token();
      current.params[word.toLowerCase()] = value;
      continue;
    }
    if (header[i] === '=' && !current) {
      i = start + word.length + 1;
      continue;
    }
    current = { scheme: word.toLowerCase(), params: {} };
    out.push(current);
  }
  return out;
}

/** Base64 of UTF-8 text, isomorphic (btoa is a global in Node 20 and browsers). */
export function base64Encode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function base64Decode(b64: string): string {
  const bin = atob(b64.trim());
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${base64Encode(`${username}:${password}`)}`;
}

/** config.json's `auth` field: base64 of `user:password`. */
export function encodeAuthField(username: string, password: string): string {
  return base64Encode(`${username}:${password}`);
}

/** Splits config.json's `auth` field; undefined when it is not `user:password`. */
export function decodeAuthField(auth: string): { username: string; password: string } | undefined {
  let text: string;
  try {
    text = base64Decode(auth);
  } catch {
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The JSON the docker CLI puts (base64url) in `X-Registry-Auth` and posts to `/auth`. */
export interface DockerAuthConfig {
  username?: string;
  password?: string;
  /** Base64 `user:password`, as config.json stores it. */
  auth?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
  email?: string;
}

/** Credentials of docker's AuthConfig; undefined when it carries none (anonymous access). */
export function credentialsOfAuthConfig(config: DockerAuthConfig): RegistryCredentials | undefined {
  const out: RegistryCredentials = {};
  if (config.username) out.username = config.username;
  if (config.password) out.password = config.password;
  if (!out.username && config.auth) {
    const split = decodeAuthField(config.auth);
    if (split) Object.assign(out, split);
  }
  if (config.identitytoken) out.identityToken = config.identitytoken;
  if (config.registrytoken) out.registryToken = config.registrytoken;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Decodes `X-Registry-Auth`: base64url JSON (the docker CLI pads it; dockerode and others send
 * standard base64 or no padding, so both alphabets are read). An empty header is anonymous.
 */
export function decodeRegistryAuthHeader(header: string | null | undefined): DockerAuthConfig {
  const text = (header ?? '').trim();
  if (text === '') return {};
  let json: string;
  try {
    const std = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    json = base64Decode(std + '='.repeat((4 - (std.length % 4)) % 4));
  } catch (e) {
    throw new WasmboxError('INVALID_ARGUMENT', 'invalid X-Registry-Auth header: not base64 (expected base64url-encoded JSON)', { cause: e });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new WasmboxError('INVALID_ARGUMENT', `invalid X-Registry-Auth header: not JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new WasmboxError('INVALID_ARGUMENT', 'invalid X-Registry-Auth header: expected a JSON object');
  }
  const out: DockerAuthConfig = {};
  for (const key of ['username', 'password', 'auth', 'serveraddress', 'identitytoken', 'registrytoken', 'email'] as const) {
    const v = (doc as Record<string, unknown>)[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

/** The header value the docker CLI sends: base64url of the JSON, padded. */
export function encodeRegistryAuthHeader(config: DockerAuthConfig): string {
  return base64Encode(JSON.stringify(config)).replace(/\+/g, '-').replace(/\//g, '_');
}
