// Control flow that unwinds the interpreter (`exit`, `return`, `break`/`continue`), the
// option letters of `set`, and the strerror()-like text the shell prints for file errors.
// Kept apart so the interpreter and the builtins share them without an import cycle.

import { WasmboxError } from '../../errors.js';

/** `exit` (or the end of a subshell), unwinding to the shell or subshell boundary. */
export class ExitSignal {
  constructor(readonly status: number) {}
}

/** `return` from a function or a sourced file. */
export class ReturnSignal {
  constructor(readonly status: number) {}
}

/** `break n` / `continue n`; `levels` counts down as loops are left. */
export class LoopSignal {
  constructor(
    readonly kind: 'break' | 'continue',
    public levels: number,
  ) {}
}

export interface ShellFlags {
  errexit: boolean;
  nounset: boolean;
  xtrace: boolean;
  noglob: boolean;
  noclobber: boolean;
  pipefail: boolean;
  verbose: boolean;
  allexport: boolean;
}

export const FLAG_LETTERS: Record<string, keyof ShellFlags> = {
  e: 'errexit',
  u: 'nounset',
  x: 'xtrace',
  f: 'noglob',
  C: 'noclobber',
  v: 'verbose',
  a: 'allexport',
};

const FS_MESSAGES: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
  EEXIST: 'File exists',
  ELOOP: 'Too many levels of symbolic links',
  ENOSPC: 'No space left on device',
  ENAMETOOLONG: 'File name too long',
};

/** The strerror()-like text for a file system error. */
export function describeFsError(e: unknown): string {
  if (e instanceof WasmboxError) return FS_MESSAGES[e.code] ?? e.message;
  return e instanceof Error ? e.message : String(e);
}
