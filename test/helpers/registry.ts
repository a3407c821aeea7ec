// A real OCI registry for integration tests: Debian's `docker-registry` (distribution 2.8) on
// 127.0.0.1:<free port> with a temporary storage directory, optionally behind htpasswd Basic
// auth or token auth (a small token server in this process signs RS256 JWTs with x5c).

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { X509Certificate, randomBytes, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureTool } from './tools.js';

const exec = promisify(execFile);

export interface TestRegistry {
  /** `127.0.0.1:PORT`: the domain to put in references. */
  host: string;
  url: string;
  /** Storage root of the registry. */
  dir: string;
  /** The registry's stderr so far (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

export type RegistryAuth =
  | { kind: 'htpasswd'; users: Record<string, string> }
  | { kind: 'token'; server: TokenServer };

export interface StartRegistryOptions {
  auth?: RegistryAuth;
}

export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function htpasswdFile(path: string, users: Record<string, string>): Promise<void> {
  const htpasswd = await ensureTool('htpasswd');
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    // distribution accepts bcrypt entries only (-B).
    const { stdout } = await exec(htpasswd, ['-nbB', user, password]);
    lines.push(stdout.trim());
  }
  await writeFile(path, lines.join('\n') + '\n');
}

async function waitReady(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${logs()}`);
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer at ${url} within 15 s:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a registry; call `stop()` in afterAll. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const bin = await ensureTool('docker-registry');
  const dir = await mkdtemp(join(tmpdir(), 'wasmbox-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let auth = '';
  if (options.auth?.kind === 'htpasswd') {
    const file = join(dir, 'htpasswd');
    await htpasswdFile(file, options.auth.users);
    auth = `auth:\n  htpasswd:\n    realm: wasmbox-test\n    path: ${file}\n`;
  } else if (options.auth?.kind === 'token') {
    const s = options.auth.server;
    auth = `auth:\n  token:\n    realm: ${s.realm}\n    service: ${s.service}\n    issuer: ${s.issuer}\n    rootcertbundle: ${s.certFile}\n`;
  }
  const config =
    `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n` +
    `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\n` +
    `http:\n  addr: ${host}\n  secret: wasmbox-test-secret\n` +
    auth;
  const configFile = join(dir, 'config.yml');
  await writeFile(configFile, config);
  const child = spawn(bin, ['serve', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const logs = () => stderr;
  const url = `http://${host}`;
  try {
    await waitReady(url, child, logs);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    host,
    url,
    dir,
    logs,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TokenRequest {
  user: string | undefined;
  scopes: string[];
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  /** Every token request received, in order. */
  requests: TokenRequest[];
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  /** user → password; push needs a user, pull is open to anyone unless `anonymousPull` is false. */
  users: Record<string, string>;
  anonymousPull?: boolean;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** A token server as the Docker token auth spec describes it, signing with a throwaway self-signed cert. */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const dir = await mkdtemp(join(tmpdir(), 'wasmbox-token-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  await exec('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=wasmbox-test-token']);
  const key = await readFile(keyFile, 'utf8');
  const certDer = new X509Certificate(await readFile(certFile)).raw.toString('base64');
  const service = 'wasmbox-test-registry';
  const issuer = 'wasmbox-test-issuer';
  const requests: TokenRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope');
    let user: string | undefined;
    const authz = req.headers.authorization;
    if (authz?.startsWith('Basic ')) {
      const [u, ...rest] = Buffer.from(authz.slice(6), 'base64').toString().split(':');
      if (options.users[u!] === undefined || options.users[u!] !== rest.join(':')) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"incorrect username or password"}');
        requests.push({ user: u, scopes });
        return;
      }
      user = u;
    }
    requests.push({ user, scopes });
    const access = scopes.flatMap((s) => {
      const [type, name, actions] = [s.split(':')[0]!, s.split(':').slice(1, -1).join(':'), s.split(':').pop()!];
      const granted = actions.split(',').filter((a) => (user !== undefined ? true : a === 'pull' && options.anonymousPull !== false));
      return granted.length > 0 ? [{ type, name, actions: granted }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer] };
    const payload = { iss: issuer, sub: user ?? '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const token = `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests,
    async stop() {
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
