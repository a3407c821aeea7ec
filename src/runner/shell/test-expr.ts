// `test` / `[`: POSIX's rules by argument count (so `[ -n ]` and `[ ! = x ]` mean what they
// should), then a recursive-descent parser for longer expressions with `!`, `-a`, `-o` and
// parentheses. File tests look at the container's file system.

import type { Namespace } from '../../vfs/index.js';

export interface TestContext {
  fs: Namespace;
  resolve(path: string): string;
  isTTY(fd: number): boolean;
}

/** Thrown for a malformed expression: the builtin prints it and returns 2. */
export class TestSyntaxError extends Error {}

const UNARY = new Set(['-e', '-f', '-d', '-s', '-z', '-n', '-r', '-w', '-x', '-L', '-h', '-b', '-c', '-p', '-S', '-t', '-g', '-u', '-k', '-O', '-G', '-N']);
const BINARY = new Set(['=', '==', '!=', '<', '>', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-nt', '-ot', '-ef']);

export function evaluateTest(args: string[], ctx: TestContext): boolean {
  return new TestParser(args, ctx).evaluate();
}

class TestParser {
  private i = 0;
  constructor(
    private readonly args: string[],
    private readonly ctx: TestContext,
  ) {}

  evaluate(): boolean {
    const a = this.args;
    switch (a.length) {
      case 0:
        return false;
      case 1:
        return a[0] !== '';
      case 2:
        if (a[0] === '!') return a[1] === '';
        if (UNARY.has(a[0])) return this.unary(a[0], a[1]);
        throw new TestSyntaxError(`${a[0]}: unary operator expected`);
      case 3:
        if (BINARY.has(a[1])) return this.binary(a[0], a[1], a[2]);
        if (a[1] === '-a') return a[0] !== '' && a[2] !== '';
        if (a[1] === '-o') return a[0] !== '' || a[2] !== '';
        if (a[0] === '!') return !new TestParser(a.slice(1), this.ctx).evaluate();
        if (a[0] === '(' && a[2] === ')') return a[1] !== '';
        break;
      case 4:
        if (a[0] === '!') return !new TestParser(a.slice(1), this.ctx).evaluate();
        if (a[0] === '(' && a[3] === ')') return new TestParser(a.slice(1, 3), this.ctx).evaluate();
        break;
    }
    const v = this.or();
    if (this.i < a.length) throw new TestSyntaxError(`${a[this.i]}: unexpected operator`);
    return v;
  }

  private peek(): string | undefined {
    return this.args[this.i];
  }

  private or(): boolean {
    let v = this.and();
    while (this.peek() === '-o') {
      this.i++;
      const r = this.and();
      v = v || r;
    }
    return v;
  }

  private and(): boolean {
    let v = this.not();
    while (this.peek() === '-a') {
      this.i++;
      const r = this.not();
      v = v && r;
    }
    return v;
  }

  private not(): boolean {
    if (this.peek() === '!') {
      this.i++;
      return !this.not();
    }
    return this.primary();
  }

  private primary(): boolean {
    const a = this.args;
    const t = a[this.i];
    if (t === undefined) throw new TestSyntaxError('argument expected');
    if (t === '(') {
      this.i++;
      const v = this.or();
      if (a[this.i] !== ')') throw new TestSyntaxError("missing ')'");
      this.i++;
      return v;
    }
    if (a[this.i + 1] !== undefined && BINARY.has(a[this.i + 1]) && a[this.i + 2] !== undefined) {
      this.i += 3;
      return this.binary(t, a[this.i - 2], a[this.i - 1]);
    }
    if (UNARY.has(t) && a[this.i + 1] !== undefined) {
      this.i += 2;
      return this.unary(t, a[this.i - 1]);
    }
    this.i++;
    return t !== '';
  }

  private unary(op: string, arg: string): boolean {
    if (op === '-z') return arg === '';
    if (op === '-n') return arg !== '';
    if (op === '-t') return this.ctx.isTTY(Number(toInt(arg)));
    const fs = this.ctx.fs;
    const path = this.ctx.resolve(arg);
    if (arg === '') return false;
    try {
      if (op === '-L' || op === '-h') return fs.lstat(path).kind === 'symlink';
      const st = fs.stat(path);
      switch (op) {
        case '-e':
          return true;
        case '-f':
          return st.kind === 'file';
        case '-d':
          return st.kind === 'dir';
        case '-s':
          return st.size > 0;
        case '-r':
          return (st.mode & 0o444) !== 0;
        case '-w':
          return (st.mode & 0o222) !== 0;
        case '-x':
          return (st.mode & 0o111) !== 0;
        case '-u':
          return (st.mode & 0o4000) !== 0;
        case '-g':
          return (st.mode & 0o2000) !== 0;
        case '-k':
          return (st.mode & 0o1000) !== 0;
        case '-O':
        case '-G':
          return true;
        default:
          return false;
      }
    } catch {
      return false;
    }
  }

  private binary(l: string, op: string, r: string): boolean {
    switch (op) {
      case '=':
      case '==':
        return l === r;
      case '!=':
        return l !== r;
      case '<':
        return l < r;
      case '>':
        return l > r;
      case '-eq':
        return toInt(l) === toInt(r);
      case '-ne':
        return toInt(l) !== toInt(r);
      case '-lt':
        return toInt(l) < toInt(r);
      case '-le':
        return toInt(l) <= toInt(r);
      case '-gt':
        return toInt(l) > toInt(r);
      case '-ge':
        return toInt(l) >= toInt(r);
    }
    const fs = this.ctx.fs;
    const stat = (p: string) => {
      try {
        return fs.stat(this.ctx.resolve(p));
      } catch {
        return undefined;
      }
    };
    const a = stat(l);
    const b = stat(r);
    if (op === '-nt') return a !== undefined && (b === undefined || a.mtimeMs > b.mtimeMs);
    if (op === '-ot') return b !== undefined && (a === undefined || a.mtimeMs < b.mtimeMs);
    return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
  }
}

function toInt(s: string): bigint {
  const t = s.trim();
  if (!/^[+-]?[0-9]+$/.test(t)) throw new TestSyntaxError(`${s}: integer expression expected`);
  return BigInt(t);
}
