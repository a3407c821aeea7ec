// The built-in shell's behaviour table (interpreter-cases.ts) run against the fake programs of
// fake-host.ts, plus what a table cannot show: the EPIPE limit of pipes, interactive mode,
// runArgs, state kept between runs, and files left in the container.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Shell } from '../../../src/runner/shell/index.js';
import { Collector, StringInput, createFakeHost, runScript } from './fake-host.js';
import { SHELL_CASES } from './interpreter-cases.js';

describe('shell behaviour table', () => {
  it('has at least 100 cases', () => {
    expect(SHELL_CASES.length).toBeGreaterThanOrEqual(100);
  });

  it.each(SHELL_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = runScript(c.script, { files: c.files, stdin: c.stdin, cwd: c.cwd });
    expect({ stdout: r.stdout, status: r.status }).toEqual({ stdout: c.stdout ?? '', status: c.status ?? 0 });
    if (c.stderrMatch !== undefined) expect(r.stderr).toMatch(c.stderrMatch);
    else expect(r.stderr).toBe(c.stderr ?? '');
  });
});

describe('pipes', () => {
  it('gives the reader at most the buffer size and stops the writer with EPIPE', () => {
    const r = runScript('yes | wc -c', { pipeBufferBytes: 4096 });
    expect(r.stdout).toBe('4096\n');
    expect(r.status).toBe(0);
  });

  it('reports 141 (SIGPIPE) for a stopped writer under pipefail', () => {
    const r = runScript('set -o pipefail; yes | head -n 1; echo "status $?"', { pipeBufferBytes: 1024 });
    expect(r.stdout).toBe('y\nstatus 141\n');
  });

  it('passes output under the limit through unchanged', () => {
    const r = runScript('i=0; while [ $i -lt 500 ]; do echo line$i; i=$((i+1)); done | wc -l');
    expect(r.stdout).toBe('500\n');
  });
});

describe('Shell API', () => {
  it('keeps state between run() calls on one Shell', () => {
    const host = createFakeHost();
    const sh = new Shell(host, { env: ['PATH=/bin'] });
    const out = new Collector();
    const io = { stdin: new StringInput(''), stdout: out, stderr: new Collector() };
    sh.run('x=kept; cd /tmp; f() { echo "f $x"; }', io);
    expect(sh.run('f; pwd', io)).toBe(0);
    expect(out.text()).toBe('f kept\n/tmp\n');
    expect(sh.cwd).toBe('/tmp');
  });

  it('passes exported variables, argv and cwd to programs', () => {
    const host = createFakeHost();
    const sh = new Shell(host, { env: ['PATH=/bin', 'KEEP=1'], cwd: '/tmp' });
    const out = new Collector();
    sh.run('export NEW=2; LOCAL=3; ONLY=4 env', { stdin: new StringInput(''), stdout: out, stderr: new Collector() });
    expect(out.text()).toBe('KEEP=1\nNEW=2\nONLY=4\nPATH=/bin\nPWD=/tmp\n');
    expect(host.started).toEqual([['env']]);
  });

  it('leaves files written by redirections in the container', () => {
    const r = runScript('mkdir_not_needed=1; echo hello > /tmp/out.txt; echo more >> /tmp/out.txt');
    expect(new TextDecoder().decode(r.host.fs.readFile('/tmp/out.txt'))).toBe('hello\nmore\n');
  });

  it('creates files with the umask applied', () => {
    const r = runScript('umask 027; echo x > /tmp/m');
    expect(r.host.fs.stat('/tmp/m').mode & 0o777).toBe(0o640);
  });

  it('runs the same table entry twice with the same result (no global state)', () => {
    expect(runScript('echo $((1+1)) | tr 2 3').stdout).toBe('3\n');
    expect(runScript('echo $((1+1)) | tr 2 3').stdout).toBe('3\n');
  });
});

describe('runArgs (sh command line)', () => {
  const run = (argv: string[], stdin = '', files: Record<string, string> = {}) => {
    const host = createFakeHost(files);
    const out = new Collector();
    const err = new Collector();
    const status = new Shell(host, { env: ['PATH=/bin'] }).runArgs(argv, { stdin: new StringInput(stdin), stdout: out, stderr: err });
    return { status, stdout: out.text(), stderr: err.text() };
  };

  it('sh -c with $0 and arguments', () => {
    expect(run(['sh', '-c', 'echo "$0 $1 $#"', 'me', 'a', 'b'])).toEqual({ status: 0, stdout: 'me a 2\n', stderr: '' });
  });

  it('sh -ec sets options', () => {
    expect(run(['sh', '-ec', 'false; echo no']).status).toBe(1);
    expect(run(['sh', '-e', '-o', 'pipefail', '-c', 'false | true; echo no']).status).toBe(1);
  });

  it('sh script args', () => {
    expect(run(['sh', '/tmp/s.sh', 'x'], '', { '/tmp/s.sh': 'echo "script $0 $1"\n' }).stdout).toBe('script /tmp/s.sh x\n');
  });

  it('sh with a missing script', () => {
    expect(run(['sh', '/nope.sh'])).toEqual({ status: 127, stdout: '', stderr: 'sh: /nope.sh: No such file or directory\n' });
  });

  it('sh reads commands from stdin, one complete command at a time', () => {
    const r = run(['sh'], 'read line\nthis is data\necho "got $line"\nif true\nthen echo multi\nfi\n');
    expect(r).toEqual({ status: 0, stdout: 'got this is data\nmulti\n', stderr: '' });
  });

  it('sh -c without a command is a usage error', () => {
    expect(run(['sh', '-c'])).toEqual({ status: 2, stdout: '', stderr: 'sh: -c: option requires an argument\n' });
  });

  it('sh with a bad option', () => {
    expect(run(['sh', '-Q', '-c', 'echo']).status).toBe(2);
  });
});

describe('interactive mode', () => {
  const session = (input: string, options: { tty?: boolean; prompt?: string } = {}) => {
    const host = createFakeHost();
    const out = new Collector();
    const err = new Collector();
    const status = new Shell(host, { env: ['PATH=/bin'] }).runInteractive(
      { stdin: new StringInput(input, options.tty ?? true), stdout: out, stderr: err },
      { prompt: options.prompt },
    );
    return { status, stdout: out.text(), stderr: err.text() };
  };

  it('prompts on a TTY, runs each line, ends at EOF with the last status', () => {
    expect(session('echo a\nfalse\n')).toEqual({ status: 1, stdout: 'a\n', stderr: '# # # ' });
  });

  it('uses PS2 for continuation lines (open if, quote, here-doc, backslash)', () => {
    const r = session('if true\nthen echo yes\nfi\necho "a\nb"\ncat <<EOF\nhd\nEOF\necho x \\\ny\n');
    expect(r.stdout).toBe('yes\na\nb\nhd\nx y\n');
    expect(r.stderr).toBe('# > > # > # > > # > # ');
  });

  it('keeps going after a syntax error and after a failed expansion', () => {
    const r = session('fi\necho ${x:?oops}\necho still\n');
    expect(r.stdout).toBe('still\n');
    expect(r.stderr).toBe("# sh: line 1: syntax error near unexpected token 'fi'\n# sh: line 2: x: oops\n# # ");
  });

  it('exit ends the session', () => {
    expect(session('echo a\nexit 4\necho b\n')).toEqual({ status: 4, stdout: 'a\n', stderr: '# # ' });
  });

  it('honours PS1 and the prompt option', () => {
    expect(session('PS1="$ "\necho x\n').stderr).toBe('# $ $ ');
    expect(session('echo x\n', { prompt: '> ' }).stderr).toBe('> > ');
  });

  it('prints no prompt when stdin is not a terminal', () => {
    expect(session('echo a\n', { tty: false })).toEqual({ status: 0, stdout: 'a\n', stderr: '' });
  });

  it('runs the EXIT trap at the end of the session', () => {
    expect(session('trap "echo bye" EXIT\n', { tty: false }).stdout).toBe('bye\n');
  });
});

describe('interpreter robustness (property)', () => {
  // No `while`/`until` and no program names: every generated script terminates.
  const pieces = [...'abcdefxz019 \t\n;&|()<>{}[]!$`\'"\\#*?~=-+%:/@.,', 'if ', 'then ', 'fi', 'for i in 1 2; do ', 'done', 'case ', ' in ', 'esac', ';;', '<<E\n', '\nE\n', '$((', '))', '${', '$(', 'echo ', 'set -e;', 'f() { ', ' }', 'f ', 'exit ', 'return ', 'break ', 'shift ', 'read ', 'printf ', 'test ', 'eval ', 'local ', 'export ', 'set -u;', ' /tmp/o', '2>&1 ', '>&- '];
  const script = fc.array(fc.constantFrom(...pieces), { maxLength: 30 }).map((a) => a.join(''));

  it('printf with a lone backslash ending the format prints it (found by the property below)', () => {
    expect(runScript('printf \\\\')).toMatchObject({ stdout: '\\', status: 0 });
  });

  it('run() always returns a status in 0..255 and throws nothing', () => {
    fc.assert(
      fc.property(script, (src) => {
        const r = runScript(src);
        expect(Number.isInteger(r.status) && r.status >= 0 && r.status <= 255).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
