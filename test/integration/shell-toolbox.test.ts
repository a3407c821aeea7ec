// The built-in shell's behaviour table again, this time with the REAL toolbox applets (C
// compiled to wasm32-wasi) as its external commands, run inline through createWasmShellHost
// over a container forked from the toolbox image; then pipelines under `set -e` that only
// real programs can do (sed, uniq -c, cut, xargs, find).

import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryContentStore } from '../../src/content/index.js';
import { ImageStore, MemoryMetadataFiles, createBuiltinImage } from '../../src/image/index.js';
import { LayerStore } from '../../src/layers/index.js';
import { nodeProgramLoader } from '../../src/platform/node/builtin-images.js';
import { Shell, clearProgramCache, createWasmShellHost, programCacheStats } from '../../src/runner/index.js';
import type { ShellOptions, WasmShellHost } from '../../src/runner/index.js';
import { forkContainerFs } from '../../src/vfs/index.js';
import type { DirNode } from '../../src/vfs/index.js';
import { Collector, StringInput } from '../unit/shell/fake-host.js';
import { SHELL_CASES } from '../unit/shell/interpreter-cases.js';

let lower: DirNode;

beforeAll(async () => {
  const content = new MemoryContentStore();
  const images = new ImageStore({ content, files: new MemoryMetadataFiles() });
  const record = await createBuiltinImage(images, 'toolbox', { loadProgram: nodeProgramLoader() });
  const view = await new LayerStore(content).view(record.manifest.layers.map((l) => l.digest));
  lower = view.root;
}, 60_000);

interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
  host: WasmShellHost;
}

/** Runs a script in a fresh container of the toolbox image (an O(1) fork of its lower tree). */
function run(script: string, options: ShellOptions & { files?: Record<string, string>; stdin?: string } = {}): RunResult {
  const { fs } = forkContainerFs(lower);
  for (const [path, data] of Object.entries(options.files ?? {})) {
    fs.mkdir(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true });
    fs.writeFile(path, data);
  }
  const host = createWasmShellHost({ fs });
  const shell = new Shell(host, { env: ['HOME=/root', 'PATH=/usr/local/bin:/usr/bin:/bin'], ...options });
  const stdout = new Collector();
  const stderr = new Collector();
  const status = shell.run(script, { stdin: new StringInput(options.stdin ?? ''), stdout, stderr });
  return { stdout: stdout.text(), stderr: stderr.text(), status, host };
}

const realCases = SHELL_CASES.filter((c) => c.fakeOnly !== true);

describe('shell behaviour table with the real toolbox programs', () => {
  it('covers most of the table', () => {
    expect(realCases.length).toBeGreaterThanOrEqual(SHELL_CASES.length - 5);
  });

  it.each(realCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    // No case needs its own expectation for the real programs: their output, wording and
    // statuses match the fakes (an applet that differs would be marked here, with why).
    const want = c;
    const r = run(c.script, { files: c.files, stdin: c.stdin, cwd: c.cwd });
    expect({ stdout: r.stdout, status: r.status }).toEqual({ stdout: want.stdout ?? '', status: want.status ?? 0 });
    if (want.stderrMatch !== undefined) expect(r.stderr).toMatch(want.stderrMatch);
    else expect(r.stderr).toBe(want.stderr ?? '');
  });
});

const LOG = ['GET /a 200', 'GET /b 404', 'POST /a 200', 'GET /a 500', 'GET /c 404', 'GET /a 200', ''].join('\n');

describe('pipelines of real toolbox programs under set -e', () => {
  it('counts status codes with cut | sort | uniq -c | sort -rn', () => {
    const r = run("set -e; cut -d' ' -f3 /srv/access.log | sort | uniq -c | sort -rn | head -n 2", { files: { '/srv/access.log': LOG } });
    expect(r).toMatchObject({ status: 0, stderr: '' });
    // uniq -c pads its counts as GNU does (width 7).
    expect(r.stdout).toBe('      3 200\n      2 404\n');
  });

  it('rewrites with sed, filters with grep, counts with wc -l, and writes files the next command reads', () => {
    const r = run(
      [
        'set -e',
        'grep -v "^POST" /srv/access.log | sed -e "s/^GET //" -e "s/ /=/" > /tmp/gets',
        'wc -l < /tmp/gets',
        'grep -c "=404" /tmp/gets',
        'sed -n "2p" /tmp/gets',
      ].join('\n'),
      { files: { '/srv/access.log': LOG } },
    );
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toBe('5\n2\n/b=404\n');
  });

  it('finds files and feeds them to xargs (toolbox applets run in-process)', () => {
    const r = run('set -e; cd /src; find . -name "*.txt" -type f | sort | xargs cat | tr a-z A-Z; find . -type d | sort | wc -l', {
      files: { '/src/a.txt': 'alpha\n', '/src/sub/b.txt': 'beta\n', '/src/sub/c.md': 'not me\n', '/src/sub/deeper/d.txt': 'delta\n' },
    });
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toBe('ALPHA\nBETA\nDELTA\n3\n');
  });

  it('stops at the first failing real program, with its status and its message', () => {
    const r = run('set -e; echo start; grep -q needle /srv/haystack; echo not-reached', { files: { '/srv/haystack': 'hay\n' } });
    expect(r).toEqual(expect.objectContaining({ stdout: 'start\n', status: 1, stderr: '' }));
    const missing = run('set -e; sort /nope | head -n 1; cut -f1 /nope; echo not-reached');
    // GNU sort's wording. The pipeline's status is head's (0), so set -e goes on; cut's own failure stops the script.
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^sort: cannot read: \/nope: No such file or directory\ncut: \/nope: No such file or directory\n$/);
  });

  it('lists /bin as the image built it: every applet, the toolbox and sh', () => {
    const r = run('ls /bin | grep -c .; ls /bin | grep -x sh; [ -L /bin/ls ] && echo link');
    expect(r.stderr).toBe('');
    expect(Number(r.stdout.split('\n')[0])).toBeGreaterThanOrEqual(40);
    expect(r.stdout.split('\n').slice(1)).toEqual(['sh', 'link', '']);
  });

  it('runs a nested sh through exec on the marker file, and reports 126 for a file that is no program', () => {
    const r = run('echo "echo from-script-\\$1" > /tmp/s.sh; sh /tmp/s.sh arg; printf "not wasm" > /tmp/prog; chmod 755 /tmp/prog; /tmp/prog; echo "status $?"');
    expect(r.stdout).toBe('from-script-arg\nstatus 126\n');
    expect(r.stderr).toBe('sh: /tmp/prog: cannot execute\n');
    // exec() called directly on the marker (as `docker exec c sh -c …` does) runs the shell too.
    const out = new Collector();
    const code = r.host.exec('/bin/sh', ['sh', '-c', 'echo direct; exit 4'], { stdin: new StringInput(''), stdout: out, stderr: new Collector() }, [], '/');
    expect({ code, out: out.text() }).toEqual({ code: 4, out: 'direct\n' });
  });

  it('compiles the toolbox once for all its applets (they are symlinks to it)', async () => {
    clearProgramCache();
    const before = programCacheStats();
    const { fs } = forkContainerFs(lower);
    const host = createWasmShellHost({ fs });
    await host.prepare(['/bin/ls', '/bin/cat', '/bin/toolbox', '/bin/sh']);
    expect(programCacheStats().compiled - before.compiled).toBe(1);
    const out = new Collector();
    for (let i = 0; i < 20; i++) host.exec('/bin/echo', ['echo', String(i)], { stdin: new StringInput(''), stdout: out, stderr: out }, [], '/');
    expect(out.text()).toBe(Array.from({ length: 20 }, (_, i) => `${i}\n`).join(''));
    // Compiled once; hashed once for the file (the applets are symlinks to it), not per exec.
    expect(programCacheStats().compiled - before.compiled).toBe(1);
    expect(programCacheStats().hashed - before.hashed).toBe(1);
  });
});

describe('limits', () => {
  it('applies the memory limit to every program it compiles', () => {
    const { fs } = forkContainerFs(lower);
    const roomy = createWasmShellHost({ fs, limits: { memoryBytes: 16 << 20 } });
    const out = new Collector();
    const err = new Collector();
    expect(new Shell(roomy).run('seq 3 | wc -l', { stdin: new StringInput(''), stdout: out, stderr: err })).toBe(0);
    expect({ out: out.text(), err: err.text() }).toEqual({ out: '3\n', err: '' });
    // Below the module's own minimum memory, a program cannot start at all (shell builtins still run).
    const tiny = createWasmShellHost({ fs, limits: { memoryBytes: 65536 } });
    const err2 = new Collector();
    const status = new Shell(tiny).run('echo hi', { stdin: new StringInput(''), stdout: new Collector(), stderr: err2 });
    expect(status).toBe(0);
    const status2 = new Shell(tiny).run('cat /etc/passwd', { stdin: new StringInput(''), stdout: new Collector(), stderr: err2 });
    expect(status2).toBe(126);
    expect(err2.text()).toMatch(/^cat: .*memory.*\nsh: cat: cannot execute\n$/);
  });
});
