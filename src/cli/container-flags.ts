// The flags `run` and `create` share, and their mapping to the ContainerCreateBody the docker
// CLI sends: -e/--env-file, -v/--mount/--tmpfs, -m, -p, --restart... Host files (env files, a
// `./prog.wasm` to run directly, bind sources made absolute) are read here, on the CLI's side.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ContainerCreateBody, HostConfig, MountSpec, RestartPolicy } from '../engine/container-types.js';
import { ExitError } from './context.js';

export interface CreateFlags {
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  name?: string;
  env?: string[];
  envFile?: string[];
  workdir?: string;
  entrypoint?: string;
  volume?: string[];
  mount?: string[];
  tmpfs?: string[];
  readOnly?: boolean;
  memory?: string;
  stopTimeout?: string;
  stopSignal?: string;
  network?: string;
  label?: string[];
  restart?: string;
  hostname?: string;
  user?: string;
  rootfs?: string;
  publish?: string[];
}

// No default ([]): commander would print "(default: [])" in --help.
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Declares the create flags (docker's names and help texts) on `run` or `create`. */
export function addCreateFlags(cmd: Command, options: { run: boolean }): Command {
  // docker's -h is --hostname; help is --help only.
  cmd.helpOption('--help', 'Print usage');
  if (options.run) {
    cmd.option('-d, --detach', 'Run container in background and print container ID');
    cmd.option('--rm', 'Automatically remove the container and its associated anonymous volumes when it exits');
  } else {
    cmd.option('--rm', 'Automatically remove the container and its associated anonymous volumes when it exits');
  }
  return cmd
    .option('-e, --env <list>', 'Set environment variables', collect)
    .option('--env-file <list>', 'Read in a file of environment variables', collect)
    .option('--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image')
    .option('-h, --hostname <string>', 'Container host name')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-l, --label <list>', 'Set meta data on a container', collect)
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--mount <mount>', 'Attach a filesystem mount to the container', collect)
    .option('--name <string>', 'Assign a name to the container')
    .option('--network <network>', 'Connect a container to a network (default "none")')
    .option('-p, --publish <list>', "Publish a container's port(s) to the host", collect)
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--restart <string>', 'Restart policy to apply when a container exits (default "no")')
    .option('--rootfs <dir>', "Use this host directory as the container's root file system (no IMAGE then: the first argument is the COMMAND)")
    .option('--stop-signal <string>', 'Signal to stop the container')
    .option('--stop-timeout <int>', 'Timeout (in seconds) to stop a container')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('--tmpfs <list>', 'Mount a tmpfs directory', collect)
    .option('-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('-v, --volume <list>', 'Bind mount a volume', collect)
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .passThroughOptions();
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** docker's RAMInBytes: "32m", "1.5g", "512k", "1024" (binary units, optional trailing b). */
export function parseMemory(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(value.trim());
  if (!m) throw new ExitError(125, `invalid argument "${value}" for "-m, --memory" flag: invalid size: '${value}'`);
  return Math.trunc(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}

/** `-e K=V` as is; `-e K` takes the host's value, and is dropped when the host has none. */
function envEntry(entry: string, hostEnv: Record<string, string | undefined>): string | undefined {
  if (entry.includes('=')) {
    if (entry.startsWith('=')) throw new ExitError(125, `invalid argument "${entry}" for "-e, --env" flag: invalid environment variable: ${entry}`);
    return entry;
  }
  const value = hostEnv[entry];
  return value === undefined ? undefined : `${entry}=${value}`;
}

/** docker's env-file format: K=V lines, `#` comments, blank lines, bare K from the host. */
export function parseEnvFile(path: string, hostEnv: Record<string, string | undefined>): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ExitError(125, `open ${path}: no such file or directory`);
  }
  const out: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq === -1 ? line : line.slice(0, eq);
    if (/\s/.test(key) || key === '') throw new ExitError(125, `invalid env file (${path}): variable '${key}' contains whitespaces (line ${i + 1})`);
    const entry = envEntry(line, hostEnv);
    if (entry !== undefined) out.push(entry);
  });
  return out;
}

/** `--mount type=bind,source=/x,target=/y,readonly`. */
export function parseMount(value: string): MountSpec {
  const spec: Partial<MountSpec> = {};
  let type: string = 'volume';
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq === -1 ? field : field.slice(0, eq)).trim().toLowerCase();
    const v = eq === -1 ? '' : field.slice(eq + 1);
    switch (key) {
      case 'type':
        type = v;
        break;
      case 'source':
      case 'src':
        spec.Source = v;
        break;
      case 'target':
      case 'destination':
      case 'dst':
        spec.Target = v;
        break;
      case 'readonly':
      case 'ro':
        spec.ReadOnly = eq === -1 || /^(1|true)$/i.test(v);
        break;
      default:
        // volume-opt, bind-propagation, tmpfs-mode...: accepted, no effect here.
        if (key === '') throw new ExitError(125, `invalid argument "${value}" for "--mount" flag: invalid field '' must be a key=value pair`);
    }
  }
  if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') throw new ExitError(125, `invalid argument "${value}" for "--mount" flag: unsupported mount type: ${type}`);
  if (!spec.Target) throw new ExitError(125, `invalid argument "${value}" for "--mount" flag: target is required`);
  if (type === 'bind' && spec.Source) spec.Source = resolve(spec.Source);
  return { Type: type, Target: spec.Target, ...(spec.Source !== undefined ? { Source: spec.Source } : {}), ...(spec.ReadOnly ? { ReadOnly: true } : {}) };
}

/** `-v name:/dst[:ro]`, `-v /host:/dst[:ro]`, `-v ./rel:/dst` (made absolute), `-v /dst` (anonymous). */
export function parseVolume(value: string): { bind?: string; anonymous?: string } {
  const parts = value.split(':');
  if (parts.length === 1) {
    if (!parts[0]!.startsWith('/')) throw new ExitError(125, `invalid argument "${value}" for "-v, --volume" flag: invalid volume specification: '${value}'`);
    return { anonymous: parts[0]! };
  }
  if (parts.length > 3 || parts.some((p) => p === '')) throw new ExitError(125, `invalid argument "${value}" for "-v, --volume" flag: invalid spec: ${value}: too many colons`);
  const [source, dst, mode] = parts as [string, string, string | undefined];
  let src = source;
  if (!dst.startsWith('/')) throw new ExitError(125, `invalid argument "${value}" for "-v, --volume" flag: invalid volume specification: '${value}': invalid mount config for type "volume": invalid mount path: '${dst}' mount path must be absolute`);
  if (mode !== undefined && !/^(ro|rw|z|Z|r?[sp]?(?:shared|slave|private)|nocopy)(,[\w]+)*$/.test(mode)) throw new ExitError(125, `invalid argument "${value}" for "-v, --volume" flag: invalid mode: ${mode}`);
  if (src.startsWith('.') || isAbsolute(src)) src = resolve(src);
  return { bind: [src, dst, ...(mode !== undefined ? [mode] : [])].join(':') };
}

/** `--restart on-failure:3`. */
export function parseRestart(value: string): RestartPolicy {
  const [name, count] = value.split(':');
  if (name !== 'no' && name !== 'always' && name !== 'unless-stopped' && name !== 'on-failure') {
    throw new ExitError(125, `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (count !== undefined) {
    if (name !== 'on-failure') throw new ExitError(125, `invalid restart policy: maximum retry count can only be used with 'on-failure'`);
    const n = Number(count);
    if (!Number.isInteger(n) || n < 0) throw new ExitError(125, `invalid restart policy: maximum retry count must be a positive integer`);
    return { Name: name, MaximumRetryCount: n };
  }
  return { Name: name };
}

/** `-p [ip:][hostPort:]containerPort[/proto]`. */
function parsePublish(values: string[]): { exposed: Record<string, object>; bindings: NonNullable<HostConfig['PortBindings']> } {
  const exposed: Record<string, object> = {};
  const bindings: NonNullable<HostConfig['PortBindings']> = {};
  for (const value of values) {
    const [spec, proto = 'tcp'] = value.split('/') as [string, string | undefined];
    const parts = spec.split(':');
    const container = parts.pop()!;
    const hostPort = parts.pop() ?? '';
    const hostIp = parts.join(':');
    if (!/^\d+$/.test(container)) throw new ExitError(125, `invalid argument "${value}" for "-p, --publish" flag: invalid containerPort: ${container}`);
    const key = `${container}/${proto}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: hostIp, HostPort: hostPort });
  }
  return { exposed, bindings };
}

function parseLabels(values: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    labels[eq === -1 ? v : v.slice(0, eq)] = eq === -1 ? '' : v.slice(eq + 1);
  }
  return labels;
}

/** A host path to run directly (`wasmbox run ./prog.wasm`): ends in .wasm and is a file here. */
export function hostModulePath(image: string): string | undefined {
  if (!image.endsWith('.wasm')) return undefined;
  try {
    return existsSync(image) && statSync(image).isFile() ? resolve(image) : undefined;
  } catch {
    return undefined;
  }
}

/** The create request docker would send for these flags, image and command. */
export function createBody(options: CreateFlags, image: string, args: string[], hostEnv: Record<string, string | undefined>): ContainerCreateBody {
  const flags = { ...options, env: options.env ?? [], envFile: options.envFile ?? [], volume: options.volume ?? [], mount: options.mount ?? [], tmpfs: options.tmpfs ?? [], label: options.label ?? [], publish: options.publish ?? [] };
  const detach = flags.detach === true;
  const env = [...flags.envFile.flatMap((f) => parseEnvFile(f, hostEnv)), ...flags.env.map((e) => envEntry(e, hostEnv)).filter((e): e is string => e !== undefined)];
  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const v of flags.volume) {
    const parsed = parseVolume(v);
    if (parsed.bind) binds.push(parsed.bind);
    else volumes[parsed.anonymous!] = {};
  }
  const tmpfs: Record<string, string> = {};
  for (const t of flags.tmpfs) {
    const colon = t.indexOf(':');
    const path = colon === -1 ? t : t.slice(0, colon);
    if (!path.startsWith('/')) throw new ExitError(125, `invalid argument "${t}" for "--tmpfs" flag: invalid mount path: '${path}' mount path must be absolute`);
    tmpfs[path] = colon === -1 ? '' : t.slice(colon + 1);
  }
  const ports = parsePublish(flags.publish);
  const hostConfig: HostConfig = {
    Binds: binds.length > 0 ? binds : null,
    Mounts: flags.mount.length > 0 ? flags.mount.map(parseMount) : null,
    Tmpfs: flags.tmpfs.length > 0 ? tmpfs : null,
    ReadonlyRootfs: flags.readOnly === true,
    Memory: flags.memory !== undefined ? parseMemory(flags.memory) : 0,
    AutoRemove: flags.rm === true,
    RestartPolicy: flags.restart !== undefined ? parseRestart(flags.restart) : { Name: 'no' },
    NetworkMode: flags.network ?? 'none',
    PortBindings: flags.publish.length > 0 ? ports.bindings : null,
  };
  if (flags.rootfs !== undefined) hostConfig.Rootfs = resolve(flags.rootfs);
  if (flags.rm && flags.restart !== undefined && flags.restart !== 'no') {
    throw new ExitError(125, 'Conflicting options: --restart and --rm');
  }
  const body: ContainerCreateBody = {
    Image: image,
    Cmd: args.length > 0 ? args : null,
    Entrypoint: flags.entrypoint !== undefined ? [flags.entrypoint] : null,
    Env: env,
    WorkingDir: flags.workdir ?? '',
    User: flags.user ?? '',
    Hostname: flags.hostname ?? '',
    Tty: flags.tty === true,
    OpenStdin: flags.interactive === true,
    StdinOnce: flags.interactive === true && !detach,
    AttachStdin: flags.interactive === true && !detach,
    AttachStdout: !detach,
    AttachStderr: !detach,
    Labels: parseLabels(flags.label),
    Volumes: Object.keys(volumes).length > 0 ? volumes : null,
    ExposedPorts: flags.publish.length > 0 ? ports.exposed : null,
    HostConfig: hostConfig,
  };
  if (flags.stopTimeout !== undefined) {
    const n = Number(flags.stopTimeout);
    if (!Number.isInteger(n)) throw new ExitError(125, `invalid argument "${flags.stopTimeout}" for "--stop-timeout" flag: strconv.ParseInt: parsing "${flags.stopTimeout}": invalid syntax`);
    body.StopTimeout = n;
  }
  if (flags.stopSignal !== undefined) body.StopSignal = flags.stopSignal;
  const modulePath = hostModulePath(image);
  if (flags.rootfs !== undefined && modulePath === undefined) {
    // As podman: with --rootfs there is no image; the first argument is the command, found in the directory.
    body.Image = '';
    body.Cmd = [image, ...args];
  }
  if (modulePath !== undefined) {
    const path = `/${basename(modulePath)}`;
    body.Image = '';
    body.Module = { bytes: new Uint8Array(readFileSync(modulePath)), path };
    // The module is the program; the rest of the command line is its arguments.
    body.Entrypoint = flags.entrypoint !== undefined ? [flags.entrypoint] : [path];
  }
  return body;
}
