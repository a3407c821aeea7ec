// The built-in shell's interpreter: walks the tree of parser.ts synchronously, runs builtins
// in-process and every other command as a program file from the container's file system
// (through ShellHost.exec). Pipeline stages run one after the other through a bounded
// buffer, and `&` runs a list to completion before going on (it only sets `$!`).

import { WasmboxError, isWasmboxError } from '../../errors.js';
import type { FileHandle, Namespace } from '../../vfs/index.js';
import { normalizeAbsolute } from '../../vfs/index.js';
import { BUILTIN_SHELL_MARKER } from '../types.js';
import type { SyncInput, SyncOutput } from '../types.js';
import type { Command, FunctionDef, Pipeline, Redirection, Script, SimpleCommand, Statement } from './ast.js';
import { BUILTINS, SPECIAL_BUILTINS, quoteForShell } from './builtins.js';
import { Expander, ExpansionError } from './expand.js';
import type { ExpansionHost } from './expand.js';
import {
  BufferedInput,
  BytesInput,
  CaptureOutput,
  FileInput,
  FileOutput,
  NULL_OUTPUT,
  NullInput,
  PipeBuffer,
  ShellInput,
  decode,
  encode,
} from './io.js';
import { globPaths, matchPattern } from './pattern.js';
import { ExitSignal, FLAG_LETTERS, LoopSignal, ReturnSignal, describeFsError } from './signals.js';
import type { ShellFlags } from './signals.js';
import { parseScript } from './parser.js';
import { ShellSyntaxError } from './syntax-error.js';

/** The three standard streams of the shell or of one command. */
export interface ShellIo {
  stdin: SyncInput;
  stdout: SyncOutput;
  stderr: SyncOutput;
}

/** What the shell needs from its container: the file system and a way to run a program. */
export interface ShellHost {
  fs: Namespace;
  /** Runs the program at `path` (absolute, a regular file); returns its exit status (126: cannot execute). */
  exec(path: string, argv: string[], io: ShellIo, env: string[], cwd: string): number;
}

export interface ShellOptions {
  /** `KEY=value` strings: the environment; every entry is exported. */
  env?: string[];
  /** Working directory (absolute). Default `/`. */
  cwd?: string;
  /** `$0`. Default `sh`. */
  argv0?: string;
  /** `$1`… */
  args?: string[];
  /** `$$`. Default 1. */
  pid?: number;
  /** Capacity of the buffer between two pipeline stages; past it the writer gets EPIPE. Default 1 MiB. */
  pipeBufferBytes?: number;
  /** Largest output of one command substitution. Default 64 MiB. */
  captureLimitBytes?: number;
}

export interface InteractiveOptions {
  /** The primary prompt when PS1 is not set. Default `# `. */
  prompt?: string;
}

export const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';
const DEFAULT_PIPE_BYTES = 1 << 20;
const DEFAULT_CAPTURE_BYTES = 64 << 20;
/** Nesting of function calls, `eval`/`.`, `$(…)` and nested `sh`: deeper than this is an error, not a stack overflow. */
const MAX_NESTING = 200;

/** A failed redirection: reported as `sh: <message>`, status 1. */
class RedirectError extends Error {}

interface Var {
  /** undefined: declared (exported/readonly/local) but unset. */
  value: string | undefined;
  exported: boolean;
  readonly: boolean;
}

interface Fd {
  input?: ShellInput;
  output?: SyncOutput;
}

/** Shared by a shell and all its subshells: `$!` numbering and the statuses of `&` lists. */
interface Jobs {
  nextPid: number;
  statuses: Map<number, number>;
}

export class Shell {
  vars = new Map<string, Var>();
  functions = new Map<string, FunctionDef>();
  positional: string[] = [];
  argv0 = 'sh';
  cwd = '/';
  flags: ShellFlags = {
    errexit: false,
    nounset: false,
    xtrace: false,
    noglob: false,
    noclobber: false,
    pipefail: false,
    verbose: false,
    allexport: false,
  };
  /** `$?` */
  status = 0;
  lastBackgroundPid: number | undefined;
  traps = new Map<string, string>();
  umask = 0o022;
  funcDepth = 0;
  sourceDepth = 0;
  loopDepth = 0;
  /** >0 while running a condition, where `set -e` does not apply. */
  conditionDepth = 0;
  /** Saved values of variables made `local`, one frame per function call. */
  localFrames: Map<string, Var | undefined>[] = [];
  getoptsState = { optind: 1, sub: 0 };
  line = 0;
  /** Depth of function calls, eval, `.`, `$(…)` and nested shells (bounded by MAX_NESTING). */
  nesting = 0;
  private fds: (Fd | undefined)[] = [];
  private readonly expander: Expander;
  private jobs: Jobs = { nextPid: 1000, statuses: new Map() };
  private readonly pid: number;
  private readonly pipeBytes: number;
  private readonly captureBytes: number;

  constructor(
    readonly host: ShellHost,
    private readonly options: ShellOptions = {},
  ) {
    this.pid = options.pid ?? 1;
    this.pipeBytes = options.pipeBufferBytes ?? DEFAULT_PIPE_BYTES;
    this.captureBytes = options.captureLimitBytes ?? DEFAULT_CAPTURE_BYTES;
    for (const kv of options.env ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0) continue;
      this.vars.set(kv.slice(0, eq), { value: kv.slice(eq + 1), exported: true, readonly: false });
    }
    this.cwd = normalizeAbsolute(options.cwd ?? '/');
    if (!this.vars.has('PATH')) this.vars.set('PATH', { value: DEFAULT_PATH, exported: false, readonly: false });
    this.vars.set('PWD', { value: this.cwd, exported: true, readonly: false });
    this.argv0 = options.argv0 ?? 'sh';
    this.positional = options.args ?? [];
    const expansionHost: ExpansionHost = {
      getParam: (n) => this.getParam(n),
      positional: () => this.positional,
      setVar: (n, v) => this.assign(n, v),
      commandSubst: (s) => this.commandSubst(s),
      homeOf: (user) => (user === 'root' ? '/root' : undefined),
      glob: (p) => globPaths(this.host.fs, this.cwd, p),
      nounset: () => this.flags.nounset,
      noglob: () => this.flags.noglob,
    };
    this.expander = new Expander(expansionHost);
  }

  // ---- entry points ----

  /** Runs a whole script as `sh -c` would; returns the exit status. */
  run(script: string, io: ShellIo): number {
    this.attach(io);
    let status: number;
    try {
      status = this.runSource(script, { firstLine: 1 });
    } catch (e) {
      status = this.uncaught(e);
    }
    return this.finish(status);
  }

  /**
   * Runs `sh` with its command line: `sh -c 'cmd' [name [args…]]`, `sh script [args…]`,
   * or commands from stdin (`sh`, `sh -s args`; interactive when stdin is a terminal or `-i`).
   */
  runArgs(argv: string[], io: ShellIo): number {
    let i = 1;
    let command: string | undefined;
    let commandMode = false;
    let stdinMode = false;
    let interactive = false;
    for (; i < argv.length; i++) {
      const a = argv[i];
      if (a === '--') {
        i++;
        break;
      }
      if (a === '-' || a === '+' || !(a.startsWith('-') || a.startsWith('+'))) break;
      const on = a[0] === '-';
      for (const ch of a.slice(1)) {
        if (ch === 'c') commandMode = true;
        else if (ch === 's') stdinMode = true;
        else if (ch === 'i') interactive = true;
        else if (ch === 'o') {
          const name = argv[++i];
          if (!this.setNamedOption(name, on)) return this.usage(io, `${on ? '-' : '+'}o: ${name ?? ''}: invalid option name`);
        } else if (FLAG_LETTERS[ch] !== undefined) this.flags[FLAG_LETTERS[ch]] = on;
        else return this.usage(io, `${a[0]}${ch}: invalid option`);
      }
    }
    if (commandMode) {
      command = argv[i];
      if (command === undefined) return this.usage(io, '-c: option requires an argument');
      if (argv[i + 1] !== undefined) this.argv0 = argv[i + 1];
      this.positional = argv.slice(i + 2);
      return this.run(command, io);
    }
    if (!stdinMode && argv[i] !== undefined) {
      const file = argv[i];
      this.argv0 = file;
      this.positional = argv.slice(i + 1);
      let text: string;
      try {
        text = decode(this.host.fs.readFile(this.resolvePath(file)));
      } catch (e) {
        io.stderr.write(encode(`sh: ${file}: ${describeFsError(e)}\n`));
        return 127;
      }
      return this.run(text, io);
    }
    this.positional = argv.slice(i);
    return this.runInteractive(io, { force: interactive });
  }

  /**
   * Reads commands from stdin line by line and runs each complete command at once (so a
   * command can read the lines that follow it). Prompts (PS1, then PS2 for continuation
   * lines) go to stderr when stdin is a terminal; line editing is left to the terminal's
   * cooked mode. Ends at EOF or `exit`.
   */
  runInteractive(io: ShellIo, options: InteractiveOptions & { force?: boolean } = {}): number {
    this.attach(io);
    const input = this.fds[0]!.input!;
    const tty = options.force === true || input.isTTY === true;
    let buf = '';
    let firstLine = 1;
    let lineNo = 0;
    let status = 0;
    for (;;) {
      if (tty) {
        const prompt = buf === '' ? (this.getVar('PS1') ?? options.prompt ?? '# ') : (this.getVar('PS2') ?? '> ');
        this.fds[2]?.output?.write(encode(prompt));
      }
      const r = input.readLine();
      if (r === null && buf === '') break;
      if (r !== null) {
        lineNo++;
        buf += r.line + '\n';
        if (/(^|[^\\])(\\\\)*\\$/.test(r.line) && r.ended) continue;
      }
      let script: Script;
      try {
        script = parseScript(buf, { firstLine, strictHeredoc: r !== null });
      } catch (e) {
        if (e instanceof ShellSyntaxError && e.incomplete && r !== null) continue;
        this.err(e instanceof Error ? e.message : String(e));
        this.status = status = 2;
        buf = '';
        firstLine = lineNo + 1;
        if (!tty) break;
        if (r === null) break;
        continue;
      }
      buf = '';
      firstLine = lineNo + 1;
      try {
        status = this.execute(script);
      } catch (e) {
        if (e instanceof ExitSignal) {
          status = e.status;
          break;
        }
        status = this.uncaught(e);
        this.status = status;
        if (!tty) break;
      }
      if (r === null) break;
    }
    return this.finish(status);
  }

  /** The environment of a command run now: exported variables as `KEY=value`. */
  environ(overrides: [string, string][] = []): string[] {
    const env = new Map<string, string>();
    for (const [k, v] of this.vars) if (v.exported && v.value !== undefined) env.set(k, v.value);
    for (const [k, v] of overrides) env.set(k, v);
    return [...env].map(([k, v]) => `${k}=${v}`);
  }

  // ---- lifecycle ----

  private usage(io: ShellIo, message: string): number {
    io.stderr.write(encode(`sh: ${message}\n`));
    return 2;
  }

  private attach(io: ShellIo): void {
    const stdin = io.stdin instanceof ShellInput ? io.stdin : new BufferedInput(io.stdin);
    this.fds = [{ input: stdin }, { output: io.stdout }, { output: io.stderr }];
  }

  /** Parses and runs source text in this shell (`eval`, `.`, `run`). */
  runSource(src: string, options: { firstLine: number }): number {
    let script: Script;
    try {
      script = parseScript(src, { firstLine: options.firstLine });
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        // Like shells that read line by line: complete lines before the error still run.
        if (e.partial !== undefined && e.partial.body.length > 0) this.execute(e.partial);
        this.err(e.message);
        this.status = 2;
        if (this.funcDepth === 0 && this.sourceDepth === 0) throw new ExitSignal(2);
        return 2;
      }
      throw e;
    }
    return this.execute(script);
  }

  /** An exception that ends the shell: its status, after reporting it. */
  private uncaught(e: unknown): number {
    if (e instanceof ExitSignal) return e.status;
    if (e instanceof ExpansionError) {
      this.err(`line ${this.line}: ${e.message}`);
      return e.status;
    }
    if (e instanceof ReturnSignal) return e.status;
    if (e instanceof LoopSignal) return 0;
    if (isWasmboxError(e, 'EPIPE')) return 141;
    if (e instanceof RangeError && /call stack/.test(e.message)) {
      // A safety net only: MAX_NESTING should stop recursion long before this.
      this.err(`line ${this.line}: nesting too deep (JavaScript stack exhausted)`);
      return 2;
    }
    throw e;
  }

  /** Runs the EXIT trap once; returns the shell's final status. */
  private finish(status: number): number {
    const trap = this.traps.get('EXIT');
    if (trap !== undefined && trap !== '') {
      this.traps.delete('EXIT');
      this.status = status;
      try {
        this.runSource(trap, { firstLine: this.line });
      } catch (e) {
        if (e instanceof ExitSignal) return e.status & 255;
        this.uncaught(e);
      }
    }
    return status & 255;
  }

  // ---- variables ----

  getVar(name: string): string | undefined {
    return this.vars.get(name)?.value;
  }

  /** Sets a variable; a readonly one throws an EPERM-coded WasmboxError. */
  assign(name: string, value: string, options: { export?: boolean } = {}): void {
    const v = this.vars.get(name);
    if (v?.readonly) throw new WasmboxError('EPERM', `${name}: readonly variable`);
    if (v === undefined) {
      this.vars.set(name, { value, exported: options.export === true || this.flags.allexport, readonly: false });
    } else {
      v.value = value;
      if (options.export || this.flags.allexport) v.exported = true;
    }
  }

  unsetVar(name: string): void {
    const v = this.vars.get(name);
    if (v?.readonly) throw new WasmboxError('EPERM', `${name}: cannot unset: readonly variable`);
    // A local keeps its slot so the caller's value comes back on return.
    if (v !== undefined && this.localFrames.length > 0 && this.localFrames[this.localFrames.length - 1].has(name)) v.value = undefined;
    else this.vars.delete(name);
  }

  /** `local name[=value]` in the current function. */
  makeLocal(name: string, value: string | undefined): void {
    const frame = this.localFrames[this.localFrames.length - 1];
    const old = this.vars.get(name);
    if (old?.readonly) throw new WasmboxError('EPERM', `${name}: readonly variable`);
    if (!frame.has(name)) frame.set(name, old === undefined ? undefined : { ...old });
    this.vars.set(name, { value, exported: old?.exported ?? false, readonly: false });
  }

  getParam(name: string): string | undefined {
    switch (name) {
      case '?':
        return String(this.status);
      case '#':
        return String(this.positional.length);
      case '$':
        return String(this.pid);
      case '!':
        return this.lastBackgroundPid === undefined ? undefined : String(this.lastBackgroundPid);
      case '-':
        return Object.entries(FLAG_LETTERS)
          .filter(([, f]) => this.flags[f])
          .map(([l]) => l)
          .join('');
      case '0':
        return this.argv0;
      case '@':
      case '*':
        return this.positional.join(' ');
      case 'LINENO':
        return this.vars.get('LINENO')?.value ?? String(this.line);
    }
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) return this.positional[Number(name) - 1];
    return this.vars.get(name)?.value;
  }

  setNamedOption(name: string | undefined, on: boolean): boolean {
    if (name === 'pipefail') this.flags.pipefail = on;
    else if (name !== undefined && (Object.values(FLAG_LETTERS) as string[]).includes(name)) this.flags[name as keyof ShellFlags] = on;
    else return false;
    return true;
  }

  // ---- output helpers for builtins ----

  stdin(): ShellInput {
    return this.fds[0]?.input ?? new NullInput();
  }

  fd(n: number): SyncOutput | undefined {
    return this.fds[n]?.output;
  }

  out(text: string): void {
    const o = this.fds[1]?.output;
    if (o === undefined) throw new WasmboxError('EBADF', 'write error: Bad file descriptor');
    if (text !== '') o.write(encode(text));
  }

  /** `sh: message` on stderr. */
  err(message: string): void {
    this.fds[2]?.output?.write(encode(message.startsWith('sh: ') ? `${message}\n` : `sh: ${message}\n`));
  }

  resolvePath(path: string): string {
    return normalizeAbsolute(path.startsWith('/') ? path : `${this.cwd}/${path}`);
  }

  isInteractiveTty(n: number): boolean {
    const f = this.fds[n];
    return (f?.input?.isTTY ?? f?.output?.isTTY) === true;
  }

  // ---- execution ----

  execute(script: Script): number {
    return this.runList(script.body);
  }

  runList(list: Statement[]): number {
    let status = 0;
    for (const stmt of list) status = this.runStatement(stmt);
    return status;
  }

  private runStatement(stmt: Statement): number {
    this.line = stmt.line;
    if (stmt.background) {
      const sub = this.fork();
      sub.fds[0] = { input: new NullInput() };
      const pid = ++this.jobs.nextPid;
      let status: number;
      try {
        status = sub.runAndOr(stmt);
      } catch (e) {
        status = sub.uncaught(e);
      }
      this.jobs.statuses.set(pid, status);
      this.lastBackgroundPid = pid;
      this.status = 0;
      return 0;
    }
    return this.runAndOr(stmt);
  }

  private runAndOr(stmt: Statement): number {
    const n = stmt.rest.length;
    let status = 0;
    for (let i = 0; i <= n; i++) {
      const p = i === 0 ? stmt.first : stmt.rest[i - 1].pipeline;
      if (i > 0) {
        const op = stmt.rest[i - 1].op;
        if ((op === '&&') !== (status === 0)) continue;
      }
      if (i < n) {
        this.conditionDepth++;
        try {
          status = this.runPipeline(p);
        } finally {
          this.conditionDepth--;
        }
      } else {
        status = this.runPipeline(p);
        this.status = status;
        if (status !== 0 && !p.negated && this.flags.errexit && this.conditionDepth === 0) throw new ExitSignal(status);
      }
      this.status = status;
    }
    return status;
  }

  private runPipeline(p: Pipeline): number {
    let status: number;
    if (p.negated) this.conditionDepth++;
    try {
      if (p.commands.length === 1) {
        status = this.runCommand(p.commands[0]);
      } else {
        let input: ShellInput = this.stdin();
        const statuses: number[] = [];
        p.commands.forEach((cmd, i) => {
          const last = i === p.commands.length - 1;
          const pipe = last ? null : new PipeBuffer(this.pipeBytes);
          const sub = this.fork();
          sub.fds[0] = { input };
          if (pipe !== null) sub.fds[1] = { output: pipe };
          let st: number;
          try {
            st = sub.runCommand(cmd);
          } catch (e) {
            st = sub.uncaught(e);
          }
          statuses.push(st);
          if (pipe !== null) input = pipe.reader();
        });
        status = statuses[statuses.length - 1];
        if (this.flags.pipefail) status = [...statuses].reverse().find((s) => s !== 0) ?? 0;
      }
    } finally {
      if (p.negated) this.conditionDepth--;
    }
    return p.negated ? (status === 0 ? 1 : 0) : status;
  }

  runCommand(cmd: Command): number {
    switch (cmd.type) {
      case 'SimpleCommand':
        return this.runSimple(cmd);
      case 'FunctionDef':
        this.functions.set(cmd.name, cmd);
        return 0;
      case 'Subshell':
        return this.withRedirections(cmd.redirections, () => {
          const sub = this.fork();
          try {
            return sub.runList(cmd.body);
          } catch (e) {
            return sub.uncaught(e);
          }
        });
      case 'BraceGroup':
        return this.withRedirections(cmd.redirections, () => this.runList(cmd.body));
      case 'If':
        return this.withRedirections(cmd.redirections, () => {
          for (const c of cmd.clauses) {
            if (this.condition(c.condition) === 0) return this.runList(c.body);
          }
          return cmd.elseBody === null ? 0 : this.runList(cmd.elseBody);
        });
      case 'Loop':
        return this.withRedirections(cmd.redirections, () => {
          let status = 0;
          this.loopDepth++;
          try {
            for (;;) {
              const c = this.condition(cmd.condition);
              if (cmd.kind === 'while' ? c !== 0 : c === 0) break;
              const r = this.loopBody(cmd.body);
              status = r.status;
              if (r.stop) break;
            }
          } finally {
            this.loopDepth--;
          }
          return status;
        });
      case 'For':
        return this.withRedirections(cmd.redirections, () => {
          const items = cmd.words === null ? [...this.positional] : this.expander.fields(cmd.words);
          let status = 0;
          this.loopDepth++;
          try {
            for (const item of items) {
              this.assignOrFail(cmd.name, item);
              const r = this.loopBody(cmd.body);
              status = r.status;
              if (r.stop) break;
            }
          } finally {
            this.loopDepth--;
          }
          return status;
        });
      case 'Case':
        return this.withRedirections(cmd.redirections, () => {
          const value = this.expander.string(cmd.word);
          for (const item of cmd.items) {
            if (item.patterns.some((p) => matchPattern(this.expander.pattern(p), value))) return this.runList(item.body);
          }
          return 0;
        });
    }
  }

  private condition(list: Statement[]): number {
    this.conditionDepth++;
    try {
      return this.runList(list);
    } finally {
      this.conditionDepth--;
    }
  }

  private loopBody(body: Statement[]): { status: number; stop: boolean } {
    try {
      return { status: this.runList(body), stop: false };
    } catch (e) {
      if (!(e instanceof LoopSignal)) throw e;
      if (e.levels > 1) {
        e.levels--;
        throw e;
      }
      return { status: 0, stop: e.kind === 'break' };
    }
  }

  private assignOrFail(name: string, value: string): void {
    try {
      this.assign(name, value);
    } catch (e) {
      // Assigning to a readonly variable ends a non-interactive shell, as in bash and dash.
      if (isWasmboxError(e, 'EPERM')) throw new ExpansionError(e.message, 1);
      throw e;
    }
  }

  private runSimple(cmd: SimpleCommand): number {
    this.line = cmd.line;
    this.substStatus = undefined;
    const argv = this.expander.fields(cmd.words);
    const assigns: [string, string][] = cmd.assignments.map((a) => [a.name, this.expander.string(a.value)]);
    if (this.flags.xtrace) this.trace(assigns, argv);
    if (argv.length === 0) {
      const status = this.substStatus ?? 0;
      for (const [k, v] of assigns) this.assignOrFail(k, v);
      return this.withRedirections(cmd.redirections, () => status);
    }
    if (argv[0] === 'exec' && argv.length === 1) {
      // `exec` with redirections only: they stay for the rest of the shell.
      try {
        this.applyRedirections(cmd.redirections, []);
      } catch (e) {
        if (!(e instanceof RedirectError)) throw e;
        this.err(e.message);
        return 1;
      }
      return 0;
    }
    return this.withRedirections(cmd.redirections, () => this.invoke(argv, assigns));
  }

  private substStatus: number | undefined;

  private trace(assigns: [string, string][], argv: string[]): void {
    const ps4 = this.getVar('PS4') ?? '+ ';
    const words = [...assigns.map(([k, v]) => `${k}=${quoteForShell(v)}`), ...argv.map(quoteForShell)];
    this.fds[2]?.output?.write(encode(`${ps4}${words.join(' ')}\n`));
  }

  /** Runs a command by name: special builtin, function, builtin, then a program on PATH. */
  invoke(argv: string[], assigns: [string, string][], options: { skipFunctions?: boolean } = {}): number {
    const name = argv[0];
    const special = SPECIAL_BUILTINS.has(name) ? BUILTINS[name] : undefined;
    if (special !== undefined) {
      for (const [k, v] of assigns) this.assignOrFail(k, v);
      return this.runBuiltin(special, argv);
    }
    const fn = options.skipFunctions ? undefined : this.functions.get(name);
    if (fn !== undefined) return this.withTempVars(assigns, () => this.callFunction(fn, argv.slice(1)));
    const builtin = BUILTINS[name];
    if (builtin !== undefined) return this.withTempVars(assigns, () => this.runBuiltin(builtin, argv));
    return this.runProgram(argv, assigns);
  }

  /** A builtin's I/O failure (a closed fd, a full disk) fails the builtin, not the shell; EPIPE still ends the stage. */
  private runBuiltin(builtin: (sh: Shell, argv: string[]) => number, argv: string[]): number {
    try {
      return builtin(this, argv);
    } catch (e) {
      if (!(e instanceof WasmboxError) || e.code === 'EPIPE') throw e;
      this.err(`${argv[0]}: ${e.code === 'EBADF' ? e.message : describeFsError(e)}`);
      return 1;
    }
  }

  private withTempVars(assigns: [string, string][], fn: () => number): number {
    if (assigns.length === 0) return fn();
    const saved = assigns.map(([k]) => [k, this.vars.get(k)] as const);
    for (const [k, v] of assigns) {
      const old = this.vars.get(k);
      if (old?.readonly) throw new ExpansionError(`${k}: readonly variable`, 1);
      this.vars.set(k, { value: v, exported: true, readonly: false });
    }
    try {
      return fn();
    } finally {
      for (const [k, old] of saved) {
        if (old === undefined) this.vars.delete(k);
        else this.vars.set(k, old);
      }
    }
  }

  /** Runs `fn` one nesting level deeper; fails cleanly past MAX_NESTING. */
  nested<T>(what: string, fn: () => T): T {
    if (this.nesting >= MAX_NESTING) throw new ExpansionError(`${what}: maximum nesting level exceeded (${MAX_NESTING})`);
    this.nesting++;
    try {
      return fn();
    } finally {
      this.nesting--;
    }
  }

  callFunction(fn: FunctionDef, args: string[]): number {
    return this.nested(fn.name, () => this.callFunctionNow(fn, args));
  }

  private callFunctionNow(fn: FunctionDef, args: string[]): number {
    const savedArgs = this.positional;
    const savedLoop = this.loopDepth;
    this.positional = args;
    this.funcDepth++;
    this.loopDepth = 0;
    const frame = new Map<string, Var | undefined>();
    this.localFrames.push(frame);
    try {
      return this.runCommand(fn.body);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.status;
      throw e;
    } finally {
      this.localFrames.pop();
      for (const [k, old] of frame) {
        if (old === undefined) this.vars.delete(k);
        else this.vars.set(k, old);
      }
      this.funcDepth--;
      this.loopDepth = savedLoop;
      this.positional = savedArgs;
    }
  }

  /** `return n` from a function or a sourced file. */
  doReturn(status: number): never {
    throw new ReturnSignal(status);
  }

  /** Where `name` would run from: a path for programs, undefined when not found. */
  findProgram(name: string): string | undefined {
    const fs = this.host.fs;
    const isFile = (p: string): boolean => {
      try {
        return fs.kindOf(p) === 'file';
      } catch {
        return false;
      }
    };
    if (name.includes('/')) {
      const p = this.resolvePath(name);
      return isFile(p) ? p : undefined;
    }
    if (name === '') return undefined;
    const path = this.getVar('PATH') ?? DEFAULT_PATH;
    for (const dir of path.split(':')) {
      const p = this.resolvePath(`${dir === '' ? '.' : dir}/${name}`);
      if (isFile(p)) return p;
    }
    return undefined;
  }

  private runProgram(argv: string[], assigns: [string, string][]): number {
    const name = argv[0];
    const path = this.findProgram(name);
    if (path === undefined) {
      this.err(`${name}: not found`);
      return 127;
    }
    const io: ShellIo = {
      stdin: this.stdin(),
      stdout: this.fds[1]?.output ?? NULL_OUTPUT,
      stderr: this.fds[2]?.output ?? NULL_OUTPUT,
    };
    const env = this.environ(assigns);
    let status: number;
    try {
      if (this.isBuiltinShell(path)) {
        const nested = new Shell(this.host, { ...this.options, env, cwd: this.cwd, argv0: name, args: [] });
        nested.jobs = this.jobs;
        nested.nesting = this.nesting;
        status = this.nested('sh', () => nested.runArgs(argv, io));
      } else {
        status = this.host.exec(path, argv, io, env, this.cwd);
      }
    } catch (e) {
      if (isWasmboxError(e, 'EPIPE')) throw e;
      if (e instanceof ExitSignal || e instanceof LoopSignal || e instanceof ReturnSignal) throw e;
      this.err(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      return 126;
    }
    if (status === 126) this.err(`${name}: cannot execute`);
    return status;
  }

  /** Is the file the toolbox's marker for this shell (`/bin/sh`)? Then it runs in-process. */
  private isBuiltinShell(path: string): boolean {
    let h: FileHandle | undefined;
    try {
      h = this.host.fs.open(path, { read: true });
      const marker = encode(BUILTIN_SHELL_MARKER);
      if (h.size() !== marker.length) return false;
      const buf = new Uint8Array(marker.length);
      h.read(buf, 0);
      return buf.every((b, i) => b === marker[i]);
    } catch {
      return false;
    } finally {
      h?.close();
    }
  }

  /** A subshell: a copy of this shell's state whose changes do not come back. */
  fork(): Shell {
    const s = new Shell(this.host, { pipeBufferBytes: this.pipeBytes, captureLimitBytes: this.captureBytes, pid: this.pid });
    s.vars = new Map([...this.vars].map(([k, v]) => [k, { ...v }]));
    s.functions = new Map(this.functions);
    s.positional = [...this.positional];
    s.argv0 = this.argv0;
    s.cwd = this.cwd;
    s.flags = { ...this.flags };
    s.status = this.status;
    s.lastBackgroundPid = this.lastBackgroundPid;
    s.umask = this.umask;
    s.funcDepth = this.funcDepth;
    s.sourceDepth = this.sourceDepth;
    s.loopDepth = 0;
    s.conditionDepth = this.conditionDepth;
    // `local` still works in a subshell of a function; its frames die with the subshell.
    s.localFrames = this.localFrames.map(() => new Map());
    s.line = this.line;
    s.nesting = this.nesting;
    s.fds = this.fds.slice();
    s.jobs = this.jobs;
    return s;
  }

  private commandSubst(script: Script): string {
    return this.nested('command substitution', () => this.commandSubstNow(script));
  }

  private commandSubstNow(script: Script): string {
    const sub = this.fork();
    const capture = new CaptureOutput(this.captureBytes);
    sub.fds[1] = { output: capture };
    let status: number;
    try {
      status = sub.execute(script);
    } catch (e) {
      status = sub.uncaught(e);
    }
    this.status = status;
    this.substStatus = status;
    return capture.text();
  }

  jobStatus(pid: number): number | undefined {
    return this.jobs.statuses.get(pid);
  }

  // ---- redirections ----

  private withRedirections(redirs: Redirection[], fn: () => number): number {
    if (redirs.length === 0) return fn();
    const saved = this.fds;
    this.fds = saved.slice();
    const opened: FileHandle[] = [];
    try {
      try {
        this.applyRedirections(redirs, opened);
      } catch (e) {
        if (!(e instanceof RedirectError)) throw e;
        this.err(e.message);
        return 1;
      }
      return fn();
    } finally {
      this.fds = saved;
      for (const h of opened) h.close();
    }
  }

  private applyRedirections(redirs: Redirection[], opened: FileHandle[]): void {
    for (const r of redirs) this.applyRedirection(r, opened);
  }

  private applyRedirection(r: Redirection, opened: FileHandle[]): void {
    const op = r.operator;
    const fd = r.fd ?? (op[0] === '<' ? 0 : 1);
    if (r.heredoc !== undefined) {
      const text = r.heredoc.quoted ? this.expander.string(r.heredoc.body) : this.expander.quotedString(r.heredoc.body);
      this.fds[fd] = { input: new BytesInput(encode(text)) };
      return;
    }
    const target = this.expander.string(r.target);
    if (op === '<&' || op === '>&') {
      if (target === '-') {
        this.fds[fd] = undefined;
        return;
      }
      if (/^[0-9]+$/.test(target)) {
        const src = this.fds[Number(target)];
        if (src === undefined) throw new RedirectError(`${target}: Bad file descriptor`);
        this.fds[fd] = src;
        return;
      }
      if (op === '>&' && r.fd === null) {
        // `>& file`: stdout and stderr to the file.
        this.fds[1] = this.openFile(target, '>', opened);
        this.fds[2] = this.fds[1];
        return;
      }
      throw new RedirectError(`${target}: ambiguous redirect`);
    }
    this.fds[fd] = this.openFile(target, op, opened);
  }

  private openFile(target: string, op: string, opened: FileHandle[]): Fd {
    const dev = /^\/dev\/(null|stdin|stdout|stderr|fd\/([0-9]+))$/.exec(target);
    if (dev) {
      if (dev[1] === 'null') return { input: new NullInput(), output: NULL_OUTPUT };
      const n = dev[2] !== undefined ? Number(dev[2]) : ['stdin', 'stdout', 'stderr'].indexOf(dev[1]);
      const src = this.fds[n];
      if (src === undefined) throw new RedirectError(`${target}: Bad file descriptor`);
      return src;
    }
    if (target === '') throw new RedirectError(': No such file or directory');
    const path = this.resolvePath(target);
    const fs = this.host.fs;
    const mode = 0o666 & ~this.umask;
    try {
      let h: FileHandle;
      if (op === '<') {
        h = fs.open(path, { read: true });
        opened.push(h);
        return { input: new FileInput(h) };
      }
      if (op === '<>') {
        h = fs.open(path, { read: true, write: true, create: true, mode });
        opened.push(h);
        return { input: new FileInput(h), output: new FileOutput(h, { append: false }) };
      }
      if (op === '>' && this.flags.noclobber && fs.kindOf(path) === 'file') {
        throw new RedirectError(`${target}: cannot overwrite existing file`);
      }
      const append = op === '>>';
      h = fs.open(path, { write: true, create: true, truncate: !append, append, mode });
      opened.push(h);
      return { output: new FileOutput(h, { append }) };
    } catch (e) {
      if (e instanceof RedirectError) throw e;
      throw new RedirectError(`${target}: ${describeFsError(e)}`);
    }
  }
}
