// `printf` and `echo -e`: backslash escapes and the conversions %s %b %c %d %i %u %o %x %X
// %e %f %g %%, with flags, width and precision. The format is reused while arguments remain.

export interface PrintfResult {
  output: string;
  /** Messages for stderr (invalid numbers); the status is then 1. */
  errors: string[];
}

/** Escapes of `echo -e` and `%b`; `\c` stops everything (returned as stop). */
export function backslashEscapes(s: string, options: { octalNeedsZero: boolean }): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++i];
    switch (n) {
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'c': return { text: out, stop: true };
      case 'e':
      case 'E': out += '\x1b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1));
        if (m) {
          out += String.fromCharCode(parseInt(m[0], 16));
          i += m[0].length;
        } else out += '\\x';
        break;
      }
      default:
        if (n >= '0' && n <= '7') {
          // echo -e / %b: \0nnn; the printf format: \nnn.
          let digits: string;
          if (options.octalNeedsZero) {
            if (n !== '0') {
              out += '\\' + n;
              break;
            }
            digits = /^[0-7]{0,3}/.exec(s.slice(i + 1))![0];
            i += digits.length;
          } else {
            digits = /^[0-7]{1,3}/.exec(s.slice(i))![0];
            i += digits.length - 1;
          }
          out += String.fromCharCode(parseInt(digits || '0', 8) & 255);
        } else out += '\\' + n;
    }
  }
  return { text: out, stop: false };
}

function toNumber(arg: string, errors: string[]): number {
  if (arg === '') return 0;
  if (arg[0] === "'" || arg[0] === '"') return arg.length > 1 ? arg.codePointAt(1)! : 0;
  const t = arg.trim();
  let v: number;
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) v = parseInt(t, 16);
  else if (/^[+-]?0[0-7]+$/.test(t)) v = parseInt(t, 8);
  else if (/^[+-]?[0-9]+$/.test(t)) v = parseInt(t, 10);
  else if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(t)) v = Number(t);
  else {
    errors.push(`printf: ${arg}: invalid number`);
    const m = /^[+-]?[0-9]+/.exec(t);
    return m ? parseInt(m[0], 10) : 0;
  }
  return v;
}

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  if (left) return s + ' '.repeat(width - s.length);
  if (zero) {
    const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
    return sign + '0'.repeat(width - s.length) + s.slice(sign.length);
  }
  return ' '.repeat(width - s.length) + s;
}

export function formatPrintf(format: string, args: string[]): PrintfResult {
  const errors: string[] = [];
  let output = '';
  let ai = 0;
  const next = (): string | undefined => (ai < args.length ? args[ai++] : undefined);
  for (;;) {
    const startArgs = ai;
    let i = 0;
    while (i < format.length) {
      const c = format[i];
      if (c === '\\') {
        const m = /^\\([0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/s.exec(format.slice(i));
        if (m === null) {
          // A lone backslash ending the format is printed as it is (as bash and dash do).
          output += '\\';
          i++;
          continue;
        }
        const r = backslashEscapes(m[0], { octalNeedsZero: false });
        output += r.text;
        if (r.stop) return { output, errors };
        i += m[0].length;
        continue;
      }
      if (c !== '%') {
        output += c;
        i++;
        continue;
      }
      const m = /^%([-+ #0]*)(\*|[0-9]+)?(?:\.(\*|[0-9]*))?([a-zA-Z%])?/.exec(format.slice(i))!;
      i += m[0].length;
      const conv = m[4];
      if (conv === '%') {
        output += '%';
        continue;
      }
      if (conv === undefined) {
        output += m[0];
        continue;
      }
      const flags = m[1];
      const width = m[2] === '*' ? toNumber(next() ?? '', errors) : m[2] === undefined ? 0 : Number(m[2]);
      const precision = m[3] === undefined ? undefined : m[3] === '*' ? toNumber(next() ?? '', errors) : Number(m[3] || '0');
      const left = flags.includes('-') || width < 0;
      const zero = flags.includes('0') && !left;
      const w = Math.abs(width);
      const arg = next();
      switch (conv) {
        case 's': {
          let s = arg ?? '';
          if (precision !== undefined) s = s.slice(0, precision);
          output += pad(s, w, left, false);
          break;
        }
        case 'b': {
          const r = backslashEscapes(arg ?? '', { octalNeedsZero: true });
          output += pad(r.text, w, left, false);
          if (r.stop) return { output, errors };
          break;
        }
        case 'c':
          output += pad((arg ?? '').slice(0, 1), w, left, false);
          break;
        case 'd':
        case 'i':
        case 'u': {
          let n = Math.trunc(toNumber(arg ?? '', errors));
          if (conv === 'u' && n < 0) n = n + 2 ** 64;
          let s = String(Math.abs(n));
          if (precision !== undefined) s = s.padStart(precision, '0');
          s = (n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + s;
          output += pad(s, w, left, zero && precision === undefined);
          break;
        }
        case 'o':
        case 'x':
        case 'X': {
          const n = Math.trunc(toNumber(arg ?? '', errors));
          let s = (n < 0 ? BigInt.asUintN(64, BigInt(n)) : BigInt(n)).toString(conv === 'o' ? 8 : 16);
          if (conv === 'X') s = s.toUpperCase();
          if (flags.includes('#') && n !== 0) s = (conv === 'o' ? '0' : conv === 'x' ? '0x' : '0X') + s;
          output += pad(s, w, left, zero);
          break;
        }
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G': {
          const n = toNumber(arg ?? '', errors);
          const p = precision ?? 6;
          let s: string;
          if (conv === 'f' || conv === 'F') s = n.toFixed(p);
          else if (conv === 'e' || conv === 'E') s = n.toExponential(p).replace(/e([+-])(\d)$/, 'e$10$2');
          else s = String(Number(n.toPrecision(p || 1)));
          if (conv === 'E' || conv === 'G') s = s.toUpperCase();
          if (n >= 0 && flags.includes('+')) s = '+' + s;
          output += pad(s, w, left, zero);
          break;
        }
        default:
          errors.push(`printf: %${conv}: invalid directive`);
          return { output, errors };
      }
    }
    if (ai >= args.length || ai === startArgs) break;
  }
  return { output, errors };
}
