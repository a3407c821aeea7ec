// .dockerignore against a table of (patterns, path) → excluded?, following Docker's
// patternmatcher: filepath.Match plus `**`, parent directories, `!` exceptions, last rule wins.

import { describe, expect, it } from 'vitest';
import { IgnoreMatcher, cleanPath, parseDockerignore } from '../../../src/build/dockerignore.js';

const CASES: [string, string, boolean][] = [
  ['a.txt', 'a.txt', true],
  ['a.txt', 'b.txt', false],
  ['*.txt', 'a.txt', true],
  ['*.txt', 'dir/a.txt', false],
  ['*/*.txt', 'dir/a.txt', true],
  ['**/*.txt', 'a.txt', true],
  ['**/*.txt', 'x/y/z/a.txt', true],
  ['**', 'anything/at/all', true],
  ['dir/**', 'dir/x/y', true],
  ['dir/**/b', 'dir/b', true],
  ['dir/**/b', 'dir/x/y/b', true],
  ['dir', 'dir/inner/file', true],
  ['dir/', 'dir/file', true],
  ['/dir', 'dir/file', true],
  ['./dir', 'dir/file', true],
  ['dir/../other', 'other', true],
  ['?.c', 'a.c', true],
  ['?.c', 'ab.c', false],
  ['?', 'a/b', true],
  ['[ab].c', 'b.c', true],
  ['[ab].c', 'c.c', false],
  ['[^ab].c', 'c.c', true],
  ['[a-c]x', 'bx', true],
  ['\\*.c', '*.c', true],
  ['\\*.c', 'a.c', false],
  ['a.b', 'axb', false],
  ['node_modules\n!node_modules/keep', 'node_modules/keep', false],
  ['node_modules\n!node_modules/keep', 'node_modules/other', true],
  ['node_modules\n!node_modules/keep', 'node_modules/keep/deep', false],
  ['*.md\n!README.md', 'README.md', false],
  ['*.md\n!README.md', 'CHANGES.md', true],
  ['*.md\n!README.md\nREADME.md', 'README.md', true],
  ['!a\na', 'a', true],
  ['# comment\na', '# comment', false],
  ['  a  ', 'a', true],
  ['a #not comment', 'a #not comment', true],
  ['', 'a', false],
  ['!', 'a', false],
  ['Dockerfile\n.dockerignore', 'Dockerfile', true],
  ['*\n!src\nsrc/*.tmp', 'src/x.tmp', true],
  ['*\n!src\nsrc/*.tmp', 'src/x.c', false],
  ['*\n!src', 'other/x', true],
];

describe('.dockerignore', () => {
  it.each(CASES)('%j excludes %j: %s', (patterns, path, excluded) => {
    expect(IgnoreMatcher.fromFile(patterns).ignores(path)).toBe(excluded);
  });

  it('cleans patterns like Go filepath.Clean and strips a leading / or ./', () => {
    expect(parseDockerignore('/a/b/\n./c\n!/d\n#x\n\n e/./f/../g \n**/x')).toEqual(['a/b', 'c', '!d', 'e/g', '**/x']);
    expect(cleanPath('a//b/./c/..')).toBe('a/b');
    expect(cleanPath('../a')).toBe('../a');
    expect(cleanPath('/../a')).toBe('/a');
    expect(cleanPath('')).toBe('.');
  });

  it('skips a whole directory only when no exception could bring something back', () => {
    expect(IgnoreMatcher.fromFile('node_modules').skipsDirectory('node_modules')).toBe(true);
    expect(IgnoreMatcher.fromFile('node_modules\n!node_modules/x').skipsDirectory('node_modules')).toBe(false);
    expect(IgnoreMatcher.fromFile('other').skipsDirectory('node_modules')).toBe(false);
  });

  it('rejects a malformed pattern', () => {
    expect(() => IgnoreMatcher.fromFile('[abc')).toThrow(/syntax error in pattern/);
  });
});
