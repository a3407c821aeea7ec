// Variable substitution and quote removal in Dockerfile words, as Docker's shell lexer does
// it for ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR.

import { describe, expect, it } from 'vitest';
import { expandHeredoc, expandWord, splitWords } from '../../../src/build/dockerfile/words.js';

const env: Record<string, string> = { A: 'a', E: '', P: 'dir/file.tar.gz', SP: 'x y' };
const lookup = (n: string) => env[n];

const CASES: [string, string][] = [
  ['$A', 'a'],
  ['${A}', 'a'],
  ['$A$A', 'aa'],
  ['${A}b', 'ab'],
  ['$Ab', ''],
  ['$UNSET', ''],
  ['${UNSET:-d}', 'd'],
  ['${E:-d}', 'd'],
  ['${A:-d}', 'a'],
  ['${UNSET-d}', 'd'],
  ['${E-d}', ''],
  ['${A:+alt}', 'alt'],
  ['${E:+alt}', ''],
  ['${UNSET:+alt}', ''],
  ['${E+alt}', 'alt'],
  ['${UNSET+alt}', ''],
  ['${UNSET:-$A}', 'a'],
  ['${UNSET:-${A}x}', 'ax'],
  ["'$A'", '$A'],
  ['"$A"', 'a'],
  ['"$SP"', 'x y'],
  ['\\$A', '$A'],
  ['"\\$A"', '$A'],
  ['"\\a"', '\\a'],
  ['a\\ b', 'a b'],
  ['"a b"c', 'a bc'],
  ['$', '$'],
  ['a$', 'a$'],
  ['$/x', '$/x'],
  ['${P#*/}', 'file.tar.gz'],
  ['${P##*.}', 'gz'],
  ['${P%.*}', 'dir/file.tar'],
  ['${P%%.*}', 'dir/file'],
  ['$1', ''],
];

describe('expandWord', () => {
  it.each(CASES)('%s → %j', (word, expected) => {
    expect(expandWord(word, lookup)).toBe(expected);
  });

  it('uses the escape directive character', () => {
    expect(expandWord('`$A', lookup, { escape: '`' })).toBe('$A');
    expect(expandWord('c:\\dir', lookup, { escape: '`' })).toBe('c:\\dir');
  });

  it.each([
    ['"abc', /double-quote/],
    ["'abc", /single-quote/],
    ['${A', /missing '}'|matching }/],
    ['${}', /bad substitution/],
    ['${:-x}', /bad substitution/],
    ['${A:=x}', /unsupported modifier \(=\)/],
    ['${UNSET?need it}', /UNSET: need it/],
    ['${E:?}', /E: is not allowed to be unset/],
  ])('%s fails: %s', (word, message) => {
    expect(() => expandWord(word, lookup)).toThrow(message);
  });
});

describe('splitWords', () => {
  it('keeps quotes and escapes, splits on unquoted blanks', () => {
    expect(splitWords(`a "b c" 'd e'  f\\ g`, '\\').words).toEqual(['a', '"b c"', "'d e'", 'f\\ g']);
    expect(splitWords('A="x', '\\').unterminatedQuote).toBe('"');
  });
});

describe('expandHeredoc', () => {
  it('substitutes variables, keeps quotes as text', () => {
    expect(expandHeredoc(`say "$A" '\${SP}' \\$A\n`, lookup)).toBe(`say "a" 'x y' $A\n`);
  });
});
