// The programs of the built-in images (images/hello-world, images/toolbox) built from source with
// clang and run under Node's own WASI (node:wasi) until our runner exists: every toolbox applet
// against a table of command lines, a fresh root directory per case, stdout/stderr/status compared;
// plus the build itself: reproducible bytes, committed .wasm files up to date, size budget.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WASI } from 'node:wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImages, checkImages } from '../../scripts/build-images.mjs';
import { ensureTool } from '../helpers/tools.js';

interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
}

interface RunOptions {
  stdin?: string;
  env?: Record<string, string>;
  /** Use this file descriptor as stdout instead of a file (a pipe, /dev/full). */
  stdoutFd?: number;
}

const work = mkdtempSync(join(tmpdir(), 'wasmbox-images-test-'));
let toolbox: WebAssembly.Module;
let hello: WebAssembly.Module;
let builtSizes: Record<string, number> = {};

const FRUITS = 'apple\nBanana\ncherry pie\napple pie\n';

/** The files every case starts from (a fresh copy per case, so cases can change them). */
function makeRoot(): string {
  const root = mkdtempSync(join(work, 'root-'));
  const files: Record<string, string> = {
    'data/fruits.txt': FRUITS,
    'data/nums.txt': '10\n9\n100\n9\n-3\n',
    'data/abc': 'abc',
    'data/table.csv': 'name,qty,price\npear,3,1.5\nfig,10,0.25\n',
    'data/words.txt': 'b a\nb a\nc\nb a\nd\nd\n',
    'src/main.c': 'int main(void) { return 0; }\n',
    'src/lib/util.c': '/* util */\n',
    'src/lib/util.h': '#pragma once\n',
    'src/README.md': '# src\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  mkdirSync(join(root, 'empty'));
  symlinkSync('abc', join(root, 'data/link'));
  utimesSync(join(root, 'data/abc'), 0, 0);
  return root;
}

/** Runs a program under node:wasi with `root` preopened as `/`; stdio go through files. */
function runModule(module: WebAssembly.Module, args: string[], root: string, options: RunOptions = {}): RunResult {
  const io = mkdtempSync(join(work, 'io-'));
  writeFileSync(join(io, 'stdin'), options.stdin ?? '');
  const stdin = openSync(join(io, 'stdin'), 'r');
  const stdout = options.stdoutFd ?? openSync(join(io, 'stdout'), 'w');
  const stderr = openSync(join(io, 'stderr'), 'w');
  try {
    const wasi = new WASI({
      version: 'preview1',
      args,
      env: { PATH: '/bin', ...options.env },
      preopens: { '/': root },
      stdin,
      stdout,
      stderr,
      returnOnExit: true,
    });
    const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
    const status = wasi.start(instance);
    return {
      stdout: options.stdoutFd === undefined ? readFileSync(join(io, 'stdout'), 'utf8') : '',
      stderr: readFileSync(join(io, 'stderr'), 'utf8'),
      status,
    };
  } finally {
    closeSync(stdin);
    if (options.stdoutFd === undefined) closeSync(stdout);
    closeSync(stderr);
    rmSync(io, { recursive: true, force: true });
  }
}

function tb(args: string[], options: RunOptions & { root?: string } = {}): RunResult & { root: string } {
  const root = options.root ?? makeRoot();
  return { ...runModule(toolbox, args, root, options), root };
}

beforeAll(async () => {
  await ensureTool('clang');
  const built = await buildImages({ outDir: join(work, 'build') });
  for (const b of built) builtSizes[b.name] = b.size;
  toolbox = await WebAssembly.compile(readFileSync(join(work, 'build/toolbox/toolbox.wasm')));
  hello = await WebAssembly.compile(readFileSync(join(work, 'build/hello-world/hello.wasm')));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  builtSizes = {};
});

describe('build', () => {
  it('is reproducible: a second build gives the same bytes', async () => {
    const again = await buildImages({ outDir: join(work, 'build-again') });
    for (const b of again) {
      const first = readFileSync(join(work, 'build', b.path.slice(join(work, 'build-again').length + 1)));
      expect(createHash('sha256').update(readFileSync(b.path)).digest('hex'), b.name).toBe(
        createHash('sha256').update(first).digest('hex'),
      );
    }
  });

  it('the committed .wasm files are what the sources build (node scripts/build-images.mjs)', async () => {
    const { mismatches } = await checkImages();
    expect(mismatches).toEqual([]);
  });

  it('keeps each program under 200 KB', () => {
    expect(builtSizes['hello-world']).toBeLessThan(200 * 1024);
    expect(builtSizes['toolbox']).toBeLessThan(200 * 1024);
  });
});

describe('hello-world', () => {
  it('explains what wasmbox did and exits 0', () => {
    const r = runModule(hello, ['hello'], makeRoot());
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Hello from wasmbox!');
    expect(r.stdout).toContain('wasmbox run -it toolbox sh');
    expect(r.stdout).toMatch(/1\. The wasmbox client/);
  });
});

type Expect = string | RegExp | ((out: string) => void);

interface Case {
  args: string[];
  stdin?: string;
  env?: Record<string, string>;
  stdout?: Expect;
  stderr?: Expect;
  status?: number;
  /** Inspects the root directory on the host after the run. */
  check?: (root: string) => void;
}

function expectText(actual: string, expected: Expect | undefined, what: string): void {
  if (expected === undefined) return;
  if (typeof expected === 'string') expect(actual, what).toBe(expected);
  else if (expected instanceof RegExp) expect(actual, what).toMatch(expected);
  else expected(actual);
}

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const cases: Record<string, Case[]> = {
  dispatch: [
    { args: ['toolbox', 'echo', 'via', 'toolbox'], stdout: 'via toolbox\n' },
    { args: ['/bin/echo', 'by', 'path'], stdout: 'by path\n' },
    { args: ['echo.wasm', 'x'], stdout: 'x\n' },
    { args: ['toolbox', '--list'], stdout: /basename cat chmod/ },
    { args: ['toolbox', 'nosuch'], status: 127, stderr: /toolbox: nosuch: applet not found/ },
    { args: ['pwd'], env: { PWD: '/data' }, stdout: '/data\n' },
    { args: ['cat', 'abc'], env: { PWD: '/data' }, stdout: 'abc' },
  ],
  true_false_yes: [
    { args: ['true'], status: 0, stdout: '' },
    { args: ['false'], status: 1, stdout: '' },
  ],
  echo: [
    { args: ['echo', 'a', 'b'], stdout: 'a b\n' },
    { args: ['echo', '-n', 'x'], stdout: 'x' },
    { args: ['echo', '-e', 'a\\tb\\nc\\x41\\0101'], stdout: 'a\tb\ncAA\n' },
    { args: ['echo', '-e', 'stop\\chere'], stdout: 'stop' },
    { args: ['echo', '-x', 'y'], stdout: '-x y\n' },
  ],
  printf: [
    { args: ['printf', '%s-%d\\n', 'a', '5'], stdout: 'a-5\n' },
    { args: ['printf', '%s=%d\\n', 'a', '1', 'b', '2'], stdout: 'a=1\nb=2\n' },
    { args: ['printf', '%x %X %o %c %%\\n', '255', '255', '8', 'zed'], stdout: 'ff FF 10 z %\n' },
    { args: ['printf', '[%5s][%-5s][%05d][%.2f]\\n', 'ab', 'cd', '42', '3.14159'], stdout: '[   ab][cd   ][00042][3.14]\n' },
    { args: ['printf', '\\101\\x42\\t%b\\n', 'c\\nd'], stdout: 'AB\tc\nd\n' },
    { args: ['printf', '%d\\n', 'abc'], status: 1, stdout: '0\n', stderr: /printf: 'abc': expected a numeric value/ },
  ],
  cat: [
    { args: ['cat', '/data/fruits.txt'], stdout: FRUITS },
    { args: ['cat', '/data/abc', '-', '/data/abc'], stdin: '+', stdout: 'abc+abc' },
    { args: ['cat', '-n', '/data/abc'], stdout: '     1\tabc' },
    { args: ['cat', '/nope'], status: 1, stdout: '', stderr: 'cat: /nope: No such file or directory\n' },
    { args: ['cat', '/data/abc', '/nope'], status: 1, stdout: 'abc', stderr: /cat: \/nope: No such file/ },
  ],
  ls: [
    { args: ['ls', '/data'], stdout: 'abc\nfruits.txt\nlink\nnums.txt\ntable.csv\nwords.txt\n' },
    { args: ['ls', '-1', '/src'], stdout: 'README.md\nlib\nmain.c\n' },
    { args: ['ls', '-a', '/empty'], stdout: '.\n..\n' },
    { args: ['ls', '-d', '/src', '/data/abc'], stdout: '/data/abc\n/src\n' },
    { args: ['ls', '-l', '/data/abc'], stdout: '-rw-r--r-- 1 0 0 3 Jan  1  1970 /data/abc\n' },
    {
      args: ['ls', '-l', '/data'],
      stdout: (out) => {
        const lines = out.trimEnd().split('\n');
        expect(lines[0]).toMatch(/^total \d+$/);
        expect(lines).toHaveLength(7);
        expect(lines[1]).toBe('-rw-r--r-- 1 0 0  3 Jan  1  1970 abc');
        expect(lines[2]).toMatch(/^-rw-r--r-- 1 0 0 34 \w{3} [ \d]\d (\d\d:\d\d| \d{4}) fruits\.txt$/);
        expect(lines[3]).toMatch(/^lrwxrwxrwx 1 0 0  3 .* link -> abc$/);
      },
    },
    { args: ['ls', '-R', '/src'], stdout: '/src:\nREADME.md\nlib\nmain.c\n\n/src/lib:\nutil.c\nutil.h\n' },
    { args: ['ls', '-F', '/'], stdout: 'data/\nempty/\nsrc/\n' },
    { args: ['ls', '/nope'], status: 2, stderr: "ls: cannot access '/nope': No such file or directory\n" },
  ],
  cp: [
    { args: ['cp', '/data/abc', '/data/copy'], check: (r) => expect(read(r, 'data/copy')).toBe('abc') },
    { args: ['cp', '/data/abc', '/data/fruits.txt', '/empty'], check: (r) => expect(read(r, 'empty/fruits.txt')).toBe(FRUITS) },
    {
      args: ['cp', '-r', '/src', '/copy'],
      check: (r) => {
        expect(read(r, 'copy/lib/util.h')).toBe('#pragma once\n');
        expect(read(r, 'copy/main.c')).toContain('int main');
      },
    },
    { args: ['cp', '-r', '/data', '/empty'], check: (r) => expect(readlinkSync(join(r, 'empty/data/link'))).toBe('abc') },
    {
      args: ['cp', '-p', '/data/abc', '/kept'],
      check: (r) => expect(lstatSync(join(r, 'kept')).mtimeMs).toBe(0),
    },
    { args: ['cp', '/src', '/x'], status: 1, stderr: "cp: -r not specified; omitting directory '/src'\n" },
    { args: ['cp', '/nope', '/x'], status: 1, stderr: /cp: cannot stat '\/nope': No such file or directory/ },
  ],
  mv: [
    {
      args: ['mv', '/data/abc', '/data/moved'],
      check: (r) => {
        expect(existsSync(join(r, 'data/abc'))).toBe(false);
        expect(read(r, 'data/moved')).toBe('abc');
      },
    },
    { args: ['mv', '/data/abc', '/src/lib', '/empty'], check: (r) => expect(read(r, 'empty/lib/util.c')).toBe('/* util */\n') },
    { args: ['mv', '/nope', '/x'], status: 1, stderr: /mv: cannot stat '\/nope'/ },
  ],
  rm: [
    { args: ['rm', '/data/abc'], check: (r) => expect(existsSync(join(r, 'data/abc'))).toBe(false) },
    { args: ['rm', '-r', '/src'], check: (r) => expect(existsSync(join(r, 'src'))).toBe(false) },
    { args: ['rm', '-f', '/nope'], status: 0, stderr: '' },
    { args: ['rm', '/nope'], status: 1, stderr: "rm: cannot remove '/nope': No such file or directory\n" },
    { args: ['rm', '/src'], status: 1, stderr: "rm: cannot remove '/src': Is a directory\n" },
    { args: ['rm', '/data/link'], check: (r) => expect(read(r, 'data/abc')).toBe('abc') },
  ],
  mkdir_rmdir: [
    { args: ['mkdir', '/new'], check: (r) => expect(lstatSync(join(r, 'new')).isDirectory()).toBe(true) },
    { args: ['mkdir', '-p', '/a/b/c', '/src'], check: (r) => expect(lstatSync(join(r, 'a/b/c')).isDirectory()).toBe(true) },
    { args: ['mkdir', '-m', '700', '/m'], check: (r) => expect(existsSync(join(r, 'm'))).toBe(true) },
    { args: ['mkdir', '/src'], status: 1, stderr: "mkdir: cannot create directory '/src': File exists\n" },
    { args: ['mkdir', '/nope/x'], status: 1, stderr: /mkdir: cannot create directory '\/nope\/x': No such file/ },
    { args: ['rmdir', '/empty'], check: (r) => expect(existsSync(join(r, 'empty'))).toBe(false) },
    { args: ['rmdir', '/src'], status: 1, stderr: "rmdir: failed to remove '/src': Directory not empty\n" },
  ],
  touch: [
    { args: ['touch', '/new'], check: (r) => expect(read(r, 'new')).toBe('') },
    { args: ['touch', '-c', '/new'], check: (r) => expect(existsSync(join(r, 'new'))).toBe(false) },
    { args: ['touch', '-d', '@1000000000', '/data/abc'], check: (r) => expect(lstatSync(join(r, 'data/abc')).mtimeMs).toBe(1e12) },
    { args: ['touch', '-d', '2001-09-09 01:46:40', '/t'], check: (r) => expect(lstatSync(join(r, 't')).mtimeMs).toBe(1e12) },
    { args: ['touch', '-d', 'tomorrow', '/t'], status: 1, stderr: "touch: invalid date format 'tomorrow'\n" },
  ],
  ln: [
    { args: ['ln', '-s', 'fruits.txt', '/data/sym'], check: (r) => expect(readlinkSync(join(r, 'data/sym'))).toBe('fruits.txt') },
    { args: ['ln', '/data/abc', '/data/hard'], check: (r) => expect(lstatSync(join(r, 'data/abc')).nlink).toBe(2) },
    { args: ['ln', '-s', 'x', '/data/abc'], status: 1, stderr: "ln: failed to create symbolic link '/data/abc': File exists\n" },
    { args: ['ln', '-sf', 'nums.txt', '/data/link'], check: (r) => expect(readlinkSync(join(r, 'data/link'))).toBe('nums.txt') },
    // Relative target: node:wasi refuses absolute symlink targets (our runner will not).
    { args: ['ln', '-s', '../data/abc', '/empty'], check: (r) => expect(readlinkSync(join(r, 'empty/abc'))).toBe('../data/abc') },
  ],
  chmod: [
    { args: ['chmod', '755', '/data/abc'], status: 0 },
    { args: ['chmod', 'u+x,go-w', '/data/abc'], status: 0 },
    { args: ['chmod', '-v', 'a+x', '/data/abc'], stdout: /mode of '\/data\/abc' would become 0755/ },
    { args: ['chmod', 'bogus', '/data/abc'], status: 1, stderr: "chmod: invalid mode: 'bogus'\n" },
    { args: ['chmod', '644', '/nope'], status: 1, stderr: /chmod: cannot access '\/nope'/ },
  ],
  stat: [
    { args: ['stat', '-c', '%n %s %a %F %Y', '/data/abc'], stdout: '/data/abc 3 644 regular file 0\n' },
    { args: ['stat', '-c', '%F|%A', '/src', '/data/link'], stdout: 'directory|drwxr-xr-x\nsymbolic link|lrwxrwxrwx\n' },
    { args: ['stat', '-c', '%s', '/data/fruits.txt'], stdout: '34\n' },
    { args: ['stat', '-c', '[%5s][%04a]', '/data/abc'], stdout: '[    3][0644]\n' },
    { args: ['stat', '/data/abc'], stdout: /^ {2}File: '\/data\/abc'\n {2}Size: 3\t/ },
    { args: ['stat', '/nope'], status: 1, stderr: "stat: cannot stat '/nope': No such file or directory\n" },
  ],
  head_tail: [
    { args: ['head', '-n', '2', '/data/fruits.txt'], stdout: 'apple\nBanana\n' },
    { args: ['head', '-1', '/data/fruits.txt'], stdout: 'apple\n' },
    { args: ['head', '-c', '3', '/data/fruits.txt'], stdout: 'app' },
    { args: ['head', '-n', '1', '/data/abc', '/data/nums.txt'], stdout: '==> /data/abc <==\nabc\n==> /data/nums.txt <==\n10\n' },
    { args: ['head'], stdin: '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n', stdout: '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n' },
    { args: ['tail', '-n', '2', '/data/fruits.txt'], stdout: 'cherry pie\napple pie\n' },
    { args: ['tail', '-n', '+3', '/data/fruits.txt'], stdout: 'cherry pie\napple pie\n' },
    { args: ['tail', '-1', '/data/fruits.txt'], stdout: 'apple pie\n' },
    { args: ['tail', '-c', '4', '/data/fruits.txt'], stdout: 'pie\n' },
    { args: ['tail', '-n', '1'], stdin: 'a\nb', stdout: 'b' },
    { args: ['head', '/nope'], status: 1, stderr: "head: cannot open '/nope' for reading: No such file or directory\n" },
  ],
  wc: [
    { args: ['wc', '/data/fruits.txt'], stdout: ' 4  6 34 /data/fruits.txt\n' },
    { args: ['wc', '-l', '/data/fruits.txt'], stdout: '4 /data/fruits.txt\n' },
    { args: ['wc', '-w'], stdin: 'one two  three\n', stdout: '3\n' },
    { args: ['wc', '-c', '/data/abc', '/data/nums.txt'], stdout: ' 3 /data/abc\n14 /data/nums.txt\n17 total\n' },
    { args: ['wc'], stdin: 'a b\nc', stdout: '      1       3       5\n' },
  ],
  grep: [
    { args: ['grep', 'pie', '/data/fruits.txt'], stdout: 'cherry pie\napple pie\n' },
    { args: ['grep', '-c', 'apple', '/data/fruits.txt'], stdout: '2\n' },
    { args: ['grep', '-v', 'pie', '/data/fruits.txt'], stdout: 'apple\nBanana\n' },
    { args: ['grep', '-in', 'BANANA', '/data/fruits.txt'], stdout: '2:Banana\n' },
    { args: ['grep', '-E', '^(apple|cherry) pie$', '/data/fruits.txt'], stdout: 'cherry pie\napple pie\n' },
    { args: ['grep', 'a\\(p\\)\\1', '/data/fruits.txt'], stdout: 'apple\napple pie\n' },
    { args: ['grep', '-o', 'p[a-z]*', '/data/abc', '/data/fruits.txt'], stdout: '/data/fruits.txt:pple\n/data/fruits.txt:pie\n/data/fruits.txt:pple\n/data/fruits.txt:pie\n' },
    { args: ['grep', '-w', 'apple', '/data/fruits.txt'], stdout: 'apple\napple pie\n' },
    { args: ['grep', '-x', 'apple', '/data/fruits.txt'], stdout: 'apple\n' },
    { args: ['grep', '-F', '.', '/data/table.csv'], stdout: 'pear,3,1.5\nfig,10,0.25\n' },
    { args: ['grep', '-e', 'fig', '-e', 'pear', '/data/table.csv'], stdout: 'pear,3,1.5\nfig,10,0.25\n' },
    { args: ['grep', '-q', 'Banana', '/data/fruits.txt'], status: 0, stdout: '' },
    { args: ['grep', '-q', 'kiwi', '/data/fruits.txt'], status: 1, stdout: '' },
    { args: ['grep', 'kiwi', '/data/fruits.txt'], status: 1, stdout: '' },
    { args: ['grep', '-r', 'util', '/src'], stdout: '/src/lib/util.c:/* util */\n' },
    { args: ['grep', '-rlE', 'util|once|main', '/src'], stdout: '/src/lib/util.c\n/src/lib/util.h\n/src/main.c\n' },
    { args: ['grep', 'x'], stdin: 'axb\nc\n', stdout: 'axb\n' },
    { args: ['grep', 'x', '/nope'], status: 2, stderr: 'grep: /nope: No such file or directory\n' },
    { args: ['grep', '-E', '(', '/data/abc'], status: 2, stderr: /grep: invalid regular expression/ },
    { args: ['grep'], status: 2, stderr: /Usage: grep/ },
  ],
  sed: [
    { args: ['sed', 's/a/b/g', '/data/fruits.txt'], stdout: 'bpple\nBbnbnb\ncherry pie\nbpple pie\n' },
    { args: ['sed', 's/a/b/', '/data/fruits.txt'], stdout: 'bpple\nBbnana\ncherry pie\nbpple pie\n' },
    { args: ['sed', '-n', '/pie/p', '/data/fruits.txt'], stdout: 'cherry pie\napple pie\n' },
    { args: ['sed', '-e', '2d', '-e', 's/\\(p\\)\\(i\\)/\\2\\1/', '/data/fruits.txt'], stdout: 'apple\ncherry ipe\napple ipe\n' },
    { args: ['sed', '-E', 's/(a)(p+)/[\\2\\1&]/', '/data/fruits.txt'], stdout: '[ppaapp]le\nBanana\ncherry pie\n[ppaapp]le pie\n' },
    { args: ['sed', '2,3s/^/> /', '/data/fruits.txt'], stdout: 'apple\n> Banana\n> cherry pie\napple pie\n' },
    { args: ['sed', '/Ban/,/cherry/d', '/data/fruits.txt'], stdout: 'apple\napple pie\n' },
    { args: ['sed', '$d;1d', '/data/fruits.txt'], stdout: 'Banana\ncherry pie\n' },
    { args: ['sed', '-n', '$='], stdin: 'a\nb\nc\n', stdout: '3\n' },
    { args: ['sed', '2q'], stdin: 'a\nb\nc\n', stdout: 'a\nb\n' },
    { args: ['sed', '1!G;h;$!d'], stdin: 'a\nb\nc\n', stdout: 'c\nb\na\n' },
    { args: ['sed', '-n', '2{p;q}'], stdin: 'a\nb\nc\n', stdout: 'b\n' },
    { args: ['sed', '/b/,$!s/^/-/'], stdin: 'a\nb\nc\n', stdout: '-a\nb\nc\n' },
    { args: ['sed', 'y/abc/ABC/'], stdin: 'aabbcc\n', stdout: 'AABBCC\n' },
    { args: ['sed', '1i\\\nfirst', '-'], stdin: 'x\n', stdout: 'first\nx\n' },
    { args: ['sed', '/x/a after'], stdin: 'x\ny\n', stdout: 'x\nafter\ny\n' },
    { args: ['sed', 's/x*/-/g'], stdin: 'abc\n', stdout: '-a-b-c-\n' },
    { args: ['sed', 's/b/\\n/'], stdin: 'abc\n', stdout: 'a\nc\n' },
    { args: ['sed', 's|/|:|g'], stdin: '/a/b\n', stdout: ':a:b\n' },
    { args: ['sed', '-i', 's/pie/cake/', '/data/fruits.txt'], stdout: '', check: (r) => expect(read(r, 'data/fruits.txt')).toBe('apple\nBanana\ncherry cake\napple cake\n') },
    { args: ['sed', 'k'], stdin: 'x\n', status: 1, stderr: /sed: -e expression: unknown command: 'k'/ },
  ],
  sort: [
    { args: ['sort', '/data/fruits.txt'], stdout: 'Banana\napple\napple pie\ncherry pie\n' },
    { args: ['sort', '-n', '/data/nums.txt'], stdout: '-3\n9\n9\n10\n100\n' },
    { args: ['sort', '-rn', '/data/nums.txt'], stdout: '100\n10\n9\n9\n-3\n' },
    { args: ['sort', '-u', '/data/words.txt'], stdout: 'b a\nc\nd\n' },
    { args: ['sort', '-f'], stdin: 'b\nA\na\nB\n', stdout: 'A\na\nB\nb\n' },
    { args: ['sort', '-t', ',', '-k', '2,2n', '/data/table.csv'], stdout: 'name,qty,price\npear,3,1.5\nfig,10,0.25\n' },
    { args: ['sort', '-k', '2'], stdin: 'x 3\ny 1\nz 2\n', stdout: 'y 1\nz 2\nx 3\n' },
  ],
  uniq: [
    { args: ['uniq', '/data/words.txt'], stdout: 'b a\nc\nb a\nd\n' },
    { args: ['uniq', '-c', '/data/words.txt'], stdout: '      2 b a\n      1 c\n      1 b a\n      2 d\n' },
    { args: ['uniq', '-d', '/data/words.txt'], stdout: 'b a\nd\n' },
    { args: ['uniq', '-u', '/data/words.txt'], stdout: 'c\nb a\n' },
  ],
  tr: [
    { args: ['tr', 'a-z', 'A-Z'], stdin: 'hello, world\n', stdout: 'HELLO, WORLD\n' },
    { args: ['tr', '[:lower:]', '[:upper:]'], stdin: 'abc\n', stdout: 'ABC\n' },
    { args: ['tr', '-d', 'lo'], stdin: 'hello world\n', stdout: 'he wrd\n' },
    { args: ['tr', '-s', ' '], stdin: 'a   b  c\n', stdout: 'a b c\n' },
    { args: ['tr', '-cd', '[:digit:]\\n'], stdin: 'a1b2c3\n', stdout: '123\n' },
    { args: ['tr', 'abc', 'x'], stdin: 'aabbcd\n', stdout: 'xxxxxd\n' },
    { args: ['tr', '\\n', ','], stdin: 'a\nb\n', stdout: 'a,b,' },
  ],
  cut: [
    { args: ['cut', '-d', ',', '-f', '1,3', '/data/table.csv'], stdout: 'name,price\npear,1.5\nfig,0.25\n' },
    { args: ['cut', '-d,', '-f2-', '/data/table.csv'], stdout: 'qty,price\n3,1.5\n10,0.25\n' },
    { args: ['cut', '-c', '1-3,5'], stdin: 'abcdefg\n', stdout: 'abce\n' },
    { args: ['cut', '-f', '2'], stdin: 'a\tb\tc\nnodelim\n', stdout: 'b\nnodelim\n' },
    { args: ['cut', '-s', '-f', '2'], stdin: 'a\tb\nnodelim\n', stdout: 'b\n' },
    { args: ['cut', '-f', '0'], status: 1, stderr: "cut: invalid list '0'\n" },
  ],
  tee: [
    { args: ['tee', '/out'], stdin: 'hi\n', stdout: 'hi\n', check: (r) => expect(read(r, 'out')).toBe('hi\n') },
    { args: ['tee', '-a', '/data/abc'], stdin: 'd', stdout: 'd', check: (r) => expect(read(r, 'data/abc')).toBe('abcd') },
  ],
  find: [
    { args: ['find', '/src'], stdout: '/src\n/src/README.md\n/src/lib\n/src/lib/util.c\n/src/lib/util.h\n/src/main.c\n' },
    { args: ['find', '.', '-name', '*.c'], env: { PWD: '/src' }, stdout: './lib/util.c\n./main.c\n' },
    { args: ['find', '/src', '-type', 'd'], stdout: '/src\n/src/lib\n' },
    { args: ['find', '/data', '-type', 'l'], stdout: '/data/link\n' },
    { args: ['find', '/src', '-maxdepth', '1', '-type', 'f'], stdout: '/src/README.md\n/src/main.c\n' },
    { args: ['find', '/src', '-name', '*.h', '-o', '-name', '*.md'], stdout: '/src/README.md\n/src/lib/util.h\n' },
    { args: ['find', '/src', '!', '-name', '*.c', '-type', 'f'], stdout: '/src/README.md\n/src/lib/util.h\n' },
    { args: ['find', '/', '-empty'], stdout: '/empty\n' },
    { args: ['find', '/src', '-name', '*.c', '-exec', 'wc', '-l', '{}', '+'], stdout: ' 1 /src/lib/util.c\n 1 /src/main.c\n 2 total\n' },
    { args: ['find', '/src/lib', '-type', 'f', '-exec', 'echo', 'file:{}', ';'], stdout: 'file:/src/lib/util.c\nfile:/src/lib/util.h\n' },
    { args: ['find', '/src', '-name', '*.h', '-delete'], check: (r) => expect(existsSync(join(r, 'src/lib/util.h'))).toBe(false) },
    { args: ['find', '/src', '-exec', 'sh', '{}', ';'], status: 1, stderr: /cannot start other programs/ },
    { args: ['find', '/nope'], status: 1, stderr: 'find: /nope: No such file or directory\n' },
  ],
  xargs: [
    { args: ['xargs'], stdin: 'a b\nc\n', stdout: 'a b c\n' },
    { args: ['xargs', '-n', '2', 'echo'], stdin: 'a b c d e', stdout: 'a b\nc d\ne\n' },
    { args: ['xargs', '-I', '{}', 'echo', '<{}>'], stdin: 'one\ntwo\n', stdout: '<one>\n<two>\n' },
    { args: ['xargs', 'wc', '-c'], stdin: '/data/abc /data/nums.txt', stdout: ' 3 /data/abc\n14 /data/nums.txt\n17 total\n' },
    { args: ['xargs', 'echo'], stdin: '"a b" c\\ d', stdout: 'a b c d\n' },
    { args: ['xargs', 'cat'], stdin: '/nope', status: 123, stderr: /cat: \/nope/ },
    { args: ['xargs', 'gcc'], stdin: 'x', status: 127, stderr: /xargs: gcc: cannot run it: WASI programs cannot start other programs/ },
  ],
  env: [
    { args: ['env'], env: { A: '1' }, stdout: (out) => expect(out.split('\n')).toContain('A=1') },
    { args: ['env', '-i', 'X=1', 'Y=2'], stdout: 'X=1\nY=2\n' },
    { args: ['env', 'A=1', 'B=2', 'printenv', 'A', 'B'], stdout: '1\n2\n' },
    { args: ['env', '-u', 'PATH', 'printenv', 'PATH'], status: 1, stdout: '' },
    { args: ['env', 'X=1', 'python3'], status: 127, stderr: /env: 'python3': cannot run it: WASI programs cannot start other programs/ },
    { args: ['printenv', 'PATH'], stdout: '/bin\n' },
    { args: ['printenv', 'NOPE'], status: 1, stdout: '' },
  ],
  paths: [
    { args: ['pwd'], stdout: '/\n' },
    { args: ['basename', '/a/b/c.txt'], stdout: 'c.txt\n' },
    { args: ['basename', '/a/b/c.txt', '.txt'], stdout: 'c\n' },
    { args: ['basename', '/a/b/'], stdout: 'b\n' },
    { args: ['basename', '-a', 'x/y', 'z'], stdout: 'y\nz\n' },
    { args: ['dirname', '/a/b/c.txt'], stdout: '/a/b\n' },
    { args: ['dirname', 'c.txt'], stdout: '.\n' },
    { args: ['dirname', '/a'], stdout: '/\n' },
    { args: ['basename'], status: 1, stderr: /basename: missing operand/ },
  ],
  date: [
    { args: ['date', '-u', '-d', '@0', '+%Y'], stdout: '1970\n' },
    { args: ['date', '-d', '@0'], stdout: 'Thu Jan  1 00:00:00 UTC 1970\n' },
    { args: ['date', '-d', '@1000000000.5', '+%F %T.%N %s'], stdout: '2001-09-09 01:46:40.500000000 1000000000\n' },
    { args: ['date', '-d', '2024-02-29 12:34:56', '+%s'], stdout: '1709210096\n' },
    { args: ['date', '-r', '/data/abc', '+%s'], stdout: '0\n' },
    { args: ['date', '+%Y'], stdout: (out) => expect(Number(out)).toBeGreaterThanOrEqual(2024) },
    { args: ['date', '-d', 'yesterday'], status: 1, stderr: "date: invalid date 'yesterday'\n" },
  ],
  sleep: [
    { args: ['sleep', '0.05'], status: 0 },
    { args: ['sleep', '0'], status: 0 },
    { args: ['sleep', 'x'], status: 1, stderr: "sleep: invalid time interval 'x'\n" },
  ],
  seq: [
    { args: ['seq', '3'], stdout: '1\n2\n3\n' },
    { args: ['seq', '2', '4'], stdout: '2\n3\n4\n' },
    { args: ['seq', '5', '-2', '0'], stdout: '5\n3\n1\n' },
    { args: ['seq', '-s', ',', '3'], stdout: '1,2,3\n' },
    { args: ['seq', '-w', '8', '10'], stdout: '08\n09\n10\n' },
    { args: ['seq', '0', '0.5', '1.5'], stdout: '0.0\n0.5\n1.0\n1.5\n' },
    { args: ['seq', '-1', '1'], stdout: '-1\n0\n1\n' },
    { args: ['seq', '3', '1'], stdout: '' },
    { args: ['seq', 'x'], status: 1, stderr: "seq: invalid floating point argument: 'x'\n" },
  ],
  sha256sum: [
    { args: ['sha256sum', '/data/fruits.txt'], stdout: `${sha256(FRUITS)}  /data/fruits.txt\n` },
    { args: ['sha256sum'], stdin: '', stdout: `${sha256('')}  -\n` },
    { args: ['sha256sum', '/data/abc'], stdout: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  /data/abc\n' },
    {
      args: ['sha256sum', '-c', '-'],
      stdin: `${sha256('abc')}  /data/abc\n${'0'.repeat(64)}  /data/fruits.txt\n`,
      status: 1,
      stdout: '/data/abc: OK\n/data/fruits.txt: FAILED\n',
      stderr: 'sha256sum: WARNING: 1 computed checksum did NOT match\n',
    },
    { args: ['sha256sum', '--check', '--quiet', '-'], stdin: `${sha256('abc')}  /data/abc\n`, status: 0, stdout: '' },
    { args: ['sha256sum', '/nope'], status: 1, stderr: 'sha256sum: /nope: No such file or directory\n' },
  ],
  du: [
    { args: ['du', '-s', '/src'], stdout: '4\t/src\n' },
    { args: ['du', '/src'], stdout: '2\t/src/lib\n4\t/src\n' },
    { args: ['du', '-a', '/src/lib'], stdout: '1\t/src/lib/util.c\n1\t/src/lib/util.h\n2\t/src/lib\n' },
    { args: ['du', '-sh', '/src'], stdout: '4.0K\t/src\n' },
    { args: ['du', '-sb', '/data'], stdout: `${34 + 14 + 3 + 38 + 18 + 3}\t/data\n` },
    { args: ['du', '-sc', '/src', '/data/abc'], stdout: '4\t/src\n1\t/data/abc\n5\ttotal\n' },
  ],
};

describe('toolbox applet table', () => {
  it('every applet the toolbox lists has cases here', () => {
    const names = tb(['toolbox', '--applets']).stdout.trim().split('\n');
    expect(names).toContain('ls');
    const covered = new Set(Object.values(cases).flatMap((list) => list.map((c) => c.args[0])));
    covered.add('yes'); // through a pipe, below
    expect(names.filter((n) => !covered.has(n))).toEqual([]);
  });
});

describe.each(Object.entries(cases))('toolbox %s', (_name, list) => {
  it.each(list.map((c) => [c.args.join(' '), c] as const))('%s', (_label, c) => {
    const r = tb(c.args, { stdin: c.stdin, env: c.env });
    try {
      expect(r.status, `status of ${c.args.join(' ')}; stderr: ${r.stderr}`).toBe(c.status ?? 0);
      expectText(r.stdout, c.stdout, 'stdout');
      expectText(r.stderr, c.stderr ?? (c.status ? undefined : ''), 'stderr');
      c.check?.(r.root);
    } finally {
      rmSync(r.root, { recursive: true, force: true });
    }
  });
});

describe('toolbox across runs and streams', () => {
  it('a file written by one run is read by the next', () => {
    const root = makeRoot();
    try {
      tb(['mkdir', '-p', '/work/out'], { root });
      tb(['cp', '/data/fruits.txt', '/work/out/f'], { root });
      tb(['sed', '-i', 's/apple/APPLE/g', '/work/out/f'], { root });
      expect(tb(['grep', '-c', 'APPLE', '/work/out/f'], { root }).stdout).toBe('2\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('yes writes lines until its reader goes away, then stops', async () => {
    // A real pipe: node:wasi runs synchronously, so the reader is another process (head).
    const fifo = join(work, 'yes.fifo');
    execFileSync('mkfifo', [fifo]);
    const head = spawn('head', ['-c', '12', fifo]);
    let got = '';
    head.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const closed = new Promise((resolve) => head.on('close', resolve));
    const out = openSync(fifo, 'w');
    const root = makeRoot();
    try {
      const r = runModule(toolbox, ['yes', 'ok'], root, { stdoutFd: out });
      expect(r.status).toBe(0);
    } finally {
      closeSync(out);
      rmSync(root, { recursive: true, force: true });
    }
    await closed;
    expect(got).toBe('ok\nok\nok\nok\n');
  });

  it('yes reports a write error other than a closed pipe', () => {
    const full = openSync('/dev/full', 'w');
    const root = makeRoot();
    try {
      const r = runModule(toolbox, ['yes'], root, { stdoutFd: full });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^yes: standard output: No space left on device/);
    } finally {
      closeSync(full);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
