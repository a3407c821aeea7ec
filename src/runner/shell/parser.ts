// Recursive-descent parser of the POSIX shell grammar (XCU 2.10) into the typed tree of
// ast.ts. Reserved words are recognised only where a command may start; everything else
// (quoting, expansions, here-doc bodies) arrives already structured from the lexer.

import type {
  Assignment,
  CaseClause,
  CaseItem,
  Command,
  ForClause,
  IfClause,
  LoopClause,
  Pipeline,
  Redirection,
  RedirectOperator,
  Script,
  SimpleCommand,
  Statement,
  Word,
  WordPart,
} from './ast.js';
import { Lexer, heredocDelimiter, isName, isNameChar, isNameStart } from './lexer.js';
import type { LexerHooks, Token } from './lexer.js';
import { ShellSyntaxError } from './syntax-error.js';

export interface ParseOptions {
  /** Line number of the first line (for scripts embedded somewhere else). Default 1. */
  firstLine?: number;
  /** Treat a here-doc that runs into the end of input as incomplete (interactive input). */
  strictHeredoc?: boolean;
}

const REDIRECT_OPS = new Set<string>(['<', '>', '>>', '<>', '>|', '<&', '>&', '<<', '<<-']);
/** Reserved words that end a list: the parser of the enclosing construct checks which one. */
const LIST_END_WORDS = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', 'esac', '}']);
const MAX_NESTING = 200;

/** Parses a whole script; throws ShellSyntaxError (and nothing else) on bad input. */
export function parseScript(src: string, options: ParseOptions = {}): Script {
  const p = new Parser(src, { lineOffset: (options.firstLine ?? 1) - 1, strictHeredoc: options.strictHeredoc ?? false, depth: 0 });
  return p.parseTop();
}

interface ParserInit {
  lineOffset: number;
  strictHeredoc: boolean;
  depth: number;
  start?: number;
}

class Parser {
  private readonly lexer: Lexer;
  private la: Token | null = null;
  private nesting = 0;

  constructor(
    src: string,
    private readonly init: ParserInit,
  ) {
    const hooks: LexerHooks = {
      commandSubst: (s, pos, lineOffset) => {
        const sub = new Parser(s, { ...this.init, lineOffset, start: pos, depth: this.init.depth + 1 });
        return sub.parseCommandSubst();
      },
      script: (s, lineOffset) => new Parser(s, { ...this.init, lineOffset, depth: this.init.depth + 1 }).parseTop(),
    };
    this.lexer = new Lexer(src, hooks, {
      lineOffset: init.lineOffset,
      strictHeredoc: init.strictHeredoc,
      depth: init.depth,
      start: init.start,
    });
  }

  // ---- tokens ----

  private peek(): Token {
    if (this.la === null) this.la = this.lexer.next();
    return this.la;
  }

  private next(): Token {
    const t = this.peek();
    this.la = null;
    return t;
  }

  private isOp(t: Token, value: string): boolean {
    return t.kind === 'op' && t.value === value;
  }

  /** A reserved word: an unquoted word whose text is exactly `value`. */
  private isWord(t: Token, value: string): boolean {
    return t.kind === 'word' && t.value === value;
  }

  private unexpected(t: Token): never {
    if (t.kind === 'eof') throw ShellSyntaxError.endOfFile(t.line);
    throw ShellSyntaxError.unexpected(t.kind === 'newline' ? 'newline' : t.value, t.line);
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.next();
  }

  private expectWord(value: string): Token {
    const t = this.next();
    if (!this.isWord(t, value)) this.unexpected(t);
    return t;
  }

  private expectOp(value: string): Token {
    const t = this.next();
    if (!this.isOp(t, value)) this.unexpected(t);
    return t;
  }

  private enter(t: Token): void {
    if (++this.nesting > MAX_NESTING) throw new ShellSyntaxError('syntax error: nested too deeply', { line: t.line });
  }

  // ---- lists ----

  parseTop(): Script {
    const body: Statement[] = [];
    // Statements that ended with a newline: complete lines, which a shell reading line by line
    // would already have run when it meets a syntax error further down.
    let complete = 0;
    try {
      this.skipNewlines();
      while (this.peek().kind !== 'eof') {
        const stmt = this.parseAndOr();
        body.push(stmt);
        const sep = this.next();
        if (this.isOp(sep, ';') || this.isOp(sep, '&')) {
          if (sep.value === '&') stmt.background = true;
          if (this.peek().kind === 'newline') complete = body.length;
        } else if (sep.kind === 'newline') {
          complete = body.length;
        } else if (sep.kind !== 'eof') {
          this.unexpected(sep);
        } else break;
        this.skipNewlines();
      }
    } catch (e) {
      if (e instanceof ShellSyntaxError && e.partial === undefined) e.partial = { type: 'Script', body: body.slice(0, complete) };
      throw e;
    }
    return { type: 'Script', body };
  }

  parseCommandSubst(): { script: Script; end: number } {
    const body = this.parseStatements();
    const t = this.next();
    if (t.kind === 'eof') throw ShellSyntaxError.endOfFile(t.line, "unexpected end of file while looking for matching ')'");
    if (!this.isOp(t, ')')) this.unexpected(t);
    return { script: { type: 'Script', body }, end: t.end };
  }

  /** Statements up to a token that cannot start one (a closing word or operator, or EOF). */
  private parseStatements(): Statement[] {
    const out: Statement[] = [];
    this.skipNewlines();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'op' && (t.value === ')' || t.value === ';;')) break;
      if (t.kind === 'word' && LIST_END_WORDS.has(t.value)) break;
      const stmt = this.parseAndOr();
      out.push(stmt);
      const sep = this.peek();
      if (this.isOp(sep, ';') || this.isOp(sep, '&')) {
        this.next();
        if (sep.value === '&') stmt.background = true;
        this.skipNewlines();
      } else if (sep.kind === 'newline') {
        this.skipNewlines();
      } else {
        break;
      }
    }
    return out;
  }

  /** A list that must not be empty (`if`, `while`, `{ }`…): POSIX's compound_list. */
  private parseBody(): Statement[] {
    const body = this.parseStatements();
    if (body.length === 0) this.unexpected(this.peek());
    return body;
  }

  private parseAndOr(): Statement {
    const line = this.peek().line;
    const first = this.parsePipeline();
    const rest: Statement['rest'] = [];
    for (;;) {
      const t = this.peek();
      if (!(this.isOp(t, '&&') || this.isOp(t, '||'))) break;
      this.next();
      this.skipNewlines();
      rest.push({ op: t.value as '&&' | '||', pipeline: this.parsePipeline() });
    }
    return { type: 'Statement', first, rest, background: false, line };
  }

  private parsePipeline(): Pipeline {
    let negated = false;
    while (this.isWord(this.peek(), '!')) {
      this.next();
      negated = !negated;
    }
    const commands: Command[] = [this.parseCommand()];
    while (this.isOp(this.peek(), '|')) {
      this.next();
      this.skipNewlines();
      commands.push(this.parseCommand());
    }
    return { type: 'Pipeline', negated, commands };
  }

  // ---- commands ----

  private parseCommand(): Command {
    const t = this.peek();
    if (t.kind === 'word') {
      switch (t.value) {
        case '{':
        case 'if':
        case 'while':
        case 'until':
        case 'for':
        case 'case':
          return this.parseCompound();
        case 'then':
        case 'else':
        case 'elif':
        case 'fi':
        case 'do':
        case 'done':
        case 'esac':
        case '}':
        case 'in':
          this.unexpected(t);
      }
      return this.parseSimple();
    }
    if (this.isOp(t, '(')) return this.parseCompound();
    if (t.kind === 'io' || (t.kind === 'op' && REDIRECT_OPS.has(t.value))) return this.parseSimple();
    this.unexpected(t);
  }

  private parseCompound(): Command {
    const t = this.next();
    this.enter(t);
    let cmd: Command;
    if (this.isOp(t, '(')) {
      const body = this.parseBody();
      this.expectOp(')');
      cmd = { type: 'Subshell', body, redirections: [] };
    } else if (t.value === '{') {
      const body = this.parseBody();
      this.expectWord('}');
      cmd = { type: 'BraceGroup', body, redirections: [] };
    } else if (t.value === 'if') {
      cmd = this.parseIf();
    } else if (t.value === 'while' || t.value === 'until') {
      const condition = this.parseBody();
      this.expectWord('do');
      const body = this.parseBody();
      this.expectWord('done');
      cmd = { type: 'Loop', kind: t.value, condition, body, redirections: [] } satisfies LoopClause;
    } else if (t.value === 'for') {
      cmd = this.parseFor();
    } else {
      cmd = this.parseCase();
    }
    this.nesting--;
    const redirections = (cmd as { redirections: Redirection[] }).redirections;
    for (;;) {
      const r = this.peek();
      if (r.kind === 'io' || (r.kind === 'op' && REDIRECT_OPS.has(r.value))) redirections.push(this.parseRedirection());
      else break;
    }
    return cmd;
  }

  private parseIf(): IfClause {
    const clauses: IfClause['clauses'] = [];
    let elseBody: Statement[] | null = null;
    for (;;) {
      const condition = this.parseBody();
      this.expectWord('then');
      const body = this.parseBody();
      clauses.push({ condition, body });
      const t = this.next();
      if (this.isWord(t, 'elif')) continue;
      if (this.isWord(t, 'else')) {
        elseBody = this.parseBody();
        this.expectWord('fi');
        break;
      }
      if (this.isWord(t, 'fi')) break;
      this.unexpected(t);
    }
    return { type: 'If', clauses, elseBody, redirections: [] };
  }

  private parseFor(): ForClause {
    const nameTok = this.next();
    if (nameTok.kind !== 'word' || !isName(nameTok.value)) this.unexpected(nameTok);
    this.skipNewlines();
    let words: Word[] | null = null;
    if (this.isWord(this.peek(), 'in')) {
      this.next();
      words = [];
      for (;;) {
        const t = this.peek();
        if (t.kind !== 'word') break;
        this.next();
        words.push(t.word!);
      }
      const sep = this.next();
      if (!(this.isOp(sep, ';') || sep.kind === 'newline')) this.unexpected(sep);
    } else if (this.isOp(this.peek(), ';')) {
      this.next();
    }
    this.skipNewlines();
    this.expectWord('do');
    const body = this.parseBody();
    this.expectWord('done');
    return { type: 'For', name: nameTok.value, words, body, redirections: [] };
  }

  private parseCase(): CaseClause {
    const wordTok = this.next();
    if (wordTok.kind !== 'word') this.unexpected(wordTok);
    this.skipNewlines();
    this.expectWord('in');
    this.skipNewlines();
    const items: CaseItem[] = [];
    for (;;) {
      let t = this.peek();
      if (this.isWord(t, 'esac')) {
        this.next();
        break;
      }
      if (this.isOp(t, '(')) {
        this.next();
        t = this.peek();
      }
      const patterns: Word[] = [];
      for (;;) {
        const p = this.next();
        if (p.kind !== 'word') this.unexpected(p);
        patterns.push(p.word!);
        const sep = this.next();
        if (this.isOp(sep, ')')) break;
        if (!this.isOp(sep, '|')) this.unexpected(sep);
      }
      const body = this.parseStatements();
      items.push({ patterns, body });
      const end = this.peek();
      if (this.isOp(end, ';;')) {
        this.next();
        this.skipNewlines();
        continue;
      }
      if (this.isWord(end, 'esac')) {
        this.next();
        break;
      }
      this.unexpected(end);
    }
    return { type: 'Case', word: wordTok.word!, items, redirections: [] };
  }

  private parseSimple(): Command {
    const first = this.peek();
    const cmd: SimpleCommand = { type: 'SimpleCommand', assignments: [], words: [], redirections: [], line: first.line };
    for (;;) {
      const t = this.peek();
      if (t.kind === 'io' || (t.kind === 'op' && REDIRECT_OPS.has(t.value))) {
        cmd.redirections.push(this.parseRedirection());
        continue;
      }
      if (t.kind !== 'word') break;
      this.next();
      if (cmd.words.length === 0) {
        const a = assignmentOf(t.word!);
        if (a !== null) {
          cmd.assignments.push(a);
          continue;
        }
      }
      cmd.words.push(withTilde(t.word!));
      if (cmd.words.length === 1 && cmd.assignments.length === 0 && cmd.redirections.length === 0 && this.isOp(this.peek(), '(')) {
        return this.parseFunction(t);
      }
    }
    if (cmd.words.length === 0 && cmd.assignments.length === 0 && cmd.redirections.length === 0) this.unexpected(this.peek());
    return cmd;
  }

  private parseFunction(nameTok: Token): Command {
    const w = nameTok.word!;
    const plain = w.parts.length === 1 && w.parts[0].type === 'Literal';
    this.next(); // `(`
    if (!plain || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(nameTok.value)) throw ShellSyntaxError.unexpected('(', nameTok.line);
    const close = this.next();
    if (!this.isOp(close, ')')) throw ShellSyntaxError.unexpected(close.kind === 'eof' ? '(' : close.kind === 'newline' ? 'newline' : close.value, close.line);
    this.skipNewlines();
    const t = this.peek();
    const compound = (t.kind === 'word' && ['{', 'if', 'while', 'until', 'for', 'case'].includes(t.value)) || this.isOp(t, '(');
    if (!compound) this.unexpected(t);
    const body = this.parseCompound();
    return { type: 'FunctionDef', name: nameTok.value, body, line: nameTok.line };
  }

  private parseRedirection(): Redirection {
    let fd: number | null = null;
    let t = this.next();
    if (t.kind === 'io') {
      fd = Number(t.value);
      t = this.next();
    }
    const operator = t.value as RedirectOperator;
    const target = this.next();
    if (target.kind !== 'word') {
      if (target.kind === 'eof') throw ShellSyntaxError.unexpected('newline', target.line);
      this.unexpected(target);
    }
    const redirection: Redirection = { type: 'Redirection', fd, operator, target: withTilde(target.word!) };
    if (operator === '<<' || operator === '<<-') {
      const { delimiter, quoted } = heredocDelimiter(target.value);
      redirection.heredoc = { body: { type: 'Word', parts: [] }, quoted, strip: operator === '<<-' };
      this.lexer.addHeredoc(redirection, delimiter);
    }
    return redirection;
  }
}

/** `NAME=value` as the first parts of a word: an assignment, else null. */
function assignmentOf(word: Word): Assignment | null {
  const first = word.parts[0];
  if (first === undefined || first.type !== 'Literal') return null;
  const eq = first.value.indexOf('=');
  if (eq <= 0) return null;
  const name = first.value.slice(0, eq);
  if (!isNameStart(name[0])) return null;
  for (let i = 1; i < name.length; i++) if (!isNameChar(name[i])) return null;
  const rest = first.value.slice(eq + 1);
  const parts: WordPart[] = rest === '' ? word.parts.slice(1) : [{ type: 'Literal', value: rest }, ...word.parts.slice(1)];
  return { name, value: withTilde({ type: 'Word', parts }) };
}

/** Splits a leading unquoted `~user` off a word, when it is followed by `/` or ends the word. */
function withTilde(word: Word): Word {
  const first = word.parts[0];
  if (first === undefined || first.type !== 'Literal' || first.value[0] !== '~') return word;
  const slash = first.value.indexOf('/');
  if (slash < 0 && word.parts.length > 1) return word;
  const user = first.value.slice(1, slash < 0 ? undefined : slash);
  if (!/^[A-Za-z0-9._-]*$/.test(user)) return word;
  const rest = slash < 0 ? '' : first.value.slice(slash);
  const parts: WordPart[] = [{ type: 'Tilde', user }];
  if (rest !== '') parts.push({ type: 'Literal', value: rest });
  return { type: 'Word', parts: [...parts, ...word.parts.slice(1)] };
}
