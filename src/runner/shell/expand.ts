// Word expansion in POSIX order: tilde, parameters, command substitution and arithmetic
// (left to right), then field splitting on IFS (only of unquoted expansion results), path
// name expansion, and quote removal. Expanded text carries its quoting as "pieces" until the end.

import type { ParameterPart, Script, Word, WordPart } from './ast.js';
import { ArithError, ArithEvaluator } from './arith.js';
import { escapeGlob, hasGlobChars, trimPattern, unescapeGlob } from './pattern.js';

export interface ExpansionHost {
  /** A variable, positional or special parameter; undefined when unset. */
  getParam(name: string): string | undefined;
  positional(): string[];
  setVar(name: string, value: string): void;
  /** Runs a command substitution; returns its stdout. */
  commandSubst(script: Script): string;
  homeOf(user: string): string | undefined;
  /** Matching paths, sorted; empty when none. */
  glob(pattern: string): string[];
  /** `set -u` is on. */
  nounset(): boolean;
  /** `set -f` is on. */
  noglob(): boolean;
}

/** An expansion error (`${x:?}`, `set -u`, bad arithmetic): the shell reports it and stops. */
export class ExpansionError extends Error {
  constructor(
    message: string,
    /** The status the shell exits with. */
    readonly status = 2,
  ) {
    super(message);
  }
}

interface Piece {
  text: string;
  quoted: boolean;
  /** Subject to field splitting (an unquoted expansion result). */
  split: boolean;
}

/** Separates the fields of "$@". */
const BREAK = null;
type Fragment = Piece | typeof BREAK;

const DEFAULT_IFS = ' \t\n';

export class Expander {
  constructor(private readonly host: ExpansionHost) {}

  /** Words to fields: the arguments of a command, the list of `for`. */
  fields(words: Word[]): string[] {
    const out: string[] = [];
    for (const w of words) {
      // Fast path: a plain word needs no splitting or globbing machinery.
      if (w.parts.length === 1 && w.parts[0].type === 'Literal' && !this.mayGlob(w.parts[0].value)) {
        out.push(w.parts[0].value);
        continue;
      }
      const frags: Fragment[] = [];
      this.parts(w.parts, false, frags);
      for (const field of this.split(frags)) this.globField(field, out);
    }
    return out;
  }

  /** One string, without splitting or globbing: assignments, redirection targets, here-docs. */
  string(word: Word): string {
    const frags: Fragment[] = [];
    this.parts(word.parts, false, frags);
    return frags.map((f) => (f === BREAK ? ' ' : f.text)).join('');
  }

  /** A here-doc body or the text of `$((…))`: expanded as inside double quotes. */
  quotedString(word: Word): string {
    const frags: Fragment[] = [];
    this.parts(word.parts, true, frags);
    return frags.map((f) => (f === BREAK ? ' ' : f.text)).join('');
  }

  /** A pattern (`case`, `${x#…}`): quoted characters are escaped so they match literally. */
  pattern(word: Word): string {
    const frags: Fragment[] = [];
    this.parts(word.parts, false, frags);
    return frags.map((f) => (f === BREAK ? ' ' : f.quoted ? escapeGlob(f.text) : f.text)).join('');
  }

  private mayGlob(s: string): boolean {
    return !this.host.noglob() && hasGlobChars(s);
  }

  /** `inExpansion`: the word of `${x:-word}`, whose unquoted text is an expansion result and so is split. */
  private parts(parts: WordPart[], quoted: boolean, out: Fragment[], inExpansion = false): void {
    for (const p of parts) {
      switch (p.type) {
        case 'Literal':
          out.push({ text: p.value, quoted, split: inExpansion && !quoted });
          break;
        case 'SingleQuoted':
        case 'Escaped':
          out.push({ text: p.value, quoted: true, split: false });
          break;
        case 'DoubleQuoted': {
          // "" is an empty field; "$@" with no parameters is no field at all.
          const hasAt = p.parts.some((q) => q.type === 'Parameter' && q.name === '@' && q.operator === undefined && !q.length);
          if (!hasAt) out.push({ text: '', quoted: true, split: false });
          this.parts(p.parts, true, out);
          break;
        }
        case 'Tilde': {
          const home = p.user === '' ? this.host.getParam('HOME') : this.host.homeOf(p.user);
          if (home === undefined) out.push({ text: '~' + p.user, quoted, split: false });
          else out.push({ text: home, quoted: true, split: false });
          break;
        }
        case 'Parameter':
          this.parameter(p, quoted, out);
          break;
        case 'CommandSubst': {
          const text = this.host.commandSubst(p.script).replace(/\n+$/, '');
          out.push({ text, quoted, split: !quoted });
          break;
        }
        case 'Arithmetic': {
          const expr = this.quotedString(p.expression);
          let v: bigint;
          try {
            v = new ArithEvaluator({ get: (n) => this.host.getParam(n), set: (n, x) => this.host.setVar(n, x) }).evaluate(expr);
          } catch (e) {
            if (e instanceof ArithError) throw new ExpansionError(`${expr.trim()}: ${e.message}`);
            throw e;
          }
          out.push({ text: String(v), quoted, split: !quoted });
          break;
        }
      }
    }
  }

  private parameter(p: ParameterPart, quoted: boolean, out: Fragment[]): void {
    const name = p.name;
    if ((name === '@' || name === '*') && p.operator === undefined && !p.length) {
      const params = this.host.positional();
      if (name === '*' && quoted) {
        out.push({ text: params.join(this.ifsJoiner()), quoted: true, split: false });
        return;
      }
      params.forEach((v, i) => {
        if (i > 0) out.push(BREAK);
        out.push({ text: v, quoted, split: !quoted });
      });
      return;
    }
    const value = name === '@' || name === '*' ? this.joinedPositional() : this.host.getParam(name);
    if (p.length) {
      if (value === undefined) this.checkSet(name);
      const n = name === '@' || name === '*' ? this.host.positional().length : [...(value ?? '')].length;
      out.push({ text: String(n), quoted, split: false });
      return;
    }
    const op = p.operator;
    const unsetOrNull = value === undefined || value === '';
    const push = (text: string): void => void out.push({ text, quoted, split: !quoted });
    switch (op) {
      case undefined:
        if (value === undefined) this.checkSet(name);
        push(value ?? '');
        return;
      case ':-':
      case '-':
        if (op === ':-' ? unsetOrNull : value === undefined) this.parts(p.word!.parts, quoted, out, true);
        else push(value!);
        return;
      case ':=':
      case '=':
        if (op === ':=' ? unsetOrNull : value === undefined) {
          if (!/^[A-Za-z_]/.test(name)) throw new ExpansionError(`$${name}: cannot assign in this way`);
          const v = this.string(p.word!);
          this.host.setVar(name, v);
          push(v);
        } else push(value!);
        return;
      case ':+':
      case '+':
        if (op === ':+' ? !unsetOrNull : value !== undefined) this.parts(p.word!.parts, quoted, out, true);
        return;
      case ':?':
      case '?':
        if (op === ':?' ? unsetOrNull : value === undefined) {
          const msg = this.string(p.word!);
          throw new ExpansionError(`${name}: ${msg === '' ? (op === ':?' ? 'parameter null or not set' : 'parameter not set') : msg}`);
        }
        push(value!);
        return;
      default: {
        if (value === undefined) this.checkSet(name);
        push(trimPattern(value ?? '', this.pattern(p.word!), op));
      }
    }
  }

  private checkSet(name: string): void {
    if (this.host.nounset() && name !== '@' && name !== '*') throw new ExpansionError(`${name}: parameter not set`);
  }

  private joinedPositional(): string | undefined {
    const params = this.host.positional();
    return params.length === 0 ? undefined : params.join(' ');
  }

  private ifs(): string {
    return this.host.getParam('IFS') ?? DEFAULT_IFS;
  }

  private ifsJoiner(): string {
    const ifs = this.host.getParam('IFS');
    return ifs === undefined ? ' ' : ifs.slice(0, 1);
  }

  /** Field splitting: fragments to fields, each a list of pieces. */
  private split(frags: Fragment[]): Piece[][] {
    const fields: Piece[][] = [];
    const ifs = this.ifs();
    let cur: Piece[] = [];
    let started = false;
    // A field ended by IFS white space absorbs one following non-white IFS character.
    let endedByWhite = false;
    const end = (): void => {
      fields.push(cur);
      cur = [];
      started = false;
    };
    for (const f of frags) {
      if (f === BREAK) {
        if (started) end();
        endedByWhite = false;
        continue;
      }
      if (!f.split || ifs === '') {
        // An empty unquoted expansion adds nothing; "" still makes a field.
        if (f.text !== '' || f.quoted) {
          cur.push(f);
          started = true;
          endedByWhite = false;
        }
        continue;
      }
      let text = '';
      for (const ch of f.text) {
        if (!ifs.includes(ch)) {
          text += ch;
          continue;
        }
        if (text !== '') {
          cur.push({ text, quoted: false, split: false });
          started = true;
          text = '';
        }
        if (ch === ' ' || ch === '\t' || ch === '\n') {
          if (started) {
            end();
            endedByWhite = true;
          }
        } else if (started) {
          end();
          endedByWhite = false;
        } else if (endedByWhite) {
          endedByWhite = false;
        } else {
          end();
        }
      }
      if (text !== '') {
        cur.push({ text, quoted: false, split: false });
        started = true;
        endedByWhite = false;
      }
    }
    if (started) end();
    return fields;
  }

  private globField(field: Piece[], out: string[]): void {
    const text = field.map((p) => p.text).join('');
    if (this.host.noglob() || !field.some((p) => !p.quoted && hasGlobChars(p.text))) {
      out.push(text);
      return;
    }
    const pattern = field.map((p) => (p.quoted ? escapeGlob(p.text) : p.text)).join('');
    if (!hasGlobChars(pattern)) {
      out.push(unescapeGlob(pattern));
      return;
    }
    const matches = this.host.glob(pattern);
    if (matches.length === 0) out.push(text);
    else out.push(...matches);
  }
}
