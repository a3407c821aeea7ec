// The two word-level rules of the Dockerfile language: how the parser cuts an instruction's
// arguments into words (quotes and escapes kept), and how the builder then substitutes
// variables in a word and removes its quotes — Docker's `$VAR`, `${VAR}`, `${VAR:-x}`, ...

import { WasmboxError } from '../../errors.js';

/** Looks a variable up: undefined when unset (which `-`, `+` and `?` tell apart from empty). */
export type VariableLookup = (name: string) => string | undefined;

export interface SplitResult {
  words: string[];
  /** The quote character left open at the end, if any. */
  unterminatedQuote?: string;
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/**
 * Splits on unquoted white space, keeping quotes and escapes in the words (the substitution
 * step removes them). An escape character before any character keeps both.
 */
export function splitWords(rest: string, escape: string): SplitResult {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOk = false;
  const chars = [...rest];
  for (let i = 0; i < chars.length; i++) {
    let ch = chars[i]!;
    if (quote === '') {
      if (isSpace(ch)) {
        if (inWord && (blankOk || word !== '')) words.push(word);
        inWord = false;
        word = '';
        blankOk = false;
        continue;
      }
      inWord = true;
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
      } else if (ch === escape) {
        if (i + 1 === chars.length) continue;
        word += ch;
        ch = chars[++i]!;
      }
      word += ch;
      continue;
    }
    // Inside quotes: the escape character is literal inside single quotes.
    if (ch === quote) quote = '';
    else if (ch === escape && quote !== "'") {
      if (i + 1 === chars.length) continue;
      word += ch;
      ch = chars[++i]!;
    }
    word += ch;
  }
  if (inWord && (blankOk || word !== '')) words.push(word);
  return quote === '' ? { words } : { words, unterminatedQuote: quote };
}

export interface ExpandOptions {
  escape?: string;
}

class Lexer {
  readonly chars: string[];
  pos = 0;

  constructor(
    text: string,
    readonly lookup: VariableLookup,
    readonly escape: string,
  ) {
    this.chars = [...text];
  }

  peek(): string | undefined {
    return this.chars[this.pos];
  }

  next(): string | undefined {
    return this.chars[this.pos++];
  }

  /** Reads up to `stop` (consumed) or the end; quotes are removed, `$` substituted. */
  word(stop: string | undefined): string {
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) break;
      if (stop !== undefined && ch === stop) {
        this.next();
        return out;
      }
      if (ch === '$') out += this.dollar();
      else if (ch === "'") out += this.singleQuoted();
      else if (ch === '"') out += this.doubleQuoted();
      else {
        this.next();
        if (ch === this.escape) {
          const escaped = this.next();
          if (escaped === undefined) break;
          out += escaped;
        } else out += ch;
      }
    }
    if (stop !== undefined) throw syntax(`unexpected end of statement while looking for matching ${stop}`);
    return out;
  }

  singleQuoted(): string {
    this.next();
    let out = '';
    for (;;) {
      const ch = this.next();
      if (ch === undefined) throw syntax('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return out;
      out += ch;
    }
  }

  doubleQuoted(): string {
    this.next();
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw syntax('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.next();
        return out;
      }
      if (ch === '$') {
        out += this.dollar();
        continue;
      }
      this.next();
      if (ch === this.escape) {
        const n = this.peek();
        if (n === undefined) continue;
        // Only these can be escaped inside double quotes; other escapes stay as written.
        if (n === '"' || n === '$' || n === this.escape) {
          out += this.next();
          continue;
        }
      }
      out += ch;
    }
  }

  name(): string {
    let name = '';
    const first = this.peek();
    if (first !== undefined && /[0-9]/.test(first)) {
      while (this.peek() !== undefined && /[0-9]/.test(this.peek()!)) name += this.next();
      return name;
    }
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || !/[\p{L}\p{N}_]/u.test(ch)) return name;
      name += this.next();
    }
  }

  dollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      return this.lookup(name) ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === undefined) throw syntax("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw syntax('syntax error: bad substitution');
    const name = this.name();
    if (name === '') throw syntax('syntax error: bad substitution');
    const ch = this.next();
    const value = this.lookup(name);
    switch (ch) {
      case '}':
        return value ?? '';
      case ':': {
        const modifier = this.next();
        const word = this.word('}');
        if (modifier === '-') return value === undefined || value === '' ? word : value;
        if (modifier === '+') return value !== undefined && value !== '' ? word : '';
        if (modifier === '?') {
          if (value === undefined || value === '') throw syntax(`${name}: ${word || 'is not allowed to be unset'}`);
          return value;
        }
        throw syntax(`unsupported modifier (${modifier ?? 'EOF'}) in substitution`);
      }
      case '-': {
        const word = this.word('}');
        return value === undefined ? word : value;
      }
      case '+': {
        const word = this.word('}');
        return value !== undefined ? word : '';
      }
      case '?': {
        const word = this.word('}');
        if (value === undefined) throw syntax(`${name}: ${word || 'is not allowed to be unset'}`);
        return value;
      }
      case '#':
      case '%': {
        const longest = this.peek() === ch;
        if (longest) this.next();
        const pattern = this.word('}');
        return trimPattern(value ?? '', pattern, { prefix: ch === '#', longest });
      }
      case undefined:
        throw syntax("syntax error: missing '}'");
      default:
        throw syntax(`unsupported modifier (${ch}) in substitution`);
    }
  }
}

function syntax(message: string): WasmboxError {
  return new WasmboxError('DOCKERFILE_PARSE', message);
}

/** A shell pattern (`*`, `?`, `[...]`) as a regular expression source. */
function patternSource(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += '[^]*';
    else if (c === '?') out += '[^]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) out += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        out += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

function trimPattern(value: string, pattern: string, options: { prefix: boolean; longest: boolean }): string {
  const re = new RegExp(`^(?:${patternSource(pattern)})$`, 'u');
  const n = value.length;
  // Try every cut, shortest or longest first, as the shell does.
  const lengths = [...Array(n + 1).keys()];
  if (options.longest) lengths.reverse();
  for (const k of lengths) {
    const part = options.prefix ? value.slice(0, k) : value.slice(n - k);
    if (re.test(part)) return options.prefix ? value.slice(k) : value.slice(0, n - k);
  }
  return value;
}

/**
 * Substitutes variables in one word and removes its quotes, as Docker does for ADD, COPY,
 * ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR. Throws DOCKERFILE_PARSE on
 * a syntax error (the caller adds the file and line).
 */
export function expandWord(word: string, lookup: VariableLookup, options: ExpandOptions = {}): string {
  return new Lexer(word, lookup, options.escape ?? '\\').word(undefined);
}

/** Substitutes a heredoc body: `$VAR` and `${...}` only (quotes are text there), escapes of `$` and the escape character. */
export function expandHeredoc(content: string, lookup: VariableLookup, options: ExpandOptions = {}): string {
  const lexer = new Lexer(content, lookup, options.escape ?? '\\');
  let out = '';
  for (;;) {
    const ch = lexer.peek();
    if (ch === undefined) return out;
    if (ch === '$') {
      out += lexer.dollar();
      continue;
    }
    lexer.next();
    if (ch === lexer.escape && (lexer.peek() === '$' || lexer.peek() === lexer.escape)) out += lexer.next();
    else out += ch;
  }
}
