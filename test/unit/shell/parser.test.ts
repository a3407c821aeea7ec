// The grammar table of the built-in shell: source → rendered AST (see render.ts for the
// notation), syntax errors with their line and token, and a property test that the parser
// only ever throws ShellSyntaxError.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShellSyntaxError, parseScript } from '../../../src/runner/shell/index.js';
import type { SimpleCommand } from '../../../src/runner/shell/index.js';
import { renderScript } from './render.js';

const GRAMMAR: [string, string][] = [
  // Simple commands and words.
  ['echo hello world', '(echo hello world)'],
  ['  echo   a\tb  ', '(echo a b)'],
  ['', ''],
  ['\n\n', ''],
  ['# just a comment', ''],
  ['echo a # comment', '(echo a)'],
  ['echo a#b', '(echo a#b)'],
  ['echo \\#x', '(echo \\#x)'],
  ["echo 'single $x \"q\"'", "(echo 'single $x \"q\"')"],
  ['echo "double $x \'q\'"', '(echo "double ${x} \'q\'")'],
  ['echo "a\\"b\\$c\\\\d\\e"', '(echo "a"b$c\\d\\e")'],
  ['echo \\$x \\* \\\\', '(echo \\$x \\* \\\\)'],
  ['echo a"b"\'c\'d', "(echo a\"b\"'c'd)"],
  ['echo ""', '(echo "")'],
  ["echo ''", "(echo '')"],
  ['echo a\\\nb', '(echo ab)'],
  ['echo a \\\n b', '(echo a b)'],
  ['echo "line1\nline2"', '(echo "line1\nline2")'],
  ['echo "a\\\nb"', '(echo "ab")'],
  ["echo 'a\\nb'", "(echo 'a\\nb')"],
  ['echo $', '(echo $)'],
  ['echo $ a', '(echo $ a)'],
  ['echo "$"', '(echo "$")'],
  ['echo {a,b} }', '(echo {a,b} })'],
  // Parameters.
  ['echo $x$y ${z}w', '(echo ${x}${y} ${z}w)'],
  ['echo $1 $10 ${10}', '(echo ${1} ${1}0 ${10})'],
  ['echo $? $# $@ $* $$ $! $- $0', '(echo ${?} ${#} ${@} ${*} ${$} ${!} ${-} ${0})'],
  ['echo ${x:-default value}', '(echo ${x:-default value})'],
  ['echo ${x-d} ${x:=d} ${x=d} ${x:+a} ${x+a} ${x:?msg} ${x?m}', '(echo ${x-d} ${x:=d} ${x=d} ${x:+a} ${x+a} ${x:?msg} ${x?m})'],
  ['echo ${#x} ${#} ${#@}', '(echo ${#x} ${#} ${#@})'],
  ['echo ${x%.*} ${x%%/*} ${x#*/} ${x##*/}', '(echo ${x%.*} ${x%%/*} ${x#*/} ${x##*/})'],
  ['echo ${x:-"a b"} ${x:-$y}', '(echo ${x:-"a b"} ${x:-${y}})'],
  ['echo "${x:-a b}"', '(echo "${x:-a b}")'],
  ['echo ${x:-\\}}', '(echo ${x:-\\}})'],
  ['echo ${x:-${y:-z}}', '(echo ${x:-${y:-z}})'],
  ['echo $x_1-$y', '(echo ${x_1}-${y})'],
  // Command substitution and arithmetic.
  ['echo $(date)', '(echo $[(date)])'],
  ['echo "$(echo "in")"', '(echo "$[(echo "in")]")'],
  ['echo $(echo a | tr a b)', '(echo $[(echo a) | (tr a b)])'],
  ['echo $(case x in x) echo y;; esac)', '(echo $[case x x=>[(echo y)]])'],
  ['echo $( (sub) )', '(echo $[sub[(sub)]])'],
  ['echo `date` "`echo a`"', '(echo `(date)` "`(echo a)`")'],
  ['echo `echo \\`echo in\\``', '(echo `(echo `(echo in)`)`)'],
  ['echo $(echo $(echo deep))', '(echo $[(echo $[(echo deep)])])'],
  ['echo $((1 + 2 * 3))', '(echo $((1 + 2 * 3)))'],
  ['echo $(( (1+2) * $x ))', '(echo $(( (1+2) * ${x} )))'],
  ['echo $((x > 1 && y < 2))', '(echo $((x > 1 && y < 2)))'],
  // Tilde.
  ['echo ~ ~/x ~root/y a~', '(echo ~{} ~{}/x ~{root}/y a~)'],
  ['echo "~" \\~ ~"x"', '(echo "~" \\~ ~"x")'],
  ['X=~/bin cmd', '(X=~{}/bin cmd)'],
  // Assignments.
  ['a=1', '(a=1)'],
  ['a=1 b= c="x y" cmd arg', '(a=1 b= c="x y" cmd arg)'],
  ['echo a=1', '(echo a=1)'],
  ['1a=x', '(1a=x)'],
  ['a=$(echo x)y', '(a=$[(echo x)]y)'],
  ['"a"=1', '("a"=1)'],
  // Pipelines and lists.
  ['a | b | c', '(a) | (b) | (c)'],
  ['! a | b', '! (a) | (b)'],
  ['a && b || c', '(a) && (b) || (c)'],
  ['a &&\n b ||\n\n c', '(a) && (b) || (c)'],
  ['a |\n b', '(a) | (b)'],
  ['a; b; c', '(a); (b); (c)'],
  ['a & b &', '(a) &; (b) &'],
  ['a\nb\n\nc', '(a); (b); (c)'],
  ['a;', '(a)'],
  ['a && b &', '(a) && (b) &'],
  // Compound commands.
  ['(a; b)', 'sub[(a); (b)]'],
  ['( a\n b )', 'sub[(a); (b)]'],
  ['{ a; b; }', '{(a); (b)}'],
  ['{ a\n}', '{(a)}'],
  ['if a; then b; fi', 'if[(a)]then[(b)]'],
  ['if a; then b; elif c; then d; else e; fi', 'if[(a)]then[(b)]elif[(c)]then[(d)]else[(e)]'],
  ['if a\nthen\n b\nfi', 'if[(a)]then[(b)]'],
  ['if ! a && b; then :; fi', 'if[! (a) && (b)]then[(:)]'],
  ['while a; do b; done', 'while[(a)]do[(b)]'],
  ['until a; do b; done', 'until[(a)]do[(b)]'],
  ['while read l; do echo $l; done < f', 'while[(read l)]do[(echo ${l})] <f'],
  ['for x in a b c; do echo $x; done', 'for x in(a b c) do[(echo ${x})]'],
  ['for x in; do a; done', 'for x in() do[(a)]'],
  ['for x\ndo a\ndone', 'for x do[(a)]'],
  ['for x; do a; done', 'for x do[(a)]'],
  ['for x in *.txt\ndo\n a\ndone', 'for x in(*.txt) do[(a)]'],
  ['case $x in a) echo a;; b|c) echo bc;; *) ;; esac', 'case ${x} a=>[(echo a)] b|c=>[(echo bc)] *=>[]'],
  ['case x in (a) x;; esac', 'case x a=>[(x)]'],
  ['case x in\n a)\n  x\n  ;;\n b) y\nesac', 'case x a=>[(x)] b=>[(y)]'],
  ['case x in esac', 'case x '],
  ['case "$x" in "a b") y;; esac', 'case "${x}" "a b"=>[(y)]'],
  ['f() { echo f; }', 'fn f {(echo f)}'],
  ['f () { a; }', 'fn f {(a)}'],
  ['f()\n{\n a\n}', 'fn f {(a)}'],
  ['f() ( a )', 'fn f sub[(a)]'],
  ['f() if a; then b; fi', 'fn f if[(a)]then[(b)]'],
  ['if a; then b; fi > out 2>&1', 'if[(a)]then[(b)] >out 2>&1'],
  ['{ a; } | b', '{(a)} | (b)'],
  ['echo if then fi', '(echo if then fi)'],
  ['if if a; then b; fi; then c; fi', 'if[if[(a)]then[(b)]]then[(c)]'],
  // Redirections.
  ['echo a > f', '(echo a >f)'],
  ['echo a >f 2>&1 <in', '(echo a >f 2>&1 <in)'],
  ['cmd >> f 2> err < in <> rw >| clob', '(cmd >>f 2>err <in <>rw >|clob)'],
  ['cmd 2>/dev/null >&2 1>&- 0<&3', '(cmd 2>/dev/null >&2 1>&- 0<&3)'],
  ['>f', '(>f)'],
  ['> f echo a', '(echo a >f)'],
  ['echo 2>f', '(echo 2>f)'],
  ['echo 2 >f', '(echo 2 >f)'],
  ['echo a>"f g"', '(echo a >"f g")'],
  // Here-docs.
  ['cat <<EOF\nhello $x\nEOF', '(cat <<EOF{hello ${x}\n})'],
  ["cat <<'EOF'\nhello $x\nEOF", "(cat <<'EOF'Q{'hello $x\n'})"],
  ['cat <<"EOF"\n$x\nEOF', '(cat <<"EOF"Q{\'$x\n\'})'],
  ['cat <<\\EOF\n$x\nEOF', "(cat <<\\EOFQ{'$x\n'})"],
  ['cat <<-EOF\n\tindented\n\tEOF', '(cat <<-EOF{indented\n})'],
  ['cat <<EOF\nEOF', '(cat <<EOF{})'],
  ['cat <<A <<B\na\nA\nb\nB', '(cat <<A{a\n} <<B{b\n})'],
  ['cat <<EOF | tr a b\nabc\nEOF\necho after', '(cat <<EOF{abc\n}) | (tr a b); (echo after)'],
  ['cat <<EOF\n"quoted" \\$x \\y $(echo s)\nEOF', '(cat <<EOF{"quoted" $x \\y $[(echo s)]\n})'],
  ['f() { cat <<EOF\nin f\nEOF\n}', 'fn f {(cat <<EOF{in f\n})}'],
  ['cat <<EOF; echo next\nbody\nEOF', '(cat <<EOF{body\n}); (echo next)'],
  ['cat <<EOF\nunterminated', '(cat <<EOF{unterminated})'],
  ['cat << EOF\n  EOF\nEOF', '(cat <<EOF{  EOF\n})'],
];

describe('shell grammar', () => {
  it.each(GRAMMAR)('%j', (src, expected) => {
    expect(renderScript(parseScript(src))).toBe(expected);
  });

  it('keeps here-doc flags and the fd on the Redirection node', () => {
    const s = parseScript("cat 3<<-'E'\n\tx\n\tE");
    const cmd = s.body[0].first.commands[0] as SimpleCommand;
    expect(cmd.redirections[0]).toEqual({
      type: 'Redirection',
      fd: 3,
      operator: '<<-',
      target: { type: 'Word', parts: [{ type: 'SingleQuoted', value: 'E' }] },
      heredoc: { body: { type: 'Word', parts: [{ type: 'SingleQuoted', value: 'x\n' }] }, quoted: true, strip: true },
    });
  });

  it('records line numbers of statements and commands', () => {
    const s = parseScript('a\n\nb; c\n# x\nif d\nthen e\nfi');
    expect(s.body.map((st) => st.line)).toEqual([1, 3, 3, 5]);
  });

  it('parses a short script in tens of microseconds', () => {
    const src = 'for f in *.txt; do if [ -s "$f" ]; then cat "$f" | wc -l > "${f%.txt}.n"; fi; done';
    for (let i = 0; i < 200; i++) parseScript(src);
    const t0 = performance.now();
    const n = 2000;
    for (let i = 0; i < n; i++) parseScript(src);
    const us = ((performance.now() - t0) / n) * 1000;
    // Generous bound: the point is to catch an accidental quadratic, not to benchmark.
    expect(us).toBeLessThan(500);
  });
});

const ERRORS: [string, number, string, boolean][] = [
  // source, line, message detail, incomplete
  ['fi', 1, "syntax error near unexpected token 'fi'", false],
  ['if true; then fi', 1, "syntax error near unexpected token 'fi'", false],
  ['echo a; ;', 1, "syntax error near unexpected token ';'", false],
  ['a |;', 1, "syntax error near unexpected token ';'", false],
  [')', 1, "syntax error near unexpected token ')'", false],
  ['a && || b', 1, "syntax error near unexpected token '||'", false],
  ['echo a\n\ndone', 3, "syntax error near unexpected token 'done'", false],
  ['{ }', 1, "syntax error near unexpected token '}'", false],
  ['for 1 in a; do b; done', 1, "syntax error near unexpected token '1'", false],
  ['case x in a) b;; c d) e;; esac', 1, "syntax error near unexpected token 'd'", false],
  ['echo >', 1, "syntax error near unexpected token 'newline'", false],
  ['echo > ;', 1, "syntax error near unexpected token ';'", false],
  ['f() echo', 1, "syntax error near unexpected token 'echo'", false],
  ['echo ${x!y}', 1, 'syntax error: bad substitution', false],
  ['(a) b', 1, "syntax error near unexpected token 'b'", false],
  ['if true', 1, 'syntax error: unexpected end of file', true],
  ['if true; then', 1, 'syntax error: unexpected end of file', true],
  ['while a; do b', 1, 'syntax error: unexpected end of file', true],
  ['echo "abc', 1, 'syntax error: unterminated quoted string', true],
  ["echo 'abc\n\n", 1, 'syntax error: unterminated quoted string', true],
  ['a &&', 1, 'syntax error: unexpected end of file', true],
  ['a |', 1, 'syntax error: unexpected end of file', true],
  ['echo $(a', 1, "syntax error: unexpected end of file while looking for matching ')'", true],
  ['echo `a', 1, 'syntax error: unterminated command substitution', true],
  ['echo ${x', 1, "syntax error: missing '}'", true],
  ['{ a;', 1, 'syntax error: unexpected end of file', true],
  ['case x in', 1, 'syntax error: unexpected end of file', true],
];

describe('shell syntax errors', () => {
  it.each(ERRORS)('%j', (src, line, detail, incomplete) => {
    let err: unknown;
    try {
      parseScript(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShellSyntaxError);
    const e = err as ShellSyntaxError;
    expect(e.message).toBe(`sh: line ${line}: ${detail}`);
    expect(e.line).toBe(line);
    expect(e.incomplete).toBe(incomplete);
  });

  it('treats an unterminated here-doc as incomplete only when asked (interactive input)', () => {
    expect(() => parseScript('cat <<EOF\nabc')).not.toThrow();
    expect(() => parseScript('cat <<EOF\nabc', { strictHeredoc: true })).toThrow(ShellSyntaxError);
    try {
      parseScript('cat <<EOF\nabc', { strictHeredoc: true });
    } catch (e) {
      expect((e as ShellSyntaxError).incomplete).toBe(true);
    }
  });

  it('reports a given first line number', () => {
    expect(() => parseScript('a\nfi', { firstLine: 10 })).toThrow('sh: line 11: syntax error');
  });

  it('refuses absurd nesting with a syntax error rather than a stack overflow', () => {
    expect(() => parseScript('('.repeat(5000))).toThrow(ShellSyntaxError);
    expect(() => parseScript('$('.repeat(5000))).toThrow(ShellSyntaxError);
    expect(() => parseScript('echo ' + '"$('.repeat(3000))).toThrow(ShellSyntaxError);
  });
});

describe('parser robustness (property)', () => {
  const alphabet = [...'abcdefxyz019 \t\n;&|()<>{}[]!$`\'"\\#*?~=-+%:/@.,'];
  const shellish = fc.array(fc.constantFrom(...alphabet, 'if ', 'then ', 'fi', 'do ', 'done', 'case ', ' in ', 'esac', ';;', '<<EOF\n', '\nEOF\n', '$((', '))', '${', '$('), { maxLength: 40 }).map((a) => a.join(''));

  it('only ever throws ShellSyntaxError on shell-like input', () => {
    fc.assert(
      fc.property(shellish, (src) => {
        try {
          parseScript(src);
        } catch (e) {
          if (!(e instanceof ShellSyntaxError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('only ever throws ShellSyntaxError on arbitrary unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (src) => {
        try {
          parseScript(src);
        } catch (e) {
          if (!(e instanceof ShellSyntaxError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
