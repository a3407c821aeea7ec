// Tokens of the POSIX shell language, produced on demand for the parser: operators, IO
// numbers, newlines and words (already split into typed, quote-aware parts). Here-doc bodies
// are read right after the newline that ends their command line, as POSIX requires.

import type { ParameterOperator, ParameterPart, Redirection, Script, Word, WordPart } from './ast.js';
import { ShellSyntaxError } from './syntax-error.js';

export type TokenKind = 'word' | 'op' | 'io' | 'newline' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text (for words: as written, quotes included). */
  value: string;
  word?: Word;
  line: number;
  start: number;
  end: number;
}

/** Parsers of nested scripts, injected by the parser to keep the lexer free of an import cycle. */
export interface LexerHooks {
  /** Parses `$( … )` starting at `pos` (just after `$(`); returns the script and the offset after `)`. */
  commandSubst(src: string, pos: number, lineOffset: number): { script: Script; end: number };
  /** Parses the already unescaped text of a backtick substitution. */
  script(src: string, lineOffset: number): Script;
}

export interface LexerOptions {
  /** Line number of the first line of `src` minus one (nested sources). */
  lineOffset?: number;
  /** A here-doc cut short by the end of input is an incomplete script (interactive), not a short body. */
  strictHeredoc?: boolean;
  /** Nesting depth of command substitutions, to bound recursion on hostile input. */
  depth?: number;
}

interface PendingHeredoc {
  redirection: Redirection;
  delimiter: string;
}

type Mode = 'word' | 'brace' | 'dquote' | 'heredoc' | 'arith';

const THREE_CHAR_OPS = ['<<-'];
const TWO_CHAR_OPS = ['&&', '||', ';;', '<<', '>>', '<&', '>&', '<>', '>|'];
const ONE_CHAR_OPS = ';&|()<>';
const META = ' \t\n;&|<>()';
const SPECIAL_PARAMS = '@*#?-$!0';
const MAX_DEPTH = 200;

export function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

export function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= '0' && c <= '9');
}

export function isName(s: string): boolean {
  if (s.length === 0 || !isNameStart(s[0])) return false;
  for (let i = 1; i < s.length; i++) if (!isNameChar(s[i])) return false;
  return true;
}

export class Lexer {
  pos: number;
  private readonly newlines: number[] = [];
  private readonly pending: PendingHeredoc[] = [];
  private readonly lineOffset: number;
  private readonly strictHeredoc: boolean;
  readonly depth: number;

  constructor(
    readonly src: string,
    private readonly hooks: LexerHooks,
    options: LexerOptions & { start?: number } = {},
  ) {
    this.pos = options.start ?? 0;
    this.lineOffset = options.lineOffset ?? 0;
    this.strictHeredoc = options.strictHeredoc ?? false;
    this.depth = options.depth ?? 0;
    if (this.depth > MAX_DEPTH) throw new ShellSyntaxError('syntax error: nested too deeply', { line: this.lineAt(this.pos) });
    for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) this.newlines.push(i);
  }

  /** 1-based line of an offset. */
  lineAt(pos: number): number {
    let lo = 0;
    let hi = this.newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.newlines[mid] < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1 + this.lineOffset;
  }

  /** A here-doc whose body starts after the next newline token. */
  addHeredoc(redirection: Redirection, delimiter: string): void {
    this.pending.push({ redirection, delimiter });
  }

  get hasPendingHeredocs(): boolean {
    return this.pending.length > 0;
  }

  next(): Token {
    const src = this.src;
    // Blanks, line continuations and comments between tokens.
    for (;;) {
      const c = src[this.pos];
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && src[this.pos + 1] === '\n') this.pos += 2;
      else if (c === '#') {
        const nl = src.indexOf('\n', this.pos);
        this.pos = nl < 0 ? src.length : nl;
      } else break;
    }
    const start = this.pos;
    const line = this.lineAt(start);
    if (start >= src.length) {
      if (this.pending.length > 0) this.readHeredocs();
      return { kind: 'eof', value: '', line, start, end: start };
    }
    const c = src[start];
    if (c === '\n') {
      this.pos++;
      if (this.pending.length > 0) this.readHeredocs();
      return { kind: 'newline', value: '\n', line, start, end: start + 1 };
    }
    const three = src.slice(start, start + 3);
    if (THREE_CHAR_OPS.includes(three)) return this.op(three, line, start);
    const two = src.slice(start, start + 2);
    if (TWO_CHAR_OPS.includes(two)) return this.op(two, line, start);
    if (ONE_CHAR_OPS.includes(c)) return this.op(c, line, start);
    if (c >= '0' && c <= '9') {
      let i = start;
      while (src[i] >= '0' && src[i] <= '9') i++;
      if (src[i] === '<' || src[i] === '>') {
        this.pos = i;
        return { kind: 'io', value: src.slice(start, i), line, start, end: i };
      }
    }
    const parts = this.readParts('word');
    const value = src.slice(start, this.pos);
    return { kind: 'word', value, word: { type: 'Word', parts }, line, start, end: this.pos };
  }

  private op(value: string, line: number, start: number): Token {
    this.pos = start + value.length;
    return { kind: 'op', value, line, start, end: this.pos };
  }

  private fail(detail: string): never {
    throw new ShellSyntaxError(`syntax error: ${detail}`, { line: this.lineAt(this.pos) });
  }

  private eof(what: string): never {
    throw ShellSyntaxError.endOfFile(this.lineAt(this.pos), what);
  }

  /** Parts of a word up to the end that `mode` defines; `pos` is left on the terminator. */
  readParts(mode: Mode): WordPart[] {
    const src = this.src;
    const parts: WordPart[] = [];
    let lit = '';
    const flush = (): void => {
      if (lit !== '') {
        parts.push({ type: 'Literal', value: lit });
        lit = '';
      }
    };
    let parenDepth = 0;
    for (;;) {
      if (this.pos >= src.length) {
        if (mode === 'dquote') this.eof('unterminated quoted string');
        if (mode === 'brace') this.eof("missing '}'");
        if (mode === 'arith') this.eof("missing '))'");
        break;
      }
      const c = src[this.pos];
      if (mode === 'word' && META.includes(c)) break;
      if (mode === 'brace' && c === '}') break;
      if (mode === 'dquote' && c === '"') break;
      if (mode === 'arith') {
        if (c === '(') parenDepth++;
        else if (c === ')') {
          if (parenDepth > 0) parenDepth--;
          else if (src[this.pos + 1] === ')') break;
          else this.fail("missing '))' in arithmetic expansion");
        }
      }
      if (c === '\\') {
        const n = src[this.pos + 1];
        if (n === '\n') {
          this.pos += 2;
          continue;
        }
        if (n === undefined) {
          lit += '\\';
          this.pos++;
          continue;
        }
        if (mode === 'word' || mode === 'brace') {
          flush();
          parts.push({ type: 'Escaped', value: n });
        } else if (n === '$' || n === '`' || n === '\\' || (n === '"' && mode === 'dquote')) {
          lit += n;
        } else {
          lit += '\\' + n;
        }
        this.pos += 2;
        continue;
      }
      if (c === "'" && (mode === 'word' || mode === 'brace')) {
        const end = src.indexOf("'", this.pos + 1);
        if (end < 0) this.eof('unterminated quoted string');
        flush();
        parts.push({ type: 'SingleQuoted', value: src.slice(this.pos + 1, end) });
        this.pos = end + 1;
        continue;
      }
      if (c === '"' && (mode === 'word' || mode === 'brace')) {
        flush();
        this.pos++;
        const inner = this.readParts('dquote');
        this.pos++; // closing quote
        parts.push({ type: 'DoubleQuoted', parts: inner });
        continue;
      }
      if (c === '`') {
        flush();
        parts.push(this.readBacktick(mode === 'dquote'));
        continue;
      }
      if (c === '$') {
        const part = this.readDollar();
        if (part === null) {
          lit += '$';
        } else {
          flush();
          parts.push(part);
        }
        continue;
      }
      lit += c;
      this.pos++;
    }
    flush();
    return parts;
  }

  /** At `$`: an expansion, or null when the `$` is literal (it is then consumed). */
  private readDollar(): WordPart | null {
    const src = this.src;
    const n = src[this.pos + 1];
    if (n === '{') {
      this.pos += 2;
      return this.readBraceParameter();
    }
    if (n === '(') {
      if (src[this.pos + 2] === '(') {
        this.pos += 3;
        const parts = this.readParts('arith');
        this.pos += 2;
        return { type: 'Arithmetic', expression: { type: 'Word', parts } };
      }
      if (this.depth >= MAX_DEPTH) this.fail('nested too deeply');
      const { script, end } = this.hooks.commandSubst(src, this.pos + 2, this.lineOffset);
      this.pos = end;
      return { type: 'CommandSubst', script, backtick: false };
    }
    if (n !== undefined && isNameStart(n)) {
      let i = this.pos + 2;
      while (i < src.length && isNameChar(src[i])) i++;
      const name = src.slice(this.pos + 1, i);
      this.pos = i;
      return { type: 'Parameter', name };
    }
    if (n !== undefined && ((n >= '0' && n <= '9') || SPECIAL_PARAMS.includes(n))) {
      this.pos += 2;
      return { type: 'Parameter', name: n };
    }
    this.pos++;
    return null;
  }

  /** After `${`. */
  private readBraceParameter(): ParameterPart {
    const src = this.src;
    let length = false;
    if (src[this.pos] === '#' && src[this.pos + 1] !== '}' && src[this.pos + 1] !== undefined) {
      const after = src[this.pos + 1];
      if (isNameStart(after) || (after >= '0' && after <= '9') || SPECIAL_PARAMS.includes(after)) {
        length = true;
        this.pos++;
      }
    }
    let name: string;
    const c = src[this.pos];
    if (c === undefined) this.eof("missing '}'");
    if (isNameStart(c)) {
      let i = this.pos + 1;
      while (i < src.length && isNameChar(src[i])) i++;
      name = src.slice(this.pos, i);
      this.pos = i;
    } else if (c >= '0' && c <= '9') {
      let i = this.pos + 1;
      while (src[i] >= '0' && src[i] <= '9') i++;
      name = src.slice(this.pos, i);
      this.pos = i;
    } else if (SPECIAL_PARAMS.includes(c)) {
      name = c;
      this.pos++;
    } else {
      this.fail('bad substitution');
    }
    if (src[this.pos] === '}') {
      this.pos++;
      return length ? { type: 'Parameter', name, length } : { type: 'Parameter', name };
    }
    if (length) this.fail('bad substitution');
    let operator: ParameterOperator | undefined;
    for (const op of [':-', ':=', ':+', ':?', '%%', '##', '-', '=', '+', '?', '%', '#'] as const) {
      if (src.startsWith(op, this.pos)) {
        operator = op;
        break;
      }
    }
    if (operator === undefined) {
      if (this.pos >= src.length) this.eof("missing '}'");
      this.fail('bad substitution');
    }
    this.pos += operator.length;
    const parts = this.readParts('brace');
    this.pos++; // `}`
    return { type: 'Parameter', name, operator, word: { type: 'Word', parts } };
  }

  private readBacktick(inDquote: boolean): WordPart {
    const src = this.src;
    const startLine = this.lineAt(this.pos);
    let i = this.pos + 1;
    let inner = '';
    for (;;) {
      if (i >= src.length) this.eof('unterminated command substitution');
      const c = src[i];
      if (c === '`') break;
      if (c === '\\') {
        const n = src[i + 1];
        if (n === '$' || n === '`' || n === '\\' || (inDquote && n === '"')) {
          inner += n;
          i += 2;
          continue;
        }
      }
      inner += c;
      i++;
    }
    this.pos = i + 1;
    if (this.depth >= MAX_DEPTH) this.fail('nested too deeply');
    const script = this.hooks.script(inner, startLine - 1);
    return { type: 'CommandSubst', script, backtick: true };
  }

  /** Reads the bodies of the pending here-docs, starting at `pos` (the line after the operator). */
  private readHeredocs(): void {
    const src = this.src;
    for (const h of this.pending.splice(0)) {
      const doc = h.redirection.heredoc!;
      let body = '';
      let found = false;
      while (this.pos < src.length) {
        const nl = src.indexOf('\n', this.pos);
        const end = nl < 0 ? src.length : nl;
        let line = src.slice(this.pos, end);
        this.pos = nl < 0 ? src.length : nl + 1;
        if (doc.strip) line = line.replace(/^\t+/, '');
        if (line === h.delimiter) {
          found = true;
          break;
        }
        body += line + (nl < 0 ? '' : '\n');
      }
      if (!found && this.strictHeredoc) {
        throw ShellSyntaxError.endOfFile(this.lineAt(this.pos), `here-document delimited by end of file (wanted '${h.delimiter}')`);
      }
      if (doc.quoted) {
        doc.body = { type: 'Word', parts: body === '' ? [] : [{ type: 'SingleQuoted', value: body }] };
      } else {
        const sub = new Lexer(body, this.hooks, { depth: this.depth + 1 });
        doc.body = { type: 'Word', parts: sub.readParts('heredoc') };
      }
    }
  }
}

/** The here-doc delimiter a word stands for: quotes and backslashes removed, nothing expanded. */
export function heredocDelimiter(raw: string): { delimiter: string; quoted: boolean } {
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "'" || c === '"') {
      quoted = true;
      continue;
    }
    if (c === '\\') {
      quoted = true;
      if (i + 1 < raw.length) out += raw[++i];
      continue;
    }
    out += c;
  }
  return { delimiter: out, quoted };
}
