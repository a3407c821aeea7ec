// Shell arithmetic (`$(( … ))`): C integer expressions on signed 64-bit values, with
// variables read (and assigned by `=`, `+=`, `++`…) through the shell. The text arrives
// already expanded; a variable whose value is itself an expression is evaluated in turn.

export interface ArithHost {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

export class ArithError extends Error {}

type Node =
  | { t: 'num'; v: bigint }
  | { t: 'var'; name: string }
  | { t: 'un'; op: string; e: Node }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'assign'; op: string; name: string; e: Node }
  | { t: 'incdec'; op: '++' | '--'; prefix: boolean; name: string }
  | { t: 'cond'; c: Node; a: Node; b: Node };

const OPS = [
  '<<=', '>>=', '**', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '++', '--',
  '+=', '-=', '*=', '/=', '%=', '&=', '^=', '|=',
  '+', '-', '*', '/', '%', '<', '>', '&', '^', '|', '!', '~', '(', ')', '?', ':', '=', ',',
];

const BINARY: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6,
  '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10, '**': 11,
};

function tokenize(src: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    const m = /^(0[xX][0-9a-fA-F]+|[0-9]+#[0-9a-zA-Z@_]+|[0-9]+|[A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i, i + 200));
    if (m) {
      out.push(m[0]);
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new ArithError(`syntax error: invalid arithmetic operator (error token is "${src.slice(i)}")`);
    out.push(op);
    i += op.length;
  }
  return out;
}

function parseNumber(tok: string): bigint {
  if (/^0[xX]/.test(tok)) return BigInt(tok);
  const based = /^([0-9]+)#(.+)$/.exec(tok);
  if (based) {
    const base = Number(based[1]);
    if (base < 2 || base > 64) throw new ArithError(`invalid arithmetic base: ${tok}`);
    let v = 0n;
    for (const ch of based[2]) {
      const d = parseInt(ch, 36);
      if (Number.isNaN(d) || d >= base) throw new ArithError(`value too great for base: ${tok}`);
      v = v * BigInt(base) + BigInt(d);
    }
    return v;
  }
  if (tok.length > 1 && tok[0] === '0') {
    if (!/^[0-7]+$/.test(tok)) throw new ArithError(`value too great for base: ${tok}`);
    return BigInt('0o' + tok.slice(1));
  }
  return BigInt(tok);
}

class ArithParser {
  private i = 0;
  constructor(private readonly toks: string[]) {}

  parse(): Node {
    const n = this.comma();
    if (this.i < this.toks.length) throw new ArithError(`syntax error in expression (error token is "${this.toks.slice(this.i).join(' ')}")`);
    return n;
  }

  private peek(): string | undefined {
    return this.toks[this.i];
  }

  private take(): string {
    const t = this.toks[this.i++];
    if (t === undefined) throw new ArithError('syntax error: operand expected');
    return t;
  }

  private comma(): Node {
    let n = this.assign();
    while (this.peek() === ',') {
      this.i++;
      n = { t: 'bin', op: ',', l: n, r: this.assign() };
    }
    return n;
  }

  private assign(): Node {
    const t = this.peek();
    const op = this.toks[this.i + 1];
    if (t !== undefined && /^[A-Za-z_]/.test(t) && op !== undefined && /^([-+*/%&^|]|<<|>>)?=$/.test(op)) {
      this.i += 2;
      return { t: 'assign', op, name: t, e: this.assign() };
    }
    return this.cond();
  }

  private cond(): Node {
    const c = this.binary(1);
    if (this.peek() !== '?') return c;
    this.i++;
    const a = this.comma();
    if (this.take() !== ':') throw new ArithError("syntax error: ':' expected for conditional expression");
    const b = this.assign();
    return { t: 'cond', c, a, b };
  }

  private binary(minPrec: number): Node {
    let l = this.unary();
    for (;;) {
      const op = this.peek();
      const prec = op === undefined ? undefined : BINARY[op];
      if (prec === undefined || prec < minPrec) return l;
      this.i++;
      // `**` is right-associative.
      const r = this.binary(op === '**' ? prec : prec + 1);
      l = { t: 'bin', op: op!, l, r };
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t === '+' || t === '-' || t === '!' || t === '~') {
      this.i++;
      return { t: 'un', op: t, e: this.unary() };
    }
    if (t === '++' || t === '--') {
      this.i++;
      const name = this.take();
      if (!/^[A-Za-z_]/.test(name)) throw new ArithError('syntax error: operand expected');
      return { t: 'incdec', op: t, prefix: true, name };
    }
    return this.postfix();
  }

  private postfix(): Node {
    const t = this.take();
    if (t === '(') {
      const n = this.comma();
      if (this.take() !== ')') throw new ArithError("syntax error: ')' expected");
      return n;
    }
    if (/^[0-9]/.test(t)) return { t: 'num', v: parseNumber(t) };
    if (/^[A-Za-z_]/.test(t)) {
      const n = this.peek();
      if (n === '++' || n === '--') {
        this.i++;
        return { t: 'incdec', op: n, prefix: false, name: t };
      }
      return { t: 'var', name: t };
    }
    throw new ArithError(`syntax error: operand expected (error token is "${t}")`);
  }
}

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);

/** a ** b modulo 2^64 by squaring, so a huge exponent cannot stall the shell. */
function powWrap(a: bigint, b: bigint): bigint {
  let result = 1n;
  let base = wrap(a);
  while (b > 0n) {
    if (b & 1n) result = wrap(result * base);
    base = wrap(base * base);
    b >>= 1n;
  }
  return result;
}

export class ArithEvaluator {
  private depth = 0;
  constructor(private readonly host: ArithHost) {}

  evaluate(src: string): bigint {
    if (src.trim() === '') return 0n;
    return this.eval(new ArithParser(tokenize(src)).parse());
  }

  private read(name: string): bigint {
    const v = this.host.get(name);
    if (v === undefined || v.trim() === '') return 0n;
    if (/^\s*-?[0-9]+\s*$/.test(v)) return BigInt(v.trim());
    if (++this.depth > 32) throw new ArithError(`${name}: expression recursion level exceeded`);
    try {
      return this.evaluate(v);
    } finally {
      this.depth--;
    }
  }

  private eval(n: Node): bigint {
    switch (n.t) {
      case 'num':
        return n.v;
      case 'var':
        return this.read(n.name);
      case 'un': {
        const v = this.eval(n.e);
        if (n.op === '-') return wrap(-v);
        if (n.op === '!') return v === 0n ? 1n : 0n;
        if (n.op === '~') return ~v;
        return v;
      }
      case 'incdec': {
        const old = this.read(n.name);
        const v = wrap(n.op === '++' ? old + 1n : old - 1n);
        this.host.set(n.name, String(v));
        return n.prefix ? v : old;
      }
      case 'assign': {
        const r = this.eval(n.e);
        const v = n.op === '=' ? r : this.apply(n.op.slice(0, -1), this.read(n.name), r);
        this.host.set(n.name, String(v));
        return v;
      }
      case 'cond':
        return this.eval(n.c) !== 0n ? this.eval(n.a) : this.eval(n.b);
      case 'bin':
        if (n.op === '&&') return this.eval(n.l) !== 0n && this.eval(n.r) !== 0n ? 1n : 0n;
        if (n.op === '||') return this.eval(n.l) !== 0n || this.eval(n.r) !== 0n ? 1n : 0n;
        if (n.op === ',') {
          this.eval(n.l);
          return this.eval(n.r);
        }
        return this.apply(n.op, this.eval(n.l), this.eval(n.r));
    }
  }

  private apply(op: string, a: bigint, b: bigint): bigint {
    switch (op) {
      case '+': return wrap(a + b);
      case '-': return wrap(a - b);
      case '*': return wrap(a * b);
      case '/':
      case '%':
        if (b === 0n) throw new ArithError('division by 0');
        return wrap(op === '/' ? a / b : a % b);
      case '**':
        if (b < 0n) throw new ArithError('exponent less than 0');
        return powWrap(a, b);
      case '<<': return wrap(a << (b & 63n));
      case '>>': return a >> (b & 63n);
      case '<': return a < b ? 1n : 0n;
      case '>': return a > b ? 1n : 0n;
      case '<=': return a <= b ? 1n : 0n;
      case '>=': return a >= b ? 1n : 0n;
      case '==': return a === b ? 1n : 0n;
      case '!=': return a !== b ? 1n : 0n;
      case '&': return a & b;
      case '|': return a | b;
      case '^': return a ^ b;
    }
    throw new ArithError(`unknown operator ${op}`);
  }
}
