// The Dockerfile parser: parser directives, comments, line continuations (with the escape
// character), heredocs, flags and the per-instruction argument forms (exec/JSON vs shell,
// key=value pairs, whitespace lists), following Docker's own parser. Every error is a
// WasmboxError('DOCKERFILE_PARSE') that names the file, the line and the instruction.

import { WasmboxError } from '../../errors.js';
import type {
  ArgDefinition,
  CommandForm,
  Dockerfile,
  Flag,
  Heredoc,
  HealthcheckInstruction,
  Instruction,
  InstructionKind,
  KeyValue,
  Stage,
  ArgInstruction,
} from './ast.js';
import { splitWords } from './words.js';

export interface ParseOptions {
  /** Names the file in error messages (default `Dockerfile`). */
  file?: string;
}

const KINDS: readonly InstructionKind[] = [
  'FROM',
  'RUN',
  'CMD',
  'ENTRYPOINT',
  'COPY',
  'ADD',
  'ENV',
  'LABEL',
  'ARG',
  'WORKDIR',
  'USER',
  'STOPSIGNAL',
  'MAINTAINER',
  'EXPOSE',
  'VOLUME',
  'SHELL',
  'HEALTHCHECK',
  'ONBUILD',
];

/** Flags each instruction accepts; `true` marks one that may repeat. */
const FLAGS: Partial<Record<InstructionKind, Record<string, boolean>>> = {
  FROM: { platform: false },
  RUN: { mount: true, network: false, security: false },
  COPY: { from: false, chown: false, chmod: false, link: false, parents: false, exclude: true },
  ADD: { chown: false, chmod: false, link: false, checksum: false, 'keep-git-dir': false, exclude: true },
  HEALTHCHECK: { interval: false, timeout: false, 'start-period': false, 'start-interval': false, retries: false },
};

const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const DIRECTIVE_RE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
const HEREDOC_RE = /^(\d*)<<(-?)([^<]*)$/;
const STAGE_NAME_RE = /^[a-z][a-z0-9\-_.]*$/;

interface Where {
  file: string;
  line: number;
  instruction?: string;
}

function parseError(where: Where, message: string): WasmboxError {
  const what = where.instruction ? `${where.instruction}: ` : '';
  return new WasmboxError('DOCKERFILE_PARSE', `${where.file}:${where.line}: ${what}${message}`, {
    details: { file: where.file, line: where.line, instruction: where.instruction },
  });
}

const isBlank = (s: string): boolean => s.trim() === '';
const isComment = (s: string): boolean => s.trimStart().startsWith('#');

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits `--name=value` flags off the front of the arguments, removing their quotes. */
function extractFlags(line: string): { flags: string[]; rest: string } {
  const words: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < line.length && /\s/.test(line[pos]!)) pos++;
    if (!line.startsWith('--', pos)) return { flags: words, rest: line.slice(pos) };
    let word = '';
    let quote = '';
    for (; pos < line.length; pos++) {
      let ch = line[pos]!;
      if (quote === '' && /\s/.test(ch)) break;
      if (quote === '' && (ch === '"' || ch === "'")) {
        quote = ch;
        continue;
      }
      if (quote !== '' && ch === quote) {
        quote = '';
        continue;
      }
      if (ch === '\\' && pos + 1 < line.length) ch = line[++pos]!;
      word += ch;
    }
    if (word === '--') return { flags: words, rest: line.slice(pos).trimStart() };
    words.push(word);
  }
}

function parseFlags(words: string[], kind: InstructionKind, where: Where): Flag[] {
  const allowed = FLAGS[kind] ?? {};
  const seen = new Set<string>();
  return words.map((w) => {
    const body = w.slice(2);
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const value = eq === -1 ? 'true' : body.slice(eq + 1);
    if (name === '') throw parseError(where, `invalid flag: ${w}`);
    if (!(name in allowed)) throw parseError(where, `unknown flag: --${name}`);
    if (seen.has(name) && !allowed[name]) throw parseError(where, `duplicate flag specified: --${name}`);
    seen.add(name);
    return { name, value };
  });
}

function flagValue(flags: Flag[], name: string): string | undefined {
  return flags.find((f) => f.name === name)?.value;
}

function flagBool(flags: Flag[], name: string, where: Where): boolean {
  const v = flagValue(flags, name);
  if (v === undefined) return false;
  if (v === 'true' || v === '') return true;
  if (v === 'false') return false;
  throw parseError(where, `expecting boolean value for flag --${name}, not: ${v}`);
}

/** A JSON array of strings, or undefined when the text is not one (Docker then takes the shell form). */
function tryJsonArray(rest: string): string[] | undefined {
  const t = rest.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // Not JSON: shell form, as Docker does.
  }
  return undefined;
}

function commandForm(rest: string): CommandForm {
  const argv = tryJsonArray(rest);
  return argv ? { form: 'exec', argv } : { form: 'shell', script: rest.trim() };
}

function whitespaceList(rest: string): string[] {
  const t = rest.trim();
  return t === '' ? [] : t.split(/\s+/);
}

function checkQuotes(rest: string, escape: string, where: Where): string[] {
  const { words, unterminatedQuote } = splitWords(rest, escape);
  if (unterminatedQuote !== undefined) {
    throw parseError(where, `unterminated ${unterminatedQuote === '"' ? 'double' : 'single'} quote in: ${rest.trim()}`);
  }
  return words;
}

/** ENV and LABEL: `key=value ...`, or the legacy `KEY name value` (one pair, value = the rest). */
function nameValues(rest: string, escape: string, where: Where, kind: string): KeyValue[] {
  const words = checkQuotes(rest, escape, where);
  if (words.length === 0) throw parseError(where, `${kind} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    const m = /^(\S+)\s+([\s\S]+)$/.exec(rest.trim());
    if (!m) throw parseError(where, `${kind} must have two arguments`);
    return [{ key: m[1]!, value: m[2]!.trim() }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq === -1) throw parseError(where, `syntax error - can't find = in "${w}". Must be of the form: name=value`);
    const key = w.slice(0, eq);
    if (key === '') throw parseError(where, `${kind} names can not be blank`);
    return { key, value: w.slice(eq + 1) };
  });
}

/** Go's time.ParseDuration subset Docker's flags accept, in nanoseconds. */
function durationNs(text: string, where: Where, flag: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]!]!;
    at = re.lastIndex;
  }
  if (at !== text.length || text === '') throw parseError(where, `invalid duration for --${flag}: "${text}"`);
  return Math.round(total);
}

function healthcheck(base: Omit<HealthcheckInstruction, 'kind' | 'none'>, rest: string, where: Where): HealthcheckInstruction {
  const t = rest.trim();
  const m = /^(\S+)\s*([\s\S]*)$/.exec(t);
  const type = (m?.[1] ?? '').toUpperCase();
  if (type === 'NONE') {
    if (m![2]!.trim() !== '') throw parseError(where, 'HEALTHCHECK NONE takes no arguments');
    return { ...base, kind: 'HEALTHCHECK', none: true };
  }
  if (type !== 'CMD') throw parseError(where, `unknown type "${m?.[1] ?? ''}" in HEALTHCHECK (try CMD)`);
  const body = m![2]!;
  if (body.trim() === '') throw parseError(where, 'missing command after HEALTHCHECK CMD');
  const out: HealthcheckInstruction = { ...base, kind: 'HEALTHCHECK', none: false, command: commandForm(body) };
  const flags = base.flags;
  const d = (name: string) => {
    const v = flagValue(flags, name);
    if (v === undefined) return undefined;
    const ns = durationNs(v, where, name);
    if (ns !== 0 && ns < 1e6) throw parseError(where, `--${name} cannot be less than 1ms`);
    return ns;
  };
  const interval = d('interval');
  const timeout = d('timeout');
  const startPeriod = d('start-period');
  const startInterval = d('start-interval');
  if (interval !== undefined) out.interval = interval;
  if (timeout !== undefined) out.timeout = timeout;
  if (startPeriod !== undefined) out.startPeriod = startPeriod;
  if (startInterval !== undefined) out.startInterval = startInterval;
  const retries = flagValue(flags, 'retries');
  if (retries !== undefined) {
    if (!/^\d+$/.test(retries)) throw parseError(where, `invalid --retries value: "${retries}"`);
    out.retries = Number(retries);
  }
  return out;
}

/** The heredoc markers of an instruction line (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`), in order. */
function heredocMarkers(rest: string, escape: string): Omit<Heredoc, 'content'>[] {
  if (!rest.includes('<<')) return [];
  const out: Omit<Heredoc, 'content'>[] = [];
  for (const w of splitWords(rest, escape).words) {
    const m = HEREDOC_RE.exec(w);
    if (!m || m[3] === '') continue;
    const raw = m[3]!;
    const quoted = /["']/.test(raw);
    const name = raw.replace(/["']/g, '');
    if (name === '' || !/^[A-Za-z0-9_.\-]+$/.test(name)) continue;
    out.push({ name, expand: !quoted, chomp: m[2] === '-', fd: m[1] === '' ? 0 : Number(m[1]) });
  }
  return out;
}

interface Line {
  text: string;
  /** 1-based. */
  number: number;
}

class Parser {
  readonly lines: Line[];
  pos = 0;
  escape = '\\';
  readonly directives: Record<string, string> = {};
  readonly warnings: string[] = [];

  constructor(
    text: string,
    readonly file: string,
  ) {
    const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
    this.lines = src.split(/\r?\n/).map((t, i) => ({ text: t, number: i + 1 }));
  }

  parse(): Dockerfile {
    this.readDirectives();
    const instructions: Instruction[] = [];
    while (this.pos < this.lines.length) {
      const first = this.lines[this.pos++]!;
      const trimmed = first.text.trimStart();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      let { text: line, more } = this.trimContinuation(trimmed);
      let last = first.number;
      let emptyContinuation = false;
      while (more && this.pos < this.lines.length) {
        const next = this.lines[this.pos++]!;
        last = next.number;
        if (isComment(next.text)) continue;
        if (isBlank(next.text)) {
          emptyContinuation = true;
          continue;
        }
        const t = this.trimContinuation(next.text);
        line += t.text;
        more = t.more;
      }
      // A lone continuation character makes no instruction.
      if (line.trim() === '') continue;
      if (emptyContinuation) this.warnings.push(`${this.file}:${first.number}: empty continuation line found in: ${line.trim()}`);
      instructions.push(this.instruction(line, first.number, last, { heredocs: true }));
    }
    return { directives: this.directives, escape: this.escape, instructions, warnings: this.warnings, file: this.file };
  }

  readDirectives(): void {
    const seen = new Set<string>();
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos]!;
      const m = DIRECTIVE_RE.exec(l.text.trimStart());
      if (!m) return;
      const name = m[1]!.toLowerCase();
      // An unknown directive is a comment, and ends the directives like any comment.
      if (!KNOWN_DIRECTIVES.has(name)) return;
      if (seen.has(name)) throw parseError({ file: this.file, line: l.number }, `only one ${name} parser directive can be used`);
      seen.add(name);
      const value = m[2]!;
      if (name === 'escape') {
        if (value !== '\\' && value !== '`') throw parseError({ file: this.file, line: l.number }, `invalid escape token '${value}' does not match \` or \\`);
        this.escape = value;
      }
      this.directives[name] = value;
      this.pos++;
    }
  }

  trimContinuation(text: string): { text: string; more: boolean } {
    const re = new RegExp(`${escapeRegExp(this.escape)}[ \\t]*$`);
    const m = re.exec(text);
    return m ? { text: text.slice(0, m.index), more: true } : { text, more: false };
  }

  /** Reads the bodies of the heredocs an instruction line announced. */
  readHeredocs(markers: Omit<Heredoc, 'content'>[], where: Where): { heredocs: Heredoc[]; last: number } {
    const heredocs: Heredoc[] = [];
    let last = where.line;
    for (const marker of markers) {
      let content = '';
      let terminated = false;
      while (this.pos < this.lines.length) {
        const l = this.lines[this.pos++]!;
        last = l.number;
        const text = marker.chomp ? l.text.replace(/^\t+/, '') : l.text;
        if (text === marker.name) {
          terminated = true;
          break;
        }
        content += text + '\n';
      }
      if (!terminated) throw parseError(where, `unterminated heredoc: no line "${marker.name}" ends the heredoc started here`);
      heredocs.push({ ...marker, content });
    }
    return { heredocs, last };
  }

  instruction(line: string, number: number, last: number, options: { heredocs: boolean }): Instruction {
    const original = line.trim();
    const m = /^(\S+)\s*([\s\S]*)$/.exec(original)!;
    const keyword = m[1]!.toUpperCase();
    const where: Where = { file: this.file, line: number, instruction: keyword };
    if (!(KINDS as readonly string[]).includes(keyword)) {
      throw parseError({ file: this.file, line: number }, `unknown instruction: ${m[1]!.toUpperCase()}`);
    }
    const kind = keyword as InstructionKind;
    const extracted = kind === 'ONBUILD' ? { flags: [], rest: m[2]! } : extractFlags(m[2]!);
    const flags = parseFlags(extracted.flags, kind, where);
    const rest = extracted.rest;
    const base = { line: number, endLine: last, original, flags };
    const needArgs = (n: number, what: string) => {
      if (rest.trim() === '') throw parseError(where, `${kind} requires ${what}`);
      return n;
    };

    switch (kind) {
      case 'FROM': {
        const words = whitespaceList(rest);
        if (words.length !== 1 && !(words.length === 3 && words[1]!.toUpperCase() === 'AS')) {
          throw parseError(where, 'FROM requires either one argument, or three: FROM <image> [AS <name>]');
        }
        const out: Instruction = { ...base, kind, image: words[0]! };
        if (words.length === 3) {
          const name = words[2]!.toLowerCase();
          if (!STAGE_NAME_RE.test(name)) {
            throw parseError(where, `invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
          }
          out.stageName = name;
        }
        const platform = flagValue(flags, 'platform');
        if (platform !== undefined) out.platform = platform;
        return out;
      }
      case 'RUN': {
        needArgs(1, 'at least one argument');
        const command = commandForm(rest);
        let heredocs: Heredoc[] = [];
        if (command.form === 'shell' && options.heredocs) {
          const read = this.readHeredocs(heredocMarkers(rest, this.escape), where);
          heredocs = read.heredocs;
          base.endLine = Math.max(last, read.last);
        }
        const out: Instruction = { ...base, kind, command, heredocs, mounts: flags.filter((f) => f.name === 'mount').map((f) => f.value) };
        const network = flagValue(flags, 'network');
        const security = flagValue(flags, 'security');
        if (network !== undefined) out.network = network;
        if (security !== undefined) out.security = security;
        return out;
      }
      case 'CMD':
      case 'ENTRYPOINT': {
        const command = commandForm(rest);
        if (command.form === 'shell' && command.script === '') throw parseError(where, `${kind} requires at least one argument`);
        return { ...base, kind, command };
      }
      case 'COPY':
      case 'ADD': {
        const json = tryJsonArray(rest);
        const words = json ?? whitespaceList(rest);
        let heredocs: Heredoc[] = [];
        if (!json && options.heredocs) {
          const read = this.readHeredocs(heredocMarkers(rest, this.escape), where);
          heredocs = read.heredocs;
          base.endLine = Math.max(last, read.last);
        }
        if (words.length < 2) {
          throw parseError(where, `${kind} requires at least two arguments, but only ${words.length === 0 ? 'none was' : 'one was'} provided. Destination could not be determined`);
        }
        const out: Instruction = {
          ...base,
          kind,
          sources: words.slice(0, -1),
          dest: words[words.length - 1]!,
          json: json !== undefined,
          heredocs,
          link: flagBool(flags, 'link', where),
          exclude: flags.filter((f) => f.name === 'exclude').map((f) => f.value),
        };
        for (const name of ['from', 'chown', 'chmod', 'checksum'] as const) {
          const v = flagValue(flags, name);
          if (v !== undefined) out[name] = v;
        }
        return out;
      }
      case 'ENV':
      case 'LABEL':
        return { ...base, kind, pairs: nameValues(rest, this.escape, where, kind) };
      case 'ARG': {
        const words = checkQuotes(rest, this.escape, where);
        if (words.length === 0) throw parseError(where, 'ARG requires at least one argument');
        const args = words.map((w): ArgDefinition => {
          const eq = w.indexOf('=');
          const name = eq === -1 ? w : w.slice(0, eq);
          if (name === '') throw parseError(where, `ARG names can not be blank: "${w}"`);
          return eq === -1 ? { name } : { name, value: w.slice(eq + 1) };
        });
        return { ...base, kind, args };
      }
      case 'WORKDIR':
      case 'USER':
      case 'STOPSIGNAL':
      case 'MAINTAINER': {
        needArgs(1, 'exactly one argument');
        if (kind !== 'MAINTAINER') checkQuotes(rest, this.escape, where);
        return { ...base, kind, value: rest.trim() };
      }
      case 'EXPOSE': {
        needArgs(1, 'at least one argument');
        checkQuotes(rest, this.escape, where);
        return { ...base, kind, values: whitespaceList(rest) };
      }
      case 'VOLUME': {
        needArgs(1, 'at least one argument');
        const json = tryJsonArray(rest);
        const values = json ?? whitespaceList(rest);
        if (values.length === 0) throw parseError(where, 'VOLUME requires at least one argument');
        if (values.some((v) => v.trim() === '')) throw parseError(where, 'VOLUME specified can not be an empty string');
        return { ...base, kind, values };
      }
      case 'SHELL': {
        const shell = tryJsonArray(rest);
        if (!shell) throw parseError(where, 'SHELL requires the arguments to be in JSON form');
        if (shell.length === 0) throw parseError(where, 'SHELL requires at least one argument');
        return { ...base, kind, shell };
      }
      case 'HEALTHCHECK':
        needArgs(1, 'at least one argument');
        return healthcheck(base, rest, where);
      case 'ONBUILD': {
        const expression = rest.trim();
        if (expression === '') throw parseError(where, 'ONBUILD requires at least one argument');
        const triggerWord = expression.split(/\s/, 1)[0]!.toUpperCase();
        if (triggerWord === 'ONBUILD') throw parseError(where, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (triggerWord === 'FROM' || triggerWord === 'MAINTAINER') throw parseError(where, `${triggerWord} isn't allowed as an ONBUILD trigger`);
        const trigger = this.instruction(expression, number, last, { heredocs: false });
        return { ...base, kind, expression, trigger };
      }
    }
  }
}

/** Parses a Dockerfile's text. Throws WasmboxError('DOCKERFILE_PARSE') naming file, line and instruction. */
export function parseDockerfile(text: string, options: ParseOptions = {}): Dockerfile {
  return new Parser(text, options.file ?? 'Dockerfile').parse();
}

/** Parses one instruction (an ONBUILD trigger kept in an image config). */
export function parseInstruction(text: string, options: ParseOptions & { line?: number } = {}): Instruction {
  const parser = new Parser('', options.file ?? 'Dockerfile');
  const line = options.line ?? 1;
  return parser.instruction(text, line, line, { heredocs: false });
}

/**
 * Cuts the instructions into the global ARGs (before the first FROM) and the build stages,
 * checking the structure: something to build, nothing but ARG before FROM, unique stage names.
 */
export function splitStages(dockerfile: Dockerfile): { globalArgs: ArgInstruction[]; stages: Stage[] } {
  const file = dockerfile.file;
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const names = new Map<string, number>();
  for (const inst of dockerfile.instructions) {
    if (inst.kind === 'FROM') {
      const stage: Stage = { index: stages.length, from: inst, instructions: [] };
      if (inst.stageName !== undefined) {
        if (names.has(inst.stageName)) {
          throw parseError({ file, line: inst.line, instruction: 'FROM' }, `duplicate stage name "${inst.stageName}" (first defined on line ${names.get(inst.stageName)})`);
        }
        names.set(inst.stageName, inst.line);
        stage.name = inst.stageName;
      }
      stages.push(stage);
    } else if (stages.length === 0) {
      if (inst.kind !== 'ARG') {
        throw parseError({ file, line: inst.line, instruction: inst.kind }, `no build stage in current context: ${inst.kind} must come after a FROM (only ARG may precede the first FROM)`);
      }
      globalArgs.push(inst);
    } else stages[stages.length - 1]!.instructions.push(inst);
  }
  if (stages.length === 0) {
    throw new WasmboxError('DOCKERFILE_PARSE', `${file}: the Dockerfile has no FROM instruction: nothing to build`, { details: { file } });
  }
  return { globalArgs, stages };
}
