// A ShellHost for unit tests: a fresh container file system whose /bin holds marker files
// for a few tiny programs written in TypeScript (cat, wc, tr, sort, head, yes, grep, ls, env…),
// so PATH lookup runs for real while no WebAssembly is involved.

import { emptyRoot, forkContainerFs } from '../../../src/vfs/index.js';
import type { Namespace } from '../../../src/vfs/index.js';
import { BUILTIN_SHELL_MARKER } from '../../../src/runner/types.js';
import type { SyncInput, SyncOutput } from '../../../src/runner/types.js';
import { Shell } from '../../../src/runner/shell/index.js';
import type { ShellHost, ShellIo, ShellOptions } from '../../../src/runner/shell/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

interface ProgramContext {
  argv: string[];
  io: ShellIo;
  env: string[];
  cwd: string;
  fs: Namespace;
}

type Program = (ctx: ProgramContext) => number;

function readAll(input: SyncInput): string {
  const chunks: Uint8Array[] = [];
  for (let d = input.read(65536); d !== null; d = input.read(65536)) chunks.push(d.slice());
  return dec.decode(Buffer.concat(chunks));
}

function write(out: SyncOutput, text: string): void {
  if (text !== '') out.write(enc.encode(text));
}

function resolve(cwd: string, p: string): string {
  return p.startsWith('/') ? p : `${cwd === '/' ? '' : cwd}/${p}`;
}

/** Input text: the named files, or stdin. Returns null after printing an error. */
function inputs(ctx: ProgramContext, files: string[], name: string): string | null {
  if (files.length === 0) return readAll(ctx.io.stdin);
  let text = '';
  for (const f of files) {
    if (f === '-') {
      text += readAll(ctx.io.stdin);
      continue;
    }
    try {
      text += dec.decode(ctx.fs.readFile(resolve(ctx.cwd, f)));
    } catch {
      write(ctx.io.stderr, `${name}: ${f}: No such file or directory\n`);
      return null;
    }
  }
  return text;
}

function lines(text: string): string[] {
  if (text === '') return [];
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

function expandSet(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i + 1] === '-' && i + 2 < s.length) {
      for (let c = s.charCodeAt(i); c <= s.charCodeAt(i + 2); c++) out += String.fromCharCode(c);
      i += 2;
    } else if (s[i] === '\\' && s[i + 1] === 'n') {
      out += '\n';
      i++;
    } else out += s[i];
  }
  return out;
}

export const PROGRAMS: Record<string, Program> = {
  cat: (ctx) => {
    const text = inputs(ctx, ctx.argv.slice(1), 'cat');
    if (text === null) return 1;
    write(ctx.io.stdout, text);
    return 0;
  },
  wc: (ctx) => {
    const flags = ctx.argv.slice(1).filter((a) => a.startsWith('-'));
    const text = inputs(ctx, ctx.argv.slice(1).filter((a) => !a.startsWith('-')), 'wc');
    if (text === null) return 1;
    const counts: number[] = [];
    const all = flags.length === 0;
    if (all || flags.includes('-l')) counts.push((text.match(/\n/g) ?? []).length);
    if (all || flags.includes('-w')) counts.push(text.split(/\s+/).filter((w) => w !== '').length);
    if (all || flags.includes('-c')) counts.push(enc.encode(text).length);
    write(ctx.io.stdout, counts.join(' ') + '\n');
    return 0;
  },
  tr: (ctx) => {
    const text = readAll(ctx.io.stdin);
    if (ctx.argv[1] === '-d') {
      const del = expandSet(ctx.argv[2] ?? '');
      write(ctx.io.stdout, [...text].filter((c) => !del.includes(c)).join(''));
      return 0;
    }
    const from = expandSet(ctx.argv[1] ?? '');
    const to = expandSet(ctx.argv[2] ?? '');
    write(
      ctx.io.stdout,
      [...text]
        .map((c) => {
          const i = from.indexOf(c);
          return i < 0 ? c : (to[Math.min(i, to.length - 1)] ?? c);
        })
        .join(''),
    );
    return 0;
  },
  sort: (ctx) => {
    const reverse = ctx.argv.includes('-r');
    const numeric = ctx.argv.includes('-n');
    const text = inputs(ctx, ctx.argv.slice(1).filter((a) => !a.startsWith('-')), 'sort');
    if (text === null) return 1;
    const l = lines(text).sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
    if (reverse) l.reverse();
    write(ctx.io.stdout, l.map((x) => x + '\n').join(''));
    return 0;
  },
  head: (ctx) => {
    let n = 10;
    const files: string[] = [];
    for (let i = 1; i < ctx.argv.length; i++) {
      const a = ctx.argv[i];
      if (a === '-n') n = Number(ctx.argv[++i]);
      else if (/^-n?[0-9]+$/.test(a)) n = Number(a.replace(/^-n?/, ''));
      else files.push(a);
    }
    const text = inputs(ctx, files, 'head');
    if (text === null) return 1;
    write(ctx.io.stdout, lines(text).slice(0, n).map((x) => x + '\n').join(''));
    return 0;
  },
  yes: (ctx) => {
    // Buffered like the real one; ends when the pipe refuses more (EPIPE), as with SIGPIPE.
    const word = (ctx.argv.slice(1).join(' ') || 'y') + '\n';
    const chunk = enc.encode(word.repeat(Math.ceil(8192 / word.length)));
    for (;;) ctx.io.stdout.write(chunk);
  },
  grep: (ctx) => {
    let invert = false;
    let count = false;
    let quiet = false;
    const rest: string[] = [];
    for (const a of ctx.argv.slice(1)) {
      if (a === '-v') invert = true;
      else if (a === '-c') count = true;
      else if (a === '-q') quiet = true;
      else rest.push(a);
    }
    const [pattern, ...files] = rest;
    if (pattern === undefined) {
      write(ctx.io.stderr, 'usage: grep [-vcq] pattern [file...]\n');
      return 2;
    }
    const text = inputs(ctx, files, 'grep');
    if (text === null) return 2;
    const re = new RegExp(pattern);
    const hits = lines(text).filter((l) => re.test(l) !== invert);
    if (count) write(ctx.io.stdout, `${hits.length}\n`);
    else if (!quiet) write(ctx.io.stdout, hits.map((l) => l + '\n').join(''));
    return hits.length > 0 ? 0 : 1;
  },
  ls: (ctx) => {
    const dirs = ctx.argv.slice(1);
    let status = 0;
    for (const d of dirs.length === 0 ? ['.'] : dirs) {
      try {
        const names = ctx.fs
          .readdir(resolve(ctx.cwd, d))
          .map((e) => e.name)
          .filter((n) => !n.startsWith('.'))
          .sort();
        write(ctx.io.stdout, names.map((n) => n + '\n').join(''));
      } catch {
        write(ctx.io.stderr, `ls: ${d}: No such file or directory\n`);
        status = 2;
      }
    }
    return status;
  },
  env: (ctx) => {
    write(ctx.io.stdout, [...ctx.env].sort().map((e) => e + '\n').join(''));
    return 0;
  },
  /** Prints its argv, one per line, in brackets: shows field splitting exactly. */
  args: (ctx) => {
    write(ctx.io.stdout, ctx.argv.slice(1).map((a) => `[${a}]\n`).join(''));
    return 0;
  },
  /** `exitwith N`: exits with N. */
  exitwith: (ctx) => Number(ctx.argv[1] ?? '0'),
  pwdx: (ctx) => {
    write(ctx.io.stdout, ctx.cwd + '\n');
    return 0;
  },
  /** Not a program this host can start. */
  noexec: () => 126,
};

export interface FakeHost extends ShellHost {
  /** Every program started, as argv. */
  started: string[][];
}

/** A container fs with /bin/<program> for each fake program, /bin/sh as the built-in shell, /tmp and /root. */
export function createFakeHost(files: Record<string, string> = {}): FakeHost {
  const { fs } = forkContainerFs(emptyRoot());
  for (const d of ['/bin', '/usr/bin', '/tmp', '/root', '/home', '/etc']) fs.mkdir(d, { recursive: true });
  for (const name of Object.keys(PROGRAMS)) fs.writeFile(`/bin/${name}`, `#!fake:${name}\n`, { mode: 0o755 });
  fs.writeFile('/bin/sh', BUILTIN_SHELL_MARKER, { mode: 0o755 });
  for (const [path, content] of Object.entries(files)) {
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (dir !== '') fs.mkdir(dir, { recursive: true });
    fs.writeFile(path, content);
  }
  const started: string[][] = [];
  return {
    fs,
    started,
    exec(path, argv, io, env, cwd) {
      started.push(argv);
      const content = dec.decode(fs.readFile(path));
      const m = /^#!fake:(\S+)/.exec(content);
      const program = m ? PROGRAMS[m[1]] : undefined;
      if (program === undefined) return 126;
      return program({ argv, io, env, cwd, fs });
    },
  };
}

export class Collector implements SyncOutput {
  private chunks: Uint8Array[] = [];
  constructor(readonly isTTY = false) {}
  write(data: Uint8Array): void {
    this.chunks.push(data.slice());
  }
  text(): string {
    return dec.decode(Buffer.concat(this.chunks));
  }
}

export class StringInput implements SyncInput {
  private off = 0;
  private readonly data: Uint8Array;
  constructor(
    text: string,
    readonly isTTY = false,
  ) {
    this.data = enc.encode(text);
  }
  read(max: number): Uint8Array | null {
    if (this.off >= this.data.length) return null;
    const out = this.data.subarray(this.off, Math.min(this.data.length, this.off + max));
    this.off += out.length;
    return out;
  }
  ready(): boolean {
    return true;
  }
}

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
  host: FakeHost;
  shell: Shell;
}

export interface RunOptions extends ShellOptions {
  files?: Record<string, string>;
  stdin?: string;
  host?: FakeHost;
}

/** Runs a script in a fresh fake container. */
export function runScript(script: string, options: RunOptions = {}): RunResult {
  const host = options.host ?? createFakeHost(options.files);
  const shell = new Shell(host, { env: ['HOME=/root', 'PATH=/usr/local/bin:/usr/bin:/bin'], ...options });
  const stdout = new Collector();
  const stderr = new Collector();
  const status = shell.run(script, { stdin: new StringInput(options.stdin ?? ''), stdout, stderr });
  return { stdout: stdout.text(), stderr: stderr.text(), status, host, shell };
}
