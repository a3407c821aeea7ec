// `--format` as the docker CLI reads it: a subset of Go's text/template (fields `.A.B`, pipelines,
// `if`/`else`/`range`/`with`, docker's functions json/join/split/upper/lower/title/truncate/pad
// plus index/len/printf/eq...), the `table` and `json` directives, and Go's tabwriter layout.

import { ExitError } from './context.js';

// ---------------------------------------------------------------------------------------------
// Values

/** Objects registered here behave as Go structs: an unknown field is an error, not "<no value>". */
const structs = new WeakSet<object>();

/** Marks `obj` as a Go struct for templates (the row contexts of `docker images`, `ps`...). */
export function asStruct<T extends object>(obj: T): T {
  structs.add(obj);
  return obj;
}

/** A missing key of a Go map prints as "<no value>". */
const NO_VALUE = Symbol('no value');

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** How Go's fmt prints a value with `%v` (what `{{.X}}` writes). */
export function goPrint(v: unknown): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (isRecord(v)) {
    if (structs.has(v)) return `{${Object.values(v).map(goPrint).join(' ')}}`;
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goPrint(v[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

function truthy(v: unknown): boolean {
  if (v === NO_VALUE || v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isRecord(v) && !structs.has(v)) return Object.keys(v).length > 0;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Parsing

type Operand =
  | { kind: 'field'; path: string[]; root: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'ident'; name: string }
  | { kind: 'pipe'; pipeline: Pipeline; path: string[] };

type Command = Operand[];
type Pipeline = Command[];

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline }
  | { kind: 'if' | 'with' | 'range'; pipeline: Pipeline; body: Node[]; otherwise: Node[] };

export interface Template {
  source: string;
  nodes: Node[];
}

function parseError(source: string, why: string): ExitError {
  return new ExitError(1, `template parsing error: template: :1: ${why} (in ${JSON.stringify(source)})`);
}

interface RawAction {
  text: string;
}

/** Splits a template into text and `{{…}}` actions, applying `{{-` / `-}}` whitespace trimming. */
function lex(source: string): (string | RawAction)[] {
  const out: (string | RawAction)[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open === -1) {
      out.push(source.slice(i));
      break;
    }
    let text = source.slice(i, open);
    let start = open + 2;
    if (source.startsWith('- ', start) || source.startsWith('-\t', start) || source.startsWith('-\n', start)) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) out.push(text);
    const close = findClose(source, start);
    if (close === -1) throw parseError(source, 'unclosed action');
    let end = close;
    let trimAfter = false;
    if (source[close - 1] === '-' && /\s/.test(source[close - 2] ?? '')) {
      end = close - 1;
      trimAfter = true;
    }
    out.push({ text: source.slice(start, end).trim() });
    i = close + 2;
    if (trimAfter) while (i < source.length && /\s/.test(source[i]!)) i++;
  }
  return out;
}

/** The `}}` that ends an action, skipping quoted strings. */
function findClose(source: string, from: number): number {
  let i = from;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '"' || c === '`') {
      i++;
      while (i < source.length && source[i] !== c) i += source[i] === '\\' && c === '"' ? 2 : 1;
      i++;
      continue;
    }
    if (source.startsWith('}}', i)) return i;
    i++;
  }
  return -1;
}

type Token = { t: 'field'; path: string[]; root: boolean } | { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'id'; v: string } | { t: '(' } | { t: ')' } | { t: '|' };

function tokenize(text: string, source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fieldPath = (): string[] => {
    const path: string[] = [];
    while (text[i] === '.') {
      i++;
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      if (!m) break;
      path.push(m[0]);
      i += m[0].length;
    }
    return path;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '|') {
      out.push({ t: c });
      i++;
      if (c === ')' && text[i] === '.') out.push({ t: 'field', path: fieldPath(), root: false });
    } else if (c === '.') {
      out.push({ t: 'field', path: fieldPath(), root: false });
    } else if (c === '$') {
      i++;
      out.push({ t: 'field', path: fieldPath(), root: true });
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw parseError(source, 'unterminated quoted string');
      out.push({ t: 'str', v: JSON.parse(text.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (c === '`') {
      const j = text.indexOf('`', i + 1);
      if (j === -1) throw parseError(source, 'unterminated raw quoted string');
      out.push({ t: 'str', v: text.slice(i + 1, j) });
      i = j + 1;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?[0-9]+(?:\.[0-9]+)?/.exec(text.slice(i));
      if (!m) throw parseError(source, `unexpected "${c}" in operand`);
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      if (!m) throw parseError(source, `unexpected "${c}" in command`);
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

function parsePipeline(tokens: Token[], source: string): Pipeline {
  let pos = 0;
  const pipeline = (): Pipeline => {
    const commands: Pipeline = [[]];
    while (pos < tokens.length) {
      const tok = tokens[pos]!;
      if (tok.t === ')') break;
      pos++;
      const current = commands[commands.length - 1]!;
      if (tok.t === '|') {
        if (current.length === 0) throw parseError(source, 'missing command before "|"');
        commands.push([]);
      } else if (tok.t === '(') {
        const inner = pipeline();
        if (tokens[pos]?.t !== ')') throw parseError(source, 'unclosed left paren');
        pos++;
        let path: string[] = [];
        const next = tokens[pos];
        if (next?.t === 'field' && !next.root) {
          path = next.path;
          pos++;
        }
        current.push({ kind: 'pipe', pipeline: inner, path });
      } else if (tok.t === 'field') current.push({ kind: 'field', path: tok.path, root: tok.root });
      else if (tok.t === 'str') current.push({ kind: 'string', value: tok.v });
      else if (tok.t === 'num') current.push({ kind: 'number', value: tok.v });
      else if (tok.v === 'true' || tok.v === 'false') current.push({ kind: 'bool', value: tok.v === 'true' });
      else if (tok.v === 'nil') current.push({ kind: 'nil' });
      else {
        if (!(tok.v in FUNCTIONS)) throw parseError(source, `function "${tok.v}" not defined`);
        current.push({ kind: 'ident', name: tok.v });
      }
    }
    if (commands.some((c) => c.length === 0)) throw parseError(source, 'missing value for command');
    return commands;
  };
  const out = pipeline();
  if (pos !== tokens.length) throw parseError(source, 'unexpected ")"');
  return out;
}

/** Parses a Go template (the subset documented at the top of this module). */
export function parseTemplate(source: string): Template {
  const items = lex(source);
  let pos = 0;
  // Returns the nodes up to an `else`/`end` (which it leaves for the caller to consume).
  const block = (inside: boolean): { nodes: Node[]; stop: 'else' | 'end' | 'eof'; elseRest?: string } => {
    const nodes: Node[] = [];
    while (pos < items.length) {
      const item = items[pos++]!;
      if (typeof item === 'string') {
        nodes.push({ kind: 'text', text: item });
        continue;
      }
      const text = item.text;
      if (text.startsWith('/*')) continue;
      const word = /^[a-z]+/.exec(text)?.[0];
      if (word === 'end' || word === 'else') {
        if (!inside) throw parseError(source, `unexpected {{${word}}}`);
        return { nodes, stop: word, elseRest: text.slice(word.length).trim() };
      }
      if (word === 'if' || word === 'with' || word === 'range') {
        nodes.push(control(word, text.slice(word.length)));
        continue;
      }
      if (text === '') throw parseError(source, 'missing value for command');
      nodes.push({ kind: 'action', pipeline: parsePipeline(tokenize(text, source), source) });
    }
    if (inside) throw parseError(source, 'unexpected EOF');
    return { nodes, stop: 'eof' };
  };
  const control = (kind: 'if' | 'with' | 'range', rest: string): Node => {
    const pipeline = parsePipeline(tokenize(rest, source), source);
    const body = block(true);
    let otherwise: Node[] = [];
    if (body.stop === 'else') {
      if (body.elseRest?.startsWith('if ') || body.elseRest?.startsWith('with ')) {
        // `{{else if x}}` is an `if` nested in the else branch that shares this block's `{{end}}`.
        const w = body.elseRest.startsWith('if ') ? 'if' : 'with';
        otherwise = [control(w, body.elseRest.slice(w.length))];
      } else {
        const e = block(true);
        if (e.stop !== 'end') throw parseError(source, 'expected {{end}}');
        otherwise = e.nodes;
      }
    }
    return { kind, pipeline, body: body.nodes, otherwise };
  };
  return { source, nodes: block(false).nodes };
}

// ---------------------------------------------------------------------------------------------
// Execution

function execError(source: string, why: string): ExitError {
  return new ExitError(1, `template: :1: executing "" ${why} (in ${JSON.stringify(source)})`);
}

function jsonOf(v: unknown): string {
  return JSON.stringify(v === NO_VALUE || v === undefined ? null : v);
}

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  json: (v) => jsonOf(v),
  join: (list, sep) => (Array.isArray(list) ? list.map(goPrint).join(String(sep)) : goPrint(list)),
  split: (s, sep) => String(s).split(String(sep)),
  upper: (s) => goPrint(s).toUpperCase(),
  lower: (s) => goPrint(s).toLowerCase(),
  title: (s) => goPrint(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  truncate: (s, n) => [...goPrint(s)].slice(0, Number(n)).join(''),
  pad: (s, l, r) => ' '.repeat(Number(l)) + goPrint(s) + ' '.repeat(Number(r)),
  println: (...args) => args.map(goPrint).join(' ') + '\n',
  print: (...args) => args.map(goPrint).join(''),
  printf: (fmt, ...args) => {
    let i = 0;
    return String(fmt).replace(/%([-+# 0]*\d*(?:\.\d+)?)([svdqtx%])/g, (_m, _flags: string, verb: string) => {
      if (verb === '%') return '%';
      const a = args[i++];
      if (verb === 'q') return JSON.stringify(goPrint(a));
      if (verb === 'd') return String(Math.trunc(Number(a)));
      if (verb === 'x') return typeof a === 'number' ? a.toString(16) : [...new TextEncoder().encode(goPrint(a))].map((b) => b.toString(16).padStart(2, '0')).join('');
      return goPrint(a);
    });
  },
  index: (v, ...keys) => {
    let cur = v;
    for (const k of keys) {
      if (Array.isArray(cur)) cur = cur[Number(k)];
      else if (isRecord(cur)) cur = Object.prototype.hasOwnProperty.call(cur, String(k)) ? cur[String(k)] : NO_VALUE;
      else return NO_VALUE;
    }
    return cur;
  },
  len: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : isRecord(v) ? Object.keys(v).length : 0),
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  not: (a) => !truthy(a),
  and: (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
};

interface Scope {
  dot: unknown;
  root: unknown;
  source: string;
}

function field(base: unknown, path: string[], scope: Scope): unknown {
  let cur = base;
  for (const name of path) {
    if (isRecord(cur)) {
      if (Object.prototype.hasOwnProperty.call(cur, name)) cur = cur[name];
      else if (structs.has(cur)) throw execError(scope.source, `at <.${name}>: can't evaluate field ${name}`);
      else cur = NO_VALUE;
    } else if (cur === NO_VALUE || cur === null || cur === undefined) {
      return NO_VALUE;
    } else {
      throw execError(scope.source, `at <.${name}>: can't evaluate field ${name} in type ${Array.isArray(cur) ? 'slice' : typeof cur}`);
    }
  }
  return cur;
}

function operand(op: Operand, scope: Scope): unknown {
  switch (op.kind) {
    case 'field':
      return field(op.root ? scope.root : scope.dot, op.path, scope);
    case 'string':
    case 'number':
    case 'bool':
      return op.value;
    case 'nil':
      return null;
    case 'pipe':
      return field(runPipeline(op.pipeline, scope), op.path, scope);
    case 'ident':
      return FUNCTIONS[op.name]!();
  }
}

function runPipeline(pipeline: Pipeline, scope: Scope): unknown {
  let value: unknown;
  let piped = false;
  for (const command of pipeline) {
    const [head, ...rest] = command;
    if (head!.kind === 'ident') {
      const args = rest.map((o) => operand(o, scope));
      if (piped) args.push(value);
      value = FUNCTIONS[head.name]!(...args);
    } else {
      if (rest.length > 0 || piped) throw execError(scope.source, `can't give argument to non-function ${goPrint(operand(head!, scope))}`);
      value = operand(head!, scope);
    }
    piped = true;
  }
  return value;
}

function execNodes(nodes: Node[], scope: Scope, out: string[]): void {
  for (const node of nodes) {
    if (node.kind === 'text') out.push(node.text);
    else if (node.kind === 'action') out.push(goPrint(runPipeline(node.pipeline, scope)));
    else {
      const v = runPipeline(node.pipeline, scope);
      if (node.kind === 'if') execNodes(truthy(v) ? node.body : node.otherwise, scope, out);
      else if (node.kind === 'with') execNodes(truthy(v) ? node.body : node.otherwise, truthy(v) ? { ...scope, dot: v } : scope, out);
      else {
        const items = Array.isArray(v) ? v : isRecord(v) ? Object.keys(v).sort().map((k) => v[k]) : [];
        if (items.length === 0) execNodes(node.otherwise, scope, out);
        for (const item of items) execNodes(node.body, { ...scope, dot: item }, out);
      }
    }
  }
}

/** Runs a parsed template with `data` as `.`. */
export function executeTemplate(template: Template, data: unknown): string {
  const out: string[] = [];
  execNodes(template.nodes, { dot: data, root: data, source: template.source }, out);
  return out.join('');
}

export function renderTemplate(source: string, data: unknown): string {
  return executeTemplate(parseTemplate(source), data);
}

// ---------------------------------------------------------------------------------------------
// Go's text/tabwriter, with the settings docker uses (minwidth 10, tabwidth 1, padding 3, ' ')

export interface TabwriterOptions {
  minWidth?: number;
  padding?: number;
}

/**
 * Aligns tab-terminated cells into columns. Like Go's tabwriter, a column block is a run of
 * consecutive lines that have that cell, and the text after a line's last tab is not aligned.
 */
export function tabwrite(text: string, options: TabwriterOptions = {}): string {
  const minWidth = options.minWidth ?? 10;
  const padding = options.padding ?? 3;
  const trailingNewline = text.endsWith('\n');
  const lines = (trailingNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const widths: number[][] = lines.map((cells) => new Array<number>(cells.length - 1).fill(0));
  const width = (s: string) => [...s].length;
  const layout = (from: number, to: number, column: number): void => {
    // Lines [from, to) all have a tab-terminated cell in `column`, split into blocks by depth.
    let w = minWidth;
    for (let i = from; i < to; i++) w = Math.max(w, width(lines[i]![column]!) + padding);
    for (let i = from; i < to; i++) widths[i]![column] = w;
    let start = -1;
    for (let i = from; i <= to; i++) {
      const has = i < to && lines[i]!.length - 1 > column + 1;
      if (has && start === -1) start = i;
      if (!has && start !== -1) {
        layout(start, i, column + 1);
        start = -1;
      }
    }
  };
  let start = -1;
  for (let i = 0; i <= lines.length; i++) {
    const has = i < lines.length && lines[i]!.length > 1;
    if (has && start === -1) start = i;
    if (!has && start !== -1) {
      layout(start, i, 0);
      start = -1;
    }
  }
  const out = lines.map((cells, i) =>
    cells.map((c, j) => (j < cells.length - 1 ? c + ' '.repeat(Math.max(0, widths[i]![j]! - width(c))) : c)).join(''),
  );
  return out.join('\n') + (trailingNewline ? '\n' : '');
}

// ---------------------------------------------------------------------------------------------
// docker's --format handling: "table [TEMPLATE]", "json", "TEMPLATE"

export interface FormatOptions<Row> {
  /** The user's --format (undefined: the default table). */
  format: string | undefined;
  /** Template used for "table" and the default, e.g. "{{.Repository}}\t{{.Tag}}". */
  defaultTable: string;
  /** Column titles for the header line of a table, by field name (`ID` → "IMAGE ID"). */
  headers: Record<string, string>;
  /** Template data for one row (marked with asStruct so unknown fields fail like Go's). */
  context: (row: Row) => object;
  /** The object `json` prints for a row (defaults to the context). */
  json?: (row: Row) => unknown;
}

/** Renders rows the way docker's formatter does; the result ends with a newline unless empty. */
export function formatRows<Row>(rows: Row[], options: FormatOptions<Row>): string {
  const raw = options.format ?? 'table';
  const trimmed = raw.trim();
  if (trimmed === 'json') return rows.map((r) => jsonOf(options.json ? options.json(r) : options.context(r)) + '\n').join('');
  const isTable = trimmed.startsWith('table');
  let source = isTable ? trimmed.slice('table'.length).trim() : raw;
  if (isTable && source === '') source = options.defaultTable;
  // docker lets users type `\t` and `\n` literally in the shell.
  source = source.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const template = parseTemplate(source);
  let out = '';
  if (isTable) {
    const header = asStruct({ ...options.headers });
    try {
      out += executeTemplate(template, header) + '\n';
    } catch {
      // A header for a template with functions or sub-fields docker also leaves as best it can.
      out += '\n';
    }
  }
  for (const r of rows) out += executeTemplate(template, options.context(r)) + '\n';
  return isTable ? tabwrite(out) : out;
}
