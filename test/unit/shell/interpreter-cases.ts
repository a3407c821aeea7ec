// The behaviour table of the built-in shell: script → stdout, stderr, status. External
// commands are only common ones (cat, wc, tr, sort, head, yes, grep, ls, env, sh), so the same
// table can run against the fake programs of fake-host.ts and against real toolbox programs.

export interface ShellCase {
  name: string;
  script: string;
  stdout?: string;
  /** Exact stderr; undefined means "must be empty" unless stderrMatch is given. */
  stderr?: string;
  stderrMatch?: RegExp;
  status?: number;
  /** Files created before the run (path → content). */
  files?: Record<string, string>;
  stdin?: string;
  cwd?: string;
  /** Uses a program only the fake host has. */
  fakeOnly?: boolean;
}

export const SHELL_CASES: ShellCase[] = [
  // ---- echo, quoting, words ----
  { name: 'echo', script: 'echo hello world', stdout: 'hello world\n' },
  { name: 'echo -n', script: 'echo -n a; echo b', stdout: 'ab\n' },
  { name: 'echo -e escapes', script: 'echo -e "a\\tb\\nc"', stdout: 'a\tb\nc\n' },
  { name: 'echo without -e keeps backslashes', script: 'echo "a\\tb"', stdout: 'a\\tb\n' },
  { name: 'echo -e \\c stops output', script: 'echo -e "ab\\cde"; echo x', stdout: 'abx\n' },
  { name: 'single quotes are literal', script: "x=1; echo '$x \"y\" \\n'", stdout: '$x "y" \\n\n' },
  { name: 'double quotes expand', script: 'x=1; echo "x=$x \'y\'"', stdout: "x=1 'y'\n" },
  { name: 'backslash outside quotes', script: 'echo \\$x \\"q\\" a\\ b', stdout: '$x "q" a b\n' },
  { name: 'backslash in double quotes', script: 'echo "a\\$b \\" \\\\ \\z"', stdout: 'a$b " \\ \\z\n' },
  { name: 'adjacent quoting concatenates', script: "echo a'b'\"c\"d", stdout: 'abcd\n' },
  { name: 'empty quoted argument is kept', script: 'printf "[%s]\\n" "" a \'\'', stdout: '[]\n[a]\n[]\n' },
  { name: 'comments', script: 'echo a # not this\n# nor this\necho b#c', stdout: 'a\nb#c\n' },
  { name: 'line continuation', script: 'echo a \\\nb', stdout: 'a b\n' },
  { name: 'semicolons and newlines', script: 'echo a; echo b\necho c', stdout: 'a\nb\nc\n' },

  // ---- variables and parameters ----
  { name: 'assignment and expansion', script: 'x=hello; echo $x ${x}!', stdout: 'hello hello!\n' },
  { name: 'unset variable is empty', script: 'echo "[$nope]"', stdout: '[]\n' },
  { name: 'default word is split unless quoted', script: 'printf "[%s]" ${x:-"a b"} ${x:-a b} "${x:-a b}"; echo', stdout: '[a b][a][b][a b]\n' },
  { name: 'write to a closed fd fails the builtin only', script: 'echo a >&-; echo "status $?"', stdout: 'status 1\n', stderr: 'sh: echo: write error: Bad file descriptor\n' },
  { name: 'default value', script: 'echo ${x:-def} ${x-def2}; x=; echo ${x:-def} "${x-def2}"', stdout: 'def def2\ndef \n' },
  { name: 'assign default', script: 'echo ${x:=set}; echo $x', stdout: 'set\nset\n' },
  { name: 'alternative value', script: 'x=1; echo ${x:+alt} "${y:+alt}"', stdout: 'alt \n' },
  { name: 'error if unset', script: 'echo ${x:?is required}; echo after', stderr: 'sh: line 1: x: is required\n', status: 2 },
  { name: 'length', script: 'x=hello; echo ${#x}', stdout: '5\n' },
  { name: 'prefix and suffix removal', script: 'p=/a/b/c.tar.gz; echo ${p#*/} ${p##*/} ${p%.*} ${p%%.*}', stdout: 'a/b/c.tar.gz c.tar.gz /a/b/c.tar /a/b/c\n' },
  { name: 'quoted pattern in removal is literal', script: 'x="a*b"; echo ${x#"a*"} ${x#a*}', stdout: 'b *b\n' },
  { name: 'positional parameters', script: 'set -- a "b c" d; echo $# $1 "$2" $3', stdout: '3 a b c d\n' },
  { name: '"$@" keeps words', script: 'set -- a "b c"; printf "[%s]\\n" "$@"', stdout: '[a]\n[b c]\n' },
  { name: '"$*" joins with IFS', script: 'set -- a "b c"; IFS=,; echo "$*"', stdout: 'a,b c\n' },
  { name: '"$@" with no parameters is no word', script: 'set --; printf "[%s]\\n" "$@" x', stdout: '[x]\n' },
  { name: 'shift', script: 'set -- a b c; shift; echo $@; shift 2; echo $#', stdout: 'b c\n0\n' },
  { name: 'shift too far', script: 'set -- a; shift 2; echo $?', stdout: '1\n', stderr: 'sh: shift: shift count out of range\n' },
  { name: '$? of last command', script: 'false; echo $?; true; echo $?', stdout: '1\n0\n' },
  { name: '$0', script: 'echo $0', stdout: 'sh\n' },
  { name: '$$ is a number', script: 'case $$ in *[!0-9]*) echo bad;; *) echo ok;; esac', stdout: 'ok\n' },
  { name: 'prefix assignment only for the command', script: 'x=outer; x=inner sh -c \'echo $x\'; echo $x', stdout: 'inner\nouter\n' },
  { name: 'export reaches programs', script: 'export FOO=bar; env | grep FOO', stdout: 'FOO=bar\n' },
  { name: 'unexported variable does not reach programs', script: 'FOO=bar; env | grep -c FOO', stdout: '0\n', status: 1 },
  { name: 'unset', script: 'x=1; unset x; echo "[${x-unset}]"', stdout: '[unset]\n' },
  { name: 'readonly', script: 'readonly r=1; echo $r; r=2; echo not-reached', stdout: '1\n', stderr: 'sh: line 1: r: readonly variable\n', status: 1 },
  { name: 'set -u fails on unset', script: 'set -u; echo $nope; echo after', stderr: 'sh: line 1: nope: parameter not set\n', status: 2 },
  { name: 'set -u allows defaults', script: 'set -u; echo ${nope:-ok}', stdout: 'ok\n' },
  { name: 'tilde', script: 'echo ~ ~/x "~"', stdout: '/root /root/x ~\n' },
  { name: 'assignment keeps spaces without splitting', script: 'x="a   b"; y=$x; echo "$y"', stdout: 'a   b\n' },

  // ---- field splitting and globbing ----
  { name: 'field splitting of unquoted expansion', script: 'x="a  b   c"; printf "[%s]" $x; echo', stdout: '[a][b][c]\n' },
  { name: 'no splitting in double quotes', script: 'x="a  b"; printf "[%s]" "$x"; echo', stdout: '[a  b]\n' },
  { name: 'custom IFS', script: 'x=a:b::c; IFS=:; printf "[%s]" $x; echo', stdout: '[a][b][][c]\n' },
  { name: 'empty unquoted expansion vanishes', script: 'x=; printf "[%s]" a $x b; echo', stdout: '[a][b]\n' },
  { name: 'literal text is not split', script: 'IFS=a; printf "[%s]" banana; echo', stdout: '[banana]\n' },
  { name: 'glob star', script: 'cd /d; echo *.txt', files: { '/d/a.txt': '', '/d/b.txt': '', '/d/c.md': '' }, stdout: 'a.txt b.txt\n' },
  { name: 'glob question and bracket', script: 'cd /d; echo ?.md [ab].txt [!a].txt', files: { '/d/a.txt': '', '/d/b.txt': '', '/d/c.md': '' }, stdout: 'c.md a.txt b.txt b.txt\n' },
  { name: 'glob with no match stays literal', script: 'cd /d; echo *.none', files: { '/d/a': '' }, stdout: '*.none\n' },
  { name: 'quoted glob is literal', script: 'cd /d; echo "*" \'*\' \\*', files: { '/d/a': '' }, stdout: '* * *\n' },
  { name: 'glob skips dot files', script: 'cd /d; echo * .*', files: { '/d/.hidden': '', '/d/v': '' }, stdout: 'v .hidden\n' },
  { name: 'glob across directories, sorted', script: 'echo /g/*/f', files: { '/g/b/f': '', '/g/a/f': '', '/g/c/x': '' }, stdout: '/g/a/f /g/b/f\n' },
  { name: 'glob from a variable', script: 'cd /d; p="*.txt"; echo $p "$p"', files: { '/d/a.txt': '' }, stdout: 'a.txt *.txt\n' },
  { name: 'set -f disables globbing', script: 'cd /d; set -f; echo *', files: { '/d/a': '' }, stdout: '*\n' },

  // ---- command substitution and arithmetic ----
  { name: 'command substitution', script: 'x=$(echo hi); echo "[$x]"', stdout: '[hi]\n' },
  { name: 'substitution strips trailing newlines only', script: 'x="$(printf "\\n a \\n\\n\\n")"; echo "[$x]"', stdout: '[\n a ]\n' },
  { name: 'backticks', script: 'echo `echo a` "`echo b`"', stdout: 'a b\n' },
  { name: 'nested substitution', script: 'echo $(echo $(echo deep))', stdout: 'deep\n' },
  { name: 'substitution runs in a subshell', script: 'x=1; y=$(x=2; echo $x); echo $x $y', stdout: '1 2\n' },
  { name: 'status of an assignment with substitution', script: 'x=$(false); echo $?', stdout: '1\n' },
  { name: 'unquoted substitution is split', script: 'printf "[%s]" $(echo a b); echo', stdout: '[a][b]\n' },
  { name: 'arithmetic', script: 'echo $((1 + 2 * 3)) $(( (1+2) * 3 )) $((7 / 2)) $((7 % 3)) $((-5 + 2))', stdout: '7 9 3 1 -3\n' },
  { name: 'arithmetic with variables', script: 'x=5; y=x; echo $((x * 2)) $(($x + 1)) $((y + 1))', stdout: '10 6 6\n' },
  { name: 'arithmetic comparisons and logic', script: 'echo $((3 > 2)) $((3 <= 2)) $((1 && 0)) $((1 || 0)) $((!0)) $((2 == 2 ? 10 : 20))', stdout: '1 0 0 1 1 10\n' },
  { name: 'arithmetic assignment', script: 'i=0; : $((i += 5)) $((i++)); echo $i', stdout: '6\n' },
  { name: 'arithmetic hex, octal, power, shift', script: 'echo $((0x10)) $((010)) $((2 ** 10)) $((1 << 4))', stdout: '16 8 1024 16\n' },
  { name: 'division by zero', script: 'echo $((1 / 0)); echo after', stderrMatch: /division by 0/, status: 2 },

  // ---- pipelines ----
  { name: 'pipeline', script: 'echo hello | tr a-z A-Z', stdout: 'HELLO\n' },
  { name: 'three stages', script: 'printf "b\\na\\nc\\n" | sort | head -n 2', stdout: 'a\nb\n' },
  { name: 'pipeline status is the last stage', script: 'false | true; echo $?; true | false; echo $?', stdout: '0\n1\n' },
  { name: 'pipefail', script: 'set -o pipefail; false | true; echo $?', stdout: '1\n' },
  { name: 'negated pipeline', script: '! false; echo $?; ! true; echo $?', stdout: '0\n1\n' },
  { name: 'yes | head ends', script: 'yes | head -n 3', stdout: 'y\ny\ny\n' },
  { name: 'builtin loop into a full pipe ends', script: 'while true; do echo yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy; done | head -n 1', stdout: 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n' },
  { name: 'pipeline stages are subshells', script: 'x=1; echo 2 | read x; echo $x', stdout: '1\n' },
  { name: 'wc -l on a pipe', script: 'printf "a\\nb\\nc\\n" | wc -l', stdout: '3\n' },
  { name: 'grep in a pipeline', script: 'printf "apple\\nbanana\\ncherry\\n" | grep an', stdout: 'banana\n' },
  { name: 'stderr is not piped', script: 'sh -c "echo out; echo err >&2" | tr a-z A-Z', stdout: 'OUT\n', stderr: 'err\n' },
  { name: '2>&1 into a pipe', script: 'sh -c "echo err >&2" 2>&1 | tr a-z A-Z', stdout: 'ERR\n' },
  { name: 'function in a pipeline', script: 'f() { echo from-f; }; f | tr f F', stdout: 'From-F\n' },
  { name: 'brace group in a pipeline', script: '{ echo b; echo a; } | sort', stdout: 'a\nb\n' },

  // ---- and-or lists ----
  { name: '&& and ||', script: 'true && echo a; false && echo b; false || echo c; true || echo d', stdout: 'a\nc\n' },
  { name: 'chains', script: 'false && echo no || echo yes', stdout: 'yes\n' },
  { name: 'background runs and sets $!', script: 'echo bg & wait $!; echo "status $?"; case $! in [0-9]*) echo pid;; esac', stdout: 'bg\nstatus 0\npid\n' },

  // ---- redirections ----
  { name: '> and <', script: 'echo data > /tmp/f; cat < /tmp/f', stdout: 'data\n' },
  { name: '>> appends', script: 'echo a > /tmp/f; echo b >> /tmp/f; cat /tmp/f', stdout: 'a\nb\n' },
  { name: '> truncates', script: 'echo long-line > /tmp/f; echo s > /tmp/f; cat /tmp/f', stdout: 's\n' },
  { name: '2> to a file', script: 'sh -c "echo e >&2" 2> /tmp/err; echo "[$(cat /tmp/err)]"', stdout: '[e]\n' },
  { name: '2>/dev/null', script: 'cat /nope 2>/dev/null; echo $?', stdout: '1\n' },
  { name: '>/dev/null', script: 'echo gone > /dev/null; echo kept', stdout: 'kept\n' },
  { name: '>&2', script: 'echo to-err >&2', stderr: 'to-err\n' },
  { name: '2>&1 order matters', script: '{ echo o; echo e >&2; } > /tmp/f 2>&1; cat /tmp/f', stdout: 'o\ne\n' },
  { name: 'relative path redirect uses cwd', script: 'cd /tmp; echo x > rel; cat /tmp/rel', stdout: 'x\n' },
  { name: 'missing input file', script: 'cat < /nope; echo $?', stdout: '1\n', stderr: 'sh: /nope: No such file or directory\n' },
  { name: 'redirect into a missing directory', script: 'echo x > /no/dir/f', stderr: 'sh: /no/dir/f: No such file or directory\n', status: 1 },
  { name: 'redirect on a compound command', script: 'for i in 1 2; do echo $i; done > /tmp/f; cat /tmp/f', stdout: '1\n2\n' },
  { name: 'while read from a file', script: 'while read l; do echo "<$l>"; done < /tmp/in', files: { '/tmp/in': 'a\nb c\n' }, stdout: '<a>\n<b c>\n' },
  { name: 'exec redirections persist', script: 'exec > /tmp/f; echo one; echo two; exec >&2; cat /tmp/f', stderr: 'one\ntwo\n' },
  { name: 'noclobber', script: 'echo a > /tmp/f; set -C; echo b > /tmp/f; echo c >| /tmp/f; cat /tmp/f', stdout: 'c\n', stderr: 'sh: /tmp/f: cannot overwrite existing file\n' },
  { name: '<> opens read-write', script: 'echo abc > /tmp/f; cat <> /tmp/f', stdout: 'abc\n' },
  { name: 'bad fd dup', script: 'echo x >&7; echo $?', stdout: '1\n', stderr: 'sh: 7: Bad file descriptor\n' },
  { name: 'redirection only creates the file', script: '> /tmp/empty; wc -c < /tmp/empty', stdout: '0\n' },

  // ---- here-docs ----
  { name: 'here-doc expands', script: 'x=World; cat <<EOF\nHello $x\n$(echo sub) $((1+1))\nEOF', stdout: 'Hello World\nsub 2\n' },
  { name: 'quoted here-doc is literal', script: "x=World; cat <<'EOF'\nHello $x `no`\nEOF", stdout: 'Hello $x `no`\n' },
  { name: '<<- strips tabs', script: 'cat <<-EOF\n\t\tindented\n\tEOF\necho after', stdout: 'indented\nafter\n' },
  { name: 'two here-docs on one line', script: 'cat <<A; cat <<B\nfirst\nA\nsecond\nB', stdout: 'first\nsecond\n' },
  { name: 'here-doc into a pipeline', script: 'cat <<EOF | tr a-z A-Z\nshout\nEOF', stdout: 'SHOUT\n' },
  { name: 'here-doc to read', script: 'read a b <<EOF\none two three\nEOF\necho "$a|$b"', stdout: 'one|two three\n' },
  { name: 'here-doc in a function', script: 'f() {\ncat <<EOF\nin $1\nEOF\n}\nf arg', stdout: 'in arg\n' },
  { name: 'here-doc backslashes', script: 'cat <<EOF\na\\$b \\\\ \\n\nEOF', stdout: 'a$b \\ \\n\n' },

  // ---- control flow ----
  { name: 'if/elif/else', script: 'for v in 1 2 3; do if [ $v = 1 ]; then echo one; elif [ $v = 2 ]; then echo two; else echo other; fi; done', stdout: 'one\ntwo\nother\n' },
  { name: 'if status with no branch taken', script: 'if false; then :; fi; echo $?', stdout: '0\n' },
  { name: 'while loop', script: 'i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done', stdout: '0\n1\n2\n' },
  { name: 'until loop', script: 'i=0; until [ $i -ge 2 ]; do echo $i; i=$((i+1)); done', stdout: '0\n1\n' },
  { name: 'for over words', script: 'for w in a "b c" d; do echo "<$w>"; done', stdout: '<a>\n<b c>\n<d>\n' },
  { name: 'for over "$@"', script: 'set -- x "y z"; for a; do echo "<$a>"; done', stdout: '<x>\n<y z>\n' },
  { name: 'for over a glob', script: 'for f in /d/*; do echo $f; done', files: { '/d/2': '', '/d/1': '' }, stdout: '/d/1\n/d/2\n' },
  { name: 'break and continue', script: 'for i in 1 2 3 4 5; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done', stdout: '1\n3\n' },
  { name: 'break 2', script: 'for a in 1 2; do for b in x y; do echo $a$b; break 2; done; done; echo end', stdout: '1x\nend\n' },
  { name: 'case patterns', script: 'for w in apple banana cherry 42 ""; do case $w in a*) echo A;; *an*) echo AN;; [0-9]*) echo NUM;; "") echo EMPTY;; *) echo OTHER;; esac; done', stdout: 'A\nAN\nOTHER\nNUM\nEMPTY\n' },
  { name: 'case with alternatives and quoted pattern', script: 'x="*"; case $x in a|b) echo ab;; "*") echo star;; esac', stdout: 'star\n' },
  { name: 'case with no match', script: 'case z in a) echo a;; esac; echo $?', stdout: '0\n' },
  { name: 'subshell isolates state', script: 'x=1; (x=2; cd /tmp; echo $x $PWD); echo $x $PWD', stdout: '2 /tmp\n1 /\n' },
  { name: 'subshell exit', script: '(exit 3); echo $?', stdout: '3\n' },
  { name: 'brace group shares state', script: 'x=1; { x=2; }; echo $x', stdout: '2\n' },

  // ---- functions ----
  { name: 'function with args and return', script: 'f() { echo "f:$1:$#"; return 3; }; f a b; echo $?', stdout: 'f:a:2\n3\n' },
  { name: 'function positional restore', script: 'set -- outer; f() { echo $1; }; f inner; echo $1', stdout: 'inner\nouter\n' },
  { name: 'local variables', script: 'x=global; f() { local x=local; echo $x; }; f; echo $x', stdout: 'local\nglobal\n' },
  { name: 'functions see globals and set them', script: 'f() { y=set-in-f; }; f; echo $y', stdout: 'set-in-f\n' },
  { name: 'recursion', script: 'fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1 - 1))) )); fi; }; fact 5', stdout: '120\n' },
  { name: 'return outside a function', script: 'return 1; echo after', stdout: 'after\n', stderr: "sh: return: can only 'return' from a function or sourced script\n" },
  { name: 'function overrides a program, command bypasses', script: 'cat() { echo fake; }; cat; command cat <<EOF\nreal\nEOF', stdout: 'fake\nreal\n' },
  { name: 'unset -f', script: 'f() { echo f; }; unset -f f; f', stderr: 'sh: f: not found\n', status: 127 },

  { name: 'runaway recursion is an error, not a crash', script: 'f() { f; }; f; echo not-reached', stderr: 'sh: line 1: f: maximum nesting level exceeded (200)\n', status: 2 },
  { name: 'runaway eval recursion', script: 'x=\'eval "$x"\'; eval "$x"', stderr: 'sh: line 1: eval: maximum nesting level exceeded (200)\n', status: 2 },

  // ---- set -e ----
  { name: 'set -e exits on failure', script: 'set -e; echo a; false; echo b', stdout: 'a\n', status: 1 },
  { name: 'set -e ignores conditions', script: 'set -e; if false; then :; fi; while false; do :; done; false || true; ! true; echo ok', stdout: 'ok\n' },
  { name: 'set -e ignores && left side', script: 'set -e; false && echo no; echo ok', stdout: 'ok\n' },
  { name: 'set -e on the last part of &&', script: 'set -e; true && false; echo no', status: 1 },
  { name: 'set -e with a failing program', script: 'set -e; grep -q x /etc/none; echo no', status: 2, stderr: 'grep: /etc/none: No such file or directory\n' },
  { name: 'set -e in a function', script: 'set -e; f() { false; echo no; }; f; echo no2', status: 1 },
  { name: 'set -e not in a function used as condition', script: 'set -e; f() { false; echo in-f; }; if f; then echo then; fi', stdout: 'in-f\nthen\n' },
  { name: 'set +e', script: 'set -e; set +e; false; echo ok', stdout: 'ok\n' },
  { name: 'set -x traces', script: 'set -x; echo "a b" c', stdout: 'a b c\n', stderr: "+ echo 'a b' c\n" },

  // ---- builtins ----
  { name: 'cd and pwd', script: 'cd /tmp; pwd; echo $PWD', stdout: '/tmp\n/tmp\n' },
  { name: 'cd - and OLDPWD', script: 'cd /tmp; cd /etc; cd -; echo $OLDPWD', stdout: '/tmp\n/etc\n' },
  { name: 'cd with no args goes HOME', script: 'cd; pwd', stdout: '/root\n' },
  { name: 'cd relative and ..', script: 'cd /tmp; mkdir_is_not_needed=1; cd ..; pwd; cd tmp; pwd', stdout: '/\n/tmp\n' },
  { name: 'cd to a missing dir', script: 'cd /nope; echo $?', stdout: '1\n', stderr: 'sh: cd: /nope: No such file or directory\n' },
  { name: 'cd to a file', script: 'cd /bin/cat', stderr: 'sh: cd: /bin/cat: Not a directory\n', status: 1 },
  { name: 'cwd reaches programs', script: 'cd /tmp; ls', files: { '/tmp/zz': '' }, stdout: 'zz\n' },
  { name: 'printf formats', script: 'printf "%s=%d|%5s|%-3s|%03d|%x|%%\\n" a 42 r l 7 255', stdout: 'a=42|    r|l  |007|ff|%\n' },
  { name: 'printf reuses the format', script: 'printf "%s-" a b c; echo', stdout: 'a-b-c-\n' },
  { name: 'printf %b', script: 'printf "%b|%s\\n" "a\\tb" "a\\tb"', stdout: 'a\tb|a\\tb\n' },
  { name: 'printf invalid number', script: 'printf "%d\\n" abc', stdout: '0\n', stderr: 'sh: printf: abc: invalid number\n', status: 1 },
  { name: 'test strings', script: '[ a = a ] && echo eq; [ a != b ] && echo ne; [ -z "" ] && echo z; [ -n x ] && echo n; [ x ] && echo nonempty; [ "" ] || echo empty', stdout: 'eq\nne\nz\nn\nnonempty\nempty\n' },
  { name: 'test numbers', script: '[ 2 -gt 1 ] && echo gt; [ 1 -le 1 ] && echo le; [ 3 -eq 4 ] || echo neq; test 5 -ne 5 || echo eq', stdout: 'gt\nle\nneq\neq\n' },
  { name: 'test files', script: '[ -e /tmp/f ] && echo e; [ -f /tmp/f ] && echo f; [ -d /tmp ] && echo d; [ -s /tmp/f ] && echo s; [ -s /tmp/empty ] || echo not-s; [ -e /nope ] || echo none; [ -x /bin/cat ] && echo x', files: { '/tmp/f': 'x', '/tmp/empty': '' }, stdout: 'e\nf\nd\ns\nnot-s\nnone\nx\n' },
  { name: 'test logic', script: '[ ! -e /nope ] && echo not; [ a = a -a b = b ] && echo and; [ a = b -o b = b ] && echo or; [ \\( a = a \\) ] && echo paren', stdout: 'not\nand\nor\nparen\n' },
  { name: 'test errors', script: '[ 1 -lt x ]; echo $?; [ a = a; echo $?', stdout: '2\n2\n', stderr: "sh: [: x: integer expression expected\nsh: [: missing ']'\n" },
  { name: 'read splits into names', script: 'echo "a b c d" | { read x y; echo "$x|$y"; }', stdout: 'a|b c d\n' },
  { name: 'read -r keeps backslashes', script: String.raw`printf 'a\\tb\n' | { read -r l; echo "$l"; }; printf 'a\\tb\n' | { read l; echo "$l"; }`, stdout: 'a\\tb\natb\n' },
  { name: 'read at EOF', script: 'read x < /dev/null; echo $? "[$x]"', stdout: '1 []\n' },
  { name: 'read from stdin leaves the rest', script: 'read first; echo "first=$first"; cat', stdin: 'l1\nl2\nl3\n', stdout: 'first=l1\nl2\nl3\n' },
  { name: 'read a last line without newline', script: 'printf "x" | { read v; echo "$? $v"; }', stdout: '1 x\n' },
  { name: 'read with IFS', script: 'echo "a:b:c" | { IFS=: read x y z; echo "$x $y $z"; }', stdout: 'a b c\n' },
  { name: 'command -v', script: 'command -v cat; command -v echo; f() { :; }; command -v f; command -v nope; echo $?', stdout: '/bin/cat\necho\nf\n1\n' },
  { name: 'type', script: 'type echo cat if; type nope', stdout: 'echo is a shell builtin\ncat is /bin/cat\nif is a shell keyword\n', stderr: 'sh: type: nope: not found\n', status: 1 },
  { name: 'eval', script: 'cmd="echo evaluated; x=5"; eval "$cmd"; echo $x', stdout: 'evaluated\n5\n' },
  { name: 'source', script: '. /tmp/lib.sh; greet you; echo $LIBVAR', files: { '/tmp/lib.sh': 'LIBVAR=loaded\ngreet() { echo "hi $1"; }\n' }, stdout: 'hi you\nloaded\n' },
  { name: 'source with return', script: '. /tmp/r.sh; echo "after $?"', files: { '/tmp/r.sh': 'echo in; return 4; echo not\n' }, stdout: 'in\nafter 4\n' },
  { name: 'exec a command', script: 'exec echo replaced; echo not-reached', stdout: 'replaced\n' },
  { name: 'exit with status', script: 'echo a; exit 3; echo b', stdout: 'a\n', status: 3 },
  { name: 'exit uses $?', script: 'false; exit', status: 1 },
  { name: 'trap EXIT', script: 'trap "echo bye" EXIT; echo hi; exit 2', stdout: 'hi\nbye\n', status: 2 },
  { name: 'trap EXIT at normal end', script: 'trap \'echo "end $?"\' EXIT; false', stdout: 'end 1\n', status: 1 },
  { name: 'umask', script: 'umask; umask 077; umask', stdout: '0022\n0077\n' },
  { name: 'getopts', script: 'set -- -a -b val -c rest; while getopts ab:c o; do echo "$o ${OPTARG-}"; done; shift $((OPTIND-1)); echo "$@"', stdout: 'a \nb val\nc \nrest\n' },
  { name: 'colon, true, false', script: ': ignored args; echo $?; false; echo $?', stdout: '0\n1\n' },
  { name: 'export -p lists', script: 'export A=1; export -p | grep "A="', stdout: "export A=1\n" },
  { name: 'set -- replaces parameters', script: 'set -- x y; echo $#; set --; echo $#', stdout: '2\n0\n' },

  // ---- commands found on PATH ----
  { name: 'not found', script: 'nosuchcmd arg', stderr: 'sh: nosuchcmd: not found\n', status: 127 },
  { name: 'not found then continue', script: 'nosuch; echo $?', stdout: '127\n', stderr: 'sh: nosuch: not found\n' },
  { name: 'path with a slash', script: '/bin/cat /tmp/f; ./cat 2>/dev/null; echo $?', files: { '/tmp/f': 'x\n' }, stdout: 'x\n127\n' },
  { name: 'relative path to a program', script: 'cd /bin; ./cat /tmp/f', files: { '/tmp/f': 'y\n' }, stdout: 'y\n' },
  { name: 'a directory is not a command', script: '/tmp', stderr: 'sh: /tmp: not found\n', status: 127 },
  { name: 'PATH is searched in order', script: 'PATH=/usr/bin:/bin; cat /tmp/f', files: { '/usr/bin/cat': '#!fake:head\n', '/tmp/f': '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n' }, stdout: '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n', fakeOnly: true },
  { name: 'empty PATH finds nothing', script: 'PATH=/none; cat', stderr: 'sh: cat: not found\n', status: 127 },
  { name: 'cannot execute', script: 'noexec', stderr: 'sh: noexec: cannot execute\n', status: 126, fakeOnly: true },
  { name: 'program status', script: 'sh -c "exit 7"; echo $?', stdout: '7\n' },
  { name: 'nested sh -c with args', script: 'sh -c \'echo "$0:$1:$#"\' name a b', stdout: 'name:a:2\n' },

  // ---- syntax errors ----
  { name: 'syntax error', script: 'echo a; if then', stderr: "sh: line 1: syntax error near unexpected token 'then'\n", status: 2 },
  { name: 'lines before a syntax error run', script: 'echo first\nfi\necho never', stdout: 'first\n', stderr: "sh: line 2: syntax error near unexpected token 'fi'\n", status: 2 },
  { name: 'a syntax error stops its whole line', script: 'echo a; echo b; (', stderr: 'sh: line 1: syntax error: unexpected end of file\n', status: 2 },
  { name: 'unterminated quote', script: 'echo "abc', stderr: 'sh: line 1: syntax error: unterminated quoted string\n', status: 2 },
  { name: 'eval syntax error does not stop the shell', script: 'eval "if"; echo $?', stdout: '2\n', stderr: 'sh: line 1: syntax error: unexpected end of file\n' },
];
