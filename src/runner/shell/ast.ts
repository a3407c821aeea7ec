// The typed syntax tree of the built-in POSIX shell: what the parser produces and the
// interpreter walks. Words keep their quoting as typed parts, so expansion can tell which
// characters may be split on IFS or globbed.

/** A whole script, or the body of a compound command: statements run one after the other. */
export interface Script {
  type: 'Script';
  body: Statement[];
}

/** An and-or list (`a && b || c`), optionally run in the background (`&`). */
export interface Statement {
  type: 'Statement';
  first: Pipeline;
  rest: AndOrPart[];
  background: boolean;
  line: number;
}

export interface AndOrPart {
  op: '&&' | '||';
  pipeline: Pipeline;
}

/** `[!] cmd | cmd | …` */
export interface Pipeline {
  type: 'Pipeline';
  negated: boolean;
  commands: Command[];
}

export type Command =
  | SimpleCommand
  | Subshell
  | BraceGroup
  | IfClause
  | LoopClause
  | ForClause
  | CaseClause
  | FunctionDef;

export interface SimpleCommand {
  type: 'SimpleCommand';
  assignments: Assignment[];
  words: Word[];
  redirections: Redirection[];
  line: number;
}

export interface Assignment {
  name: string;
  value: Word;
}

export interface Subshell {
  type: 'Subshell';
  body: Statement[];
  redirections: Redirection[];
}

export interface BraceGroup {
  type: 'BraceGroup';
  body: Statement[];
  redirections: Redirection[];
}

export interface IfClause {
  type: 'If';
  /** `if`, then each `elif`, in order. */
  clauses: { condition: Statement[]; body: Statement[] }[];
  elseBody: Statement[] | null;
  redirections: Redirection[];
}

export interface LoopClause {
  type: 'Loop';
  kind: 'while' | 'until';
  condition: Statement[];
  body: Statement[];
  redirections: Redirection[];
}

export interface ForClause {
  type: 'For';
  name: string;
  /** null for `for x; do` (iterates over "$@"). */
  words: Word[] | null;
  body: Statement[];
  redirections: Redirection[];
}

export interface CaseClause {
  type: 'Case';
  word: Word;
  items: CaseItem[];
  redirections: Redirection[];
}

export interface CaseItem {
  patterns: Word[];
  body: Statement[];
}

export interface FunctionDef {
  type: 'FunctionDef';
  name: string;
  body: Command;
  line: number;
}

export type RedirectOperator = '<' | '>' | '>>' | '<>' | '>|' | '<&' | '>&' | '<<' | '<<-';

export interface Redirection {
  type: 'Redirection';
  /** The explicit fd (`2>`), or null for the operator's default (0 for `<…`, 1 for `>…`). */
  fd: number | null;
  operator: RedirectOperator;
  /** The file, the fd to duplicate (`2>&1`), or the here-doc delimiter as written. */
  target: Word;
  /** Set for `<<` and `<<-`. */
  heredoc?: HereDoc;
}

export interface HereDoc {
  /** With `quoted`, one Literal part holding the body verbatim; else parts to expand like "…". */
  body: Word;
  /** The delimiter had quotes (`<<'EOF'`): no expansion in the body. */
  quoted: boolean;
  /** `<<-`: leading tabs are removed from body lines and from the delimiter line. */
  strip: boolean;
}

/** A word: its parts concatenate; quoting decides splitting and globbing of each part. */
export interface Word {
  type: 'Word';
  parts: WordPart[];
}

export type WordPart =
  | LiteralPart
  | SingleQuotedPart
  | DoubleQuotedPart
  | EscapedPart
  | TildePart
  | ParameterPart
  | CommandSubstPart
  | ArithmeticPart;

/** Unquoted source text; glob characters in it are active. */
export interface LiteralPart {
  type: 'Literal';
  value: string;
}

export interface SingleQuotedPart {
  type: 'SingleQuoted';
  value: string;
}

export interface DoubleQuotedPart {
  type: 'DoubleQuoted';
  parts: WordPart[];
}

/** A backslash-escaped character outside quotes (`\*`): quoted, so neither split nor globbed. */
export interface EscapedPart {
  type: 'Escaped';
  value: string;
}

/** `~` or `~user` at the start of a word (or after `=` in an assignment). */
export interface TildePart {
  type: 'Tilde';
  user: string;
}

export type ParameterOperator =
  | ':-'
  | '-'
  | ':='
  | '='
  | ':+'
  | '+'
  | ':?'
  | '?'
  | '%'
  | '%%'
  | '#'
  | '##';

/** `$x`, `${x}`, `${x:-word}`, `${#x}`… */
export interface ParameterPart {
  type: 'Parameter';
  /** A name, positional digits, or one of `@ * # ? - $ ! 0`. */
  name: string;
  /** `${#name}`: the length of the value. */
  length?: boolean;
  operator?: ParameterOperator;
  /** The word after the operator; expanded only when the operator needs it. */
  word?: Word;
}

export interface CommandSubstPart {
  type: 'CommandSubst';
  script: Script;
  backtick: boolean;
}

/** `$((…))`: the text is expanded like "…" first, then evaluated as an arithmetic expression. */
export interface ArithmeticPart {
  type: 'Arithmetic';
  expression: Word;
}
