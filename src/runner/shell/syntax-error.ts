// The one error the shell parser throws. It carries the line and the offending token so the
// message reads like other shells' (`sh: line 3: syntax error near unexpected token 'fi'`),
// and says whether more input could complete the script (the interactive prompt's PS2).

import { WasmboxError } from '../../errors.js';
import type { Script } from './ast.js';

export interface ShellSyntaxErrorOptions {
  line: number;
  /** The token the parser stopped at; undefined at end of input. */
  token?: string;
  /** True when the input ended too early: an open quote, `if` without `fi`, a here-doc body… */
  incomplete?: boolean;
}

export class ShellSyntaxError extends WasmboxError {
  readonly line: number;
  readonly token: string | undefined;
  readonly incomplete: boolean;
  /** The complete lines of a top-level script before the error (they run before it is reported). */
  partial?: Script;

  constructor(detail: string, options: ShellSyntaxErrorOptions) {
    super('INVALID_ARGUMENT', `sh: line ${options.line}: ${detail}`, {
      details: { line: options.line, token: options.token },
    });
    this.line = options.line;
    this.token = options.token;
    this.incomplete = options.incomplete ?? false;
  }

  static unexpected(token: string, line: number): ShellSyntaxError {
    return new ShellSyntaxError(`syntax error near unexpected token '${token}'`, { line, token });
  }

  static endOfFile(line: number, what = 'unexpected end of file'): ShellSyntaxError {
    return new ShellSyntaxError(`syntax error: ${what}`, { line, incomplete: true });
  }
}
