// Commands the shell runs itself: the ones that must change the shell's own state (cd,
// export, set, read…) and the small, frequent ones (echo, printf, test) that would cost a
// program start each. Each takes the shell and argv (argv[0] is the name) and returns a status.

import { isWasmboxError } from '../../errors.js';
import type { Shell } from './interpreter.js';
import { ExitSignal, FLAG_LETTERS, LoopSignal, ReturnSignal, describeFsError } from './signals.js';
import { backslashEscapes, formatPrintf } from './printf.js';
import { TestSyntaxError, evaluateTest } from './test-expr.js';
import { decode } from './io.js';
import { isName } from './lexer.js';

export type Builtin = (sh: Shell, argv: string[]) => number;

/** POSIX special builtins: found before functions; their assignments persist. */
export const SPECIAL_BUILTINS = new Set([':', '.', 'break', 'continue', 'eval', 'exec', 'exit', 'export', 'readonly', 'return', 'set', 'shift', 'trap', 'unset']);

export const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'while', 'until', 'do', 'done', 'in', '{', '}', '!']);

const SIGNALS = ['EXIT', 'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE', 'ALRM', 'TERM'];

/** Quotes a value so the shell reads it back as the same word (for `set`, `export -p`, `set -x`). */
export function quoteForShell(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function parseStatusArg(sh: Shell, name: string, arg: string | undefined): number | undefined {
  if (arg === undefined) return sh.status;
  if (!/^-?[0-9]+$/.test(arg)) {
    sh.err(`${name}: ${arg}: numeric argument required`);
    return undefined;
  }
  return Number(arg) & 255;
}

function setVarChecked(sh: Shell, name: string, value: string, options: { export?: boolean } = {}): boolean {
  try {
    sh.assign(name, value, options);
    return true;
  } catch (e) {
    if (!isWasmboxError(e, 'EPERM')) throw e;
    sh.err(e.message);
    return false;
  }
}

const echo: Builtin = (sh, argv) => {
  let i = 1;
  let newline = true;
  let escapes = false;
  while (i < argv.length && /^-[neE]+$/.test(argv[i])) {
    for (const f of argv[i].slice(1)) {
      if (f === 'n') newline = false;
      else if (f === 'e') escapes = true;
      else escapes = false;
    }
    i++;
  }
  let text = argv.slice(i).join(' ');
  if (escapes) {
    const r = backslashEscapes(text, { octalNeedsZero: true });
    text = r.text;
    if (r.stop) newline = false;
  }
  sh.out(newline ? text + '\n' : text);
  return 0;
};

const printf: Builtin = (sh, argv) => {
  let args = argv.slice(1);
  if (args[0] === '--') args = args.slice(1);
  if (args.length === 0) {
    sh.err('printf: usage: printf format [arguments]');
    return 2;
  }
  const r = formatPrintf(args[0], args.slice(1));
  sh.out(r.output);
  for (const e of r.errors) sh.err(e);
  return r.errors.length > 0 ? 1 : 0;
};

const test: Builtin = (sh, argv) => {
  let args = argv.slice(1);
  if (argv[0] === '[') {
    if (args[args.length - 1] !== ']') {
      sh.err("[: missing ']'");
      return 2;
    }
    args = args.slice(0, -1);
  }
  try {
    return evaluateTest(args, { fs: sh.host.fs, resolve: (p) => sh.resolvePath(p), isTTY: (fd) => sh.isInteractiveTty(fd) }) ? 0 : 1;
  } catch (e) {
    if (!(e instanceof TestSyntaxError)) throw e;
    sh.err(`${argv[0]}: ${e.message}`);
    return 2;
  }
};

const cd: Builtin = (sh, argv) => {
  const args = argv.slice(1).filter((a, i) => !(i === 0 && (a === '-L' || a === '-P' || a === '--')));
  let target: string | undefined = args[0];
  let print = false;
  if (target === undefined || target === '') {
    target = sh.getVar('HOME');
    if (target === undefined) {
      sh.err('cd: HOME not set');
      return 1;
    }
  } else if (target === '-') {
    target = sh.getVar('OLDPWD');
    if (target === undefined) {
      sh.err('cd: OLDPWD not set');
      return 1;
    }
    print = true;
  }
  const path = sh.resolvePath(target);
  let kind;
  try {
    kind = sh.host.fs.kindOf(path);
  } catch (e) {
    sh.err(`cd: ${target}: ${describeFsError(e)}`);
    return 1;
  }
  if (kind === undefined) {
    sh.err(`cd: ${target}: No such file or directory`);
    return 1;
  }
  if (kind !== 'dir') {
    sh.err(`cd: ${target}: Not a directory`);
    return 1;
  }
  const old = sh.cwd;
  sh.cwd = path;
  setVarChecked(sh, 'OLDPWD', old);
  setVarChecked(sh, 'PWD', path);
  if (print) sh.out(path + '\n');
  return 0;
};

const pwd: Builtin = (sh) => {
  sh.out(sh.cwd + '\n');
  return 0;
};

function declare(sh: Shell, argv: string[], attr: 'exported' | 'readonly'): number {
  let args = argv.slice(1);
  let remove = false;
  while (args[0]?.startsWith('-')) {
    if (args[0] === '--') {
      args = args.slice(1);
      break;
    }
    if (args[0] === '-n' && attr === 'exported') remove = true;
    else if (args[0] !== '-p') {
      sh.err(`${argv[0]}: ${args[0]}: invalid option`);
      return 2;
    }
    args = args.slice(1);
  }
  if (args.length === 0) {
    const names = [...sh.vars.keys()].filter((k) => sh.vars.get(k)![attr]).sort();
    for (const k of names) {
      const v = sh.vars.get(k)!.value;
      sh.out(`${attr === 'exported' ? 'export' : 'readonly'} ${k}${v === undefined ? '' : '=' + quoteForShell(v)}\n`);
    }
    return 0;
  }
  let status = 0;
  for (const a of args) {
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    if (!isName(name)) {
      sh.err(`${argv[0]}: '${a}': not a valid identifier`);
      status = 1;
      continue;
    }
    if (eq >= 0 && !setVarChecked(sh, name, a.slice(eq + 1))) {
      status = 1;
      continue;
    }
    let v = sh.vars.get(name);
    if (v === undefined) {
      v = { value: undefined, exported: false, readonly: false };
      sh.vars.set(name, v);
    }
    if (attr === 'exported') v.exported = !remove;
    else v.readonly = true;
  }
  return status;
}

const unset: Builtin = (sh, argv) => {
  let mode: 'v' | 'f' | 'any' = 'any';
  let status = 0;
  for (const a of argv.slice(1)) {
    if (a === '-v' || a === '-f') {
      mode = a[1] as 'v' | 'f';
      continue;
    }
    if (mode !== 'f') {
      if (sh.vars.has(a) || mode === 'v') {
        try {
          sh.unsetVar(a);
        } catch (e) {
          if (!isWasmboxError(e, 'EPERM')) throw e;
          sh.err(`unset: ${e.message}`);
          status = 1;
        }
        continue;
      }
    }
    sh.functions.delete(a);
  }
  return status;
};

const set: Builtin = (sh, argv) => {
  if (argv.length === 1) {
    for (const k of [...sh.vars.keys()].sort()) {
      const v = sh.vars.get(k)!.value;
      if (v !== undefined) sh.out(`${k}=${quoteForShell(v)}\n`);
    }
    return 0;
  }
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      sh.positional = argv.slice(i + 1);
      return 0;
    }
    if (a === '-' || a === '+') {
      sh.flags.xtrace = false;
      sh.flags.verbose = false;
      i++;
      break;
    }
    if (!(a.startsWith('-') || a.startsWith('+'))) break;
    const on = a[0] === '-';
    for (const ch of a.slice(1)) {
      if (ch === 'o') {
        const name = argv[i + 1];
        if (name === undefined) {
          for (const [k, v] of Object.entries(sh.flags)) sh.out(on ? `${k.padEnd(15)} ${v ? 'on' : 'off'}\n` : `set ${v ? '-' : '+'}o ${k}\n`);
          continue;
        }
        i++;
        if (!sh.setNamedOption(name, on)) {
          sh.err(`set: ${name}: invalid option name`);
          return 2;
        }
      } else if (FLAG_LETTERS[ch] !== undefined) {
        sh.flags[FLAG_LETTERS[ch]] = on;
      } else {
        sh.err(`set: ${a[0]}${ch}: invalid option`);
        return 2;
      }
    }
  }
  if (i < argv.length) sh.positional = argv.slice(i);
  return 0;
};

const shift: Builtin = (sh, argv) => {
  const n = argv[1] === undefined ? 1 : Number(argv[1]);
  if (!Number.isInteger(n) || n < 0) {
    sh.err(`shift: ${argv[1]}: numeric argument required`);
    return 2;
  }
  if (n > sh.positional.length) {
    sh.err('shift: shift count out of range');
    return 1;
  }
  sh.positional = sh.positional.slice(n);
  return 0;
};

const exit: Builtin = (sh, argv) => {
  const status = parseStatusArg(sh, 'exit', argv[1]);
  throw new ExitSignal(status ?? 2);
};

const ret: Builtin = (sh, argv) => {
  if (sh.funcDepth === 0 && sh.sourceDepth === 0) {
    sh.err("return: can only 'return' from a function or sourced script");
    return 1;
  }
  const status = parseStatusArg(sh, 'return', argv[1]);
  return sh.doReturn(status ?? 2);
};

function loopControl(kind: 'break' | 'continue'): Builtin {
  return (sh, argv) => {
    const n = argv[1] === undefined ? 1 : Number(argv[1]);
    if (!Number.isInteger(n) || n < 1) {
      sh.err(`${kind}: ${argv[1]}: loop count out of range`);
      return 1;
    }
    if (sh.loopDepth === 0) return 0;
    throw new LoopSignal(kind, Math.min(n, sh.loopDepth));
  };
}

/** Splits a line for `read`: fields on IFS, the last name takes the rest of the line. */
function splitForRead(line: string, ifs: string, count: number): string[] {
  const white = (c: string): boolean => ifs.includes(c) && (c === ' ' || c === '\t' || c === '\n');
  const isIfs = (c: string): boolean => ifs.includes(c);
  const out: string[] = [];
  let i = 0;
  while (i < line.length && white(line[i])) i++;
  while (out.length < count - 1 && i < line.length) {
    let j = i;
    while (j < line.length && !isIfs(line[j])) j++;
    out.push(line.slice(i, j));
    i = j;
    while (i < line.length && white(line[i])) i++;
    if (i < line.length && isIfs(line[i]) && !white(line[i])) {
      i++;
      while (i < line.length && white(line[i])) i++;
    }
  }
  let rest = line.slice(i);
  let k = rest.length;
  while (k > 0 && white(rest[k - 1])) k--;
  rest = rest.slice(0, k);
  out.push(rest);
  return out;
}

const read: Builtin = (sh, argv) => {
  let raw = false;
  let prompt: string | undefined;
  let i = 1;
  for (; i < argv.length && argv[i].startsWith('-') && argv[i] !== '-'; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (a === '-r') raw = true;
    else if (a === '-p') prompt = argv[++i];
    else {
      sh.err(`read: ${a}: invalid option`);
      return 2;
    }
  }
  const names = argv.slice(i);
  if (names.length === 0) names.push('REPLY');
  for (const n of names) {
    if (!isName(n)) {
      sh.err(`read: '${n}': not a valid identifier`);
      return 1;
    }
  }
  if (prompt !== undefined && sh.isInteractiveTty(0)) sh.fd(2)?.write(new TextEncoder().encode(prompt));
  const input = sh.stdin();
  let line = '';
  let ended = false;
  let gotAny = false;
  for (;;) {
    const r = input.readLine();
    if (r === null) break;
    gotAny = true;
    ended = r.ended;
    if (!raw && /(^|[^\\])(\\\\)*\\$/.test(r.line) && r.ended) {
      line += r.line.slice(0, -1);
      continue;
    }
    line += r.line;
    break;
  }
  if (!raw) line = line.replace(/\\(.)/g, '$1');
  const ifs = sh.getVar('IFS') ?? ' \t\n';
  const values = names.length === 1 && ifs === '' ? [line] : splitForRead(line, ifs, names.length);
  if (names.length === 1 && ifs !== '') {
    // One name: only leading and trailing IFS white space goes.
    values[0] = splitForRead(line, ifs, 1)[0];
  }
  names.forEach((n, k) => setVarChecked(sh, n, values[k] ?? ''));
  return gotAny && ended ? 0 : 1;
};

function describeCommand(sh: Shell, name: string, verbose: boolean): string | undefined {
  if (KEYWORDS.has(name)) return verbose ? `${name} is a shell keyword` : name;
  if (sh.functions.has(name)) return verbose ? `${name} is a function` : name;
  if (BUILTINS[name] !== undefined) return verbose ? `${name} is a shell builtin` : name;
  const path = sh.findProgram(name);
  if (path === undefined) return undefined;
  return verbose ? `${name} is ${path}` : path;
}

const command: Builtin = (sh, argv) => {
  let i = 1;
  let mode: 'run' | 'v' | 'V' = 'run';
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    for (const ch of a.slice(1)) {
      if (ch === 'v') mode = 'v';
      else if (ch === 'V') mode = 'V';
      else if (ch !== 'p') {
        sh.err(`command: -${ch}: invalid option`);
        return 2;
      }
    }
  }
  const rest = argv.slice(i);
  if (rest.length === 0) return 0;
  if (mode === 'run') return sh.invoke(rest, [], { skipFunctions: true });
  let status = 0;
  for (const name of rest) {
    const d = describeCommand(sh, name, mode === 'V');
    if (d === undefined) {
      if (mode === 'V') sh.err(`command: ${name}: not found`);
      status = 1;
    } else sh.out(d + '\n');
  }
  return status;
};

const type: Builtin = (sh, argv) => {
  let status = 0;
  for (const name of argv.slice(1)) {
    const d = describeCommand(sh, name, true);
    if (d === undefined) {
      sh.err(`type: ${name}: not found`);
      status = 1;
    } else sh.out(d + '\n');
  }
  return status;
};

const evalBuiltin: Builtin = (sh, argv) => {
  const src = argv.slice(1).join(' ');
  if (src.trim() === '') return 0;
  sh.sourceDepth++;
  try {
    return sh.nested('eval', () => sh.runSource(src, { firstLine: sh.line }));
  } finally {
    sh.sourceDepth--;
  }
};

const source: Builtin = (sh, argv) => {
  const file = argv[1];
  if (file === undefined) {
    sh.err(`${argv[0]}: filename argument required`);
    return 2;
  }
  let path: string | undefined;
  if (file.includes('/')) path = sh.resolvePath(file);
  else {
    path = sh.findProgram(file);
    if (path === undefined && sh.host.fs.kindOf(sh.resolvePath(file)) === 'file') path = sh.resolvePath(file);
  }
  let text: string;
  try {
    if (path === undefined) throw new Error('not found');
    text = decode(sh.host.fs.readFile(path));
  } catch (e) {
    sh.err(`${argv[0]}: ${file}: ${path === undefined ? 'not found' : describeFsError(e)}`);
    return 1;
  }
  const savedArgs = sh.positional;
  if (argv.length > 2) sh.positional = argv.slice(2);
  sh.sourceDepth++;
  try {
    return sh.nested(file, () => sh.runSource(text, { firstLine: 1 }));
  } catch (e) {
    if (e instanceof ReturnSignal) return e.status;
    throw e;
  } finally {
    sh.sourceDepth--;
    if (argv.length > 2) sh.positional = savedArgs;
  }
};

const exec: Builtin = (sh, argv) => {
  if (argv.length === 1) return 0;
  const status = sh.invoke(argv.slice(1), [], { skipFunctions: true });
  throw new ExitSignal(status);
};

const wait: Builtin = (sh, argv) => {
  let status = 0;
  for (const a of argv.slice(1)) {
    const s = sh.jobStatus(Number(a));
    if (s === undefined) {
      sh.err(`wait: pid ${a} is not a child of this shell`);
      status = 127;
    } else status = s;
  }
  return status;
};

function signalName(s: string): string | undefined {
  if (/^[0-9]+$/.test(s)) return SIGNALS[Number(s)];
  const n = s.toUpperCase().replace(/^SIG/, '');
  return SIGNALS.includes(n) ? n : undefined;
}

const trap: Builtin = (sh, argv) => {
  let args = argv.slice(1);
  if (args[0] === '--') args = args.slice(1);
  if (args.length === 0 || args[0] === '-p') {
    for (const [sig, action] of sh.traps) sh.out(`trap -- ${quoteForShell(action)} ${sig}\n`);
    return 0;
  }
  if (args[0] === '-l') {
    sh.out(SIGNALS.map((s, i) => `${i}) SIG${s}`).join(' ') + '\n');
    return 0;
  }
  // `trap SIG`, `trap - SIG…` and `trap N…` (a number first) reset; else the first word is the action.
  let reset = false;
  let action = '';
  let sigs: string[];
  if (args.length === 1 || /^[0-9]+$/.test(args[0])) {
    reset = true;
    sigs = args;
  } else if (args[0] === '-') {
    reset = true;
    sigs = args.slice(1);
  } else {
    action = args[0];
    sigs = args.slice(1);
  }
  let status = 0;
  for (const s of sigs) {
    const name = signalName(s);
    if (name === undefined) {
      sh.err(`trap: ${s}: invalid signal specification`);
      status = 1;
      continue;
    }
    if (reset) sh.traps.delete(name);
    else sh.traps.set(name, action);
  }
  return status;
};

const umask: Builtin = (sh, argv) => {
  const a = argv[1];
  if (a === undefined || a === '-S') {
    if (a === '-S') {
      const perm = (bits: number): string => (bits & 4 ? 'r' : '') + (bits & 2 ? 'w' : '') + (bits & 1 ? 'x' : '');
      const m = ~sh.umask & 0o777;
      sh.out(`u=${perm(m >> 6)},g=${perm((m >> 3) & 7)},o=${perm(m & 7)}\n`);
    } else sh.out(sh.umask.toString(8).padStart(4, '0') + '\n');
    return 0;
  }
  if (!/^[0-7]{1,4}$/.test(a)) {
    sh.err(`umask: ${a}: invalid mode`);
    return 1;
  }
  sh.umask = parseInt(a, 8) & 0o777;
  return 0;
};

const local: Builtin = (sh, argv) => {
  if (sh.funcDepth === 0 || sh.localFrames.length === 0) {
    sh.err('local: can only be used in a function');
    return 1;
  }
  let status = 0;
  for (const a of argv.slice(1)) {
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    if (!isName(name)) {
      sh.err(`local: '${a}': not a valid identifier`);
      status = 1;
      continue;
    }
    try {
      sh.makeLocal(name, eq < 0 ? undefined : a.slice(eq + 1));
    } catch (e) {
      if (!isWasmboxError(e, 'EPERM')) throw e;
      sh.err(`local: ${e.message}`);
      status = 1;
    }
  }
  return status;
};

const getopts: Builtin = (sh, argv) => {
  const optstring = argv[1];
  const varName = argv[2];
  if (optstring === undefined || varName === undefined) {
    sh.err('getopts: usage: getopts optstring name [arg ...]');
    return 2;
  }
  const args = argv.length > 3 ? argv.slice(3) : sh.positional;
  const state = sh.getoptsState;
  let optind = Number(sh.getVar('OPTIND') ?? '1') || 1;
  if (optind !== state.optind) state.sub = 0;
  const silent = optstring.startsWith(':');
  const finish = (name: string, status: number): number => {
    state.optind = optind;
    setVarChecked(sh, 'OPTIND', String(optind));
    setVarChecked(sh, varName, name);
    return status;
  };
  if (state.sub === 0) {
    const arg = args[optind - 1];
    if (arg === undefined || arg === '-' || !arg.startsWith('-')) return finish('?', 1);
    if (arg === '--') {
      optind++;
      return finish('?', 1);
    }
    state.sub = 1;
  }
  const arg = args[optind - 1];
  const ch = arg[state.sub++];
  if (state.sub >= arg.length) {
    optind++;
    state.sub = 0;
  }
  const idx = ch === ':' ? -1 : optstring.indexOf(ch);
  if (idx < 0) {
    if (silent) setVarChecked(sh, 'OPTARG', ch);
    else {
      sh.err(`illegal option -- ${ch}`);
      sh.vars.delete('OPTARG');
    }
    return finish('?', 0);
  }
  if (optstring[idx + 1] === ':') {
    if (state.sub > 0) {
      setVarChecked(sh, 'OPTARG', arg.slice(state.sub));
      optind++;
      state.sub = 0;
    } else if (optind <= args.length) {
      setVarChecked(sh, 'OPTARG', args[optind - 1]);
      optind++;
    } else {
      if (silent) {
        setVarChecked(sh, 'OPTARG', ch);
        return finish(':', 0);
      }
      sh.err(`option requires an argument -- ${ch}`);
      return finish('?', 0);
    }
  } else sh.vars.delete('OPTARG');
  return finish(ch, 0);
};

export const BUILTINS: Record<string, Builtin> = {
  ':': () => 0,
  true: () => 0,
  false: () => 1,
  echo,
  printf,
  test,
  '[': test,
  cd,
  pwd,
  export: (sh, argv) => declare(sh, argv, 'exported'),
  readonly: (sh, argv) => declare(sh, argv, 'readonly'),
  unset,
  set,
  shift,
  exit,
  return: ret,
  break: loopControl('break'),
  continue: loopControl('continue'),
  read,
  command,
  type,
  eval: evalBuiltin,
  '.': source,
  source,
  exec,
  wait,
  trap,
  umask,
  local,
  getopts,
  hash: () => 0,
};
