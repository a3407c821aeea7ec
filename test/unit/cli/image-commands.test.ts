// The image commands run in-process against a temp WASMBOX_ROOT: output, messages and exit codes
// as the docker CLI has them, and a load → images → tag → save → rmi → load round trip.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { imageSize } from '../../../src/cli/units.js';
import { wasmboxRoot } from '../../../src/platform/node/stores.js';
import { createHarness } from './harness.js';
import type { Harness } from './harness.js';

const TWO_DAYS_AGO = () => new Date(Date.now() - 2 * 86_400_000 - 3_600_000).toISOString();
const short = (id: string) => id.slice(7, 19);

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.cleanup());

describe('wasmboxRoot', () => {
  it('prefers $WASMBOX_ROOT, then $XDG_DATA_HOME/wasmbox, then ~/.local/share/wasmbox', () => {
    expect(wasmboxRoot({ WASMBOX_ROOT: '/r', XDG_DATA_HOME: '/x', HOME: '/h' })).toBe('/r');
    expect(wasmboxRoot({ XDG_DATA_HOME: '/x', HOME: '/h' })).toBe('/x/wasmbox');
    expect(wasmboxRoot({ HOME: '/h' })).toBe('/h/.local/share/wasmbox');
  });
});

describe('wasmbox images', () => {
  it('prints only the header when there are no images', async () => {
    const r = await h.wasmbox(['images']);
    expect(r).toMatchObject({ code: 0, stdout: 'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n', stderr: '' });
  });

  it('lists tagged and dangling images with docker columns, spacing and units', async () => {
    const hello = await h.putImage({ tags: ['hello:latest'], created: TWO_DAYS_AGO() });
    const dangling = await h.putImage({ files: { 'other.wasm': 'x'.repeat(3000) } });
    const r = await h.wasmbox(['images']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('REPOSITORY   TAG       IMAGE ID       CREATED      SIZE');
    expect(lines[1]).toBe(`hello        latest    ${short(hello.id)}   2 days ago   ${imageSize(hello.size)}`);
    expect(lines[2]).toBe(`<none>       <none>    ${short(dangling.id)}   N/A          ${imageSize(dangling.size)}`);
    expect(lines[3]).toBe('');
    expect(imageSize(hello.size)).toMatch(/^\d+(\.\d+)?kB$/);
  });

  it('supports -q, --no-trunc, --digests, filters and a REPOSITORY[:TAG] argument', async () => {
    const a = await h.putImage({ tags: ['app:1', 'localhost:5000/app:1'], labels: { tier: 'web' } });
    const b = await h.putImage({ files: { b: 'b' } });
    expect((await h.wasmbox(['images', '-q'])).stdout).toBe(`${short(a.id)}\n${short(a.id)}\n${short(b.id)}\n`);
    expect((await h.wasmbox(['images', '-q', '--no-trunc', '--filter', 'dangling=true'])).stdout).toBe(`${b.id}\n`);
    expect((await h.wasmbox(['images', '-q', '-f', 'dangling=false', '-f', 'reference=localhost:5000/*'])).stdout).toBe(`${short(a.id)}\n`);
    expect((await h.wasmbox(['images', '--format', '{{.Repository}}:{{.Tag}}', 'app'])).stdout).toBe('app:1\n');
    expect((await h.wasmbox(['images', '--format', '{{.Repository}}', '-f', 'label=tier=web'])).stdout).toBe('app\nlocalhost:5000/app\n');
    expect((await h.wasmbox(['images', '-q', '-f', 'label=tier=db'])).stdout).toBe('');
    const digests = await h.wasmbox(['images', '--digests', 'app']);
    expect(digests.stdout.split('\n')[0]).toMatch(/^REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE$/);
    expect(digests.stdout).toContain(`app          1         ${a.manifestDigest}   ${short(a.id)}`);
  });

  it('prints one JSON object per row with --format json', async () => {
    const a = await h.putImage({ tags: ['app:1'] });
    const r = await h.wasmbox(['images', '--format', 'json']);
    const row = JSON.parse(r.stdout.trim()) as Record<string, string>;
    expect(Object.keys(row)).toEqual(['Containers', 'CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'SharedSize', 'Size', 'Tag', 'UniqueSize', 'VirtualSize']);
    expect(row).toMatchObject({ ID: short(a.id), Repository: 'app', Tag: '1', Digest: a.manifestDigest });
  });

  it('rejects bad flags and filters like docker (125 for usage, 1 for the daemon)', async () => {
    const bogus = await h.wasmbox(['images', '--bogus']);
    expect(bogus.code).toBe(125);
    expect(bogus.stderr).toContain('unknown flag: --bogus');
    expect(bogus.stderr).toContain("Run 'wasmbox images --help' for more information");
    const badFilter = await h.wasmbox(['images', '-f', 'nope']);
    expect(badFilter).toMatchObject({ code: 125, stderr: expect.stringContaining('bad format of filter (expected name=value)') });
    const unknown = await h.wasmbox(['images', '-f', 'color=red']);
    expect(unknown).toMatchObject({ code: 1, stderr: "Error response from daemon: invalid filter 'color'\n" });
    const tooMany = await h.wasmbox(['images', 'a', 'b']);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/^wasmbox: 'wasmbox images' requires at most 1 argument\n/);
  });

  it('answers the same under `image ls` and `image list`', async () => {
    await h.putImage({ tags: ['x:1'] });
    const a = await h.wasmbox(['images']);
    expect((await h.wasmbox(['image', 'ls'])).stdout).toBe(a.stdout);
    expect((await h.wasmbox(['image', 'list'])).stdout).toBe(a.stdout);
  });
});

describe('load, tag, save, rmi', () => {
  it('round-trips an image through save -o, rmi and load -i', async () => {
    const img = await h.putImage({ tags: ['hello:latest'], created: TWO_DAYS_AGO() });
    expect(await h.wasmbox(['tag', 'hello', 'hello:v2'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const before = (await h.wasmbox(['images'])).stdout;
    expect(before).toContain('hello        v2');

    const file = join(h.root, 'hello.tar');
    expect(await h.wasmbox(['save', '-o', file, 'hello:latest', 'hello:v2'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(file)).toBe(true);
    // The temp file was renamed, not left behind.
    expect(readdirSync(h.root).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    const rmi = await h.wasmbox(['rmi', 'hello', 'hello:v2']);
    expect(rmi).toMatchObject({ code: 0, stderr: '', stdout: `Untagged: hello:latest\nUntagged: hello:v2\nDeleted: ${img.id}\n` });
    expect((await h.wasmbox(['images', '-q'])).stdout).toBe('');

    const load = await h.wasmbox(['load', '-i', file]);
    expect(load).toMatchObject({ code: 0, stderr: '' });
    expect(load.stdout.split('\n').sort()).toEqual(['', 'Loaded image: hello:latest', 'Loaded image: hello:v2']);
    expect((await h.wasmbox(['images'])).stdout.split('\n').sort()).toEqual(before.split('\n').sort());
  });

  it('saves to a redirected stdout and loads from stdin', async () => {
    const img = await h.putImage({ tags: ['app:1'] });
    const saved = await h.wasmbox(['save', 'app:1']);
    expect(saved.code).toBe(0);
    expect(saved.stdoutBytes.length).toBeGreaterThan(1024);
    await h.wasmbox(['rmi', 'app:1']);
    const load = await h.wasmbox(['load', '-q'], { stdin: saved.stdoutBytes });
    expect(load).toMatchObject({ code: 0, stdout: 'Loaded image: app:1\n' });
    expect((await h.wasmbox(['images', '-q', '--no-trunc'])).stdout).toBe(`${img.id}\n`);
  });

  it('loads an image saved by id as "Loaded image ID"', async () => {
    const img = await h.putImage({ tags: ['app:1'] });
    const saved = await h.wasmbox(['save', img.id]);
    await h.wasmbox(['rmi', 'app:1']);
    const load = await h.wasmbox(['load'], { stdin: saved.stdoutBytes });
    expect(load).toMatchObject({ code: 0, stdout: `Loaded image ID: ${img.id}\n` });
  });

  it('refuses to write a tar to a terminal and to read one from a terminal', async () => {
    await h.putImage({ tags: ['app:1'] });
    const save = await h.wasmbox(['save', 'app:1'], { stdoutIsTTY: true });
    expect(save).toMatchObject({ code: 1, stdout: '', stderr: 'cowardly refusing to save to a terminal. Use the -o flag or redirect\n' });
    const load = await h.wasmbox(['load'], { stdinIsTTY: true });
    expect(load).toMatchObject({ code: 1, stderr: 'requested load from stdin, but stdin is empty\n' });
  });

  it('reports missing images and files like docker', async () => {
    expect(await h.wasmbox(['rmi', 'nope'])).toMatchObject({ code: 1, stdout: '', stderr: 'Error response from daemon: No such image: nope:latest\n' });
    expect(await h.wasmbox(['tag', 'nope', 'x'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: No such image: nope:latest\n' });
    expect(await h.wasmbox(['save', '-o', join(h.root, 'x.tar'), 'nope:1'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: No such image: nope:1\n' });
    expect(existsSync(join(h.root, 'x.tar'))).toBe(false);
    const missing = join(h.root, 'missing.tar');
    expect(await h.wasmbox(['load', '-i', missing])).toMatchObject({ code: 1, stderr: `open ${missing}: no such file or directory\n` });
  });

  it('keeps going past a missing image in rmi and exits 1', async () => {
    const img = await h.putImage({ tags: ['a:1'] });
    const r = await h.wasmbox(['rmi', 'nope', 'a:1']);
    expect(r).toMatchObject({ code: 1, stdout: `Untagged: a:1\nDeleted: ${img.id}\n`, stderr: 'Error response from daemon: No such image: nope:latest\n' });
  });

  it('needs -f to delete by id an image tagged in several repositories', async () => {
    const img = await h.putImage({ tags: ['a:1', 'b:1'] });
    const r = await h.wasmbox(['rmi', short(img.id)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error response from daemon: conflict: unable to delete ${short(img.id)} (must be forced) - image is referenced in multiple repositories\n`);
    const f = await h.wasmbox(['image', 'rm', '-f', short(img.id)]);
    expect(f).toMatchObject({ code: 0, stdout: `Untagged: a:1\nUntagged: b:1\nDeleted: ${img.id}\n` });
  });

  it('checks argument counts and references like docker', async () => {
    const tag = await h.wasmbox(['tag', 'a']);
    expect(tag.code).toBe(1);
    expect(tag.stderr).toBe(
      "wasmbox: 'wasmbox tag' requires 2 arguments\n\nUsage:  wasmbox tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\nRun 'wasmbox tag --help' for more information\n",
    );
    const rmi = await h.wasmbox(['rmi']);
    expect(rmi.code).toBe(1);
    expect(rmi.stderr).toContain("'wasmbox rmi' requires at least 1 argument");
    expect(rmi.stderr).toContain("See 'wasmbox rmi --help' for more information");
    expect((await h.wasmbox(['load', 'x'])).stderr).toContain("'wasmbox load' accepts no arguments");
    await h.putImage({ tags: ['a:1'] });
    const bad = await h.wasmbox(['tag', 'a:1', 'UPPER']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error parsing reference: "UPPER" is not a valid repository\/tag: /);
    const shorthand = await h.wasmbox(['image', 'prune', '-x']);
    expect(shorthand.code).toBe(125);
    expect(shorthand.stderr).toContain("unknown shorthand flag: 'x' in -x");
  });

  it('writes the store as an OCI image layout under $WASMBOX_ROOT/images', async () => {
    await h.putImage({ tags: ['app:1'] });
    const index = JSON.parse(readFileSync(join(h.root, 'images', 'index.json'), 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
    expect(index.manifests[0]!.annotations!['org.opencontainers.image.ref.name']).toBe('docker.io/library/app:1');
    expect(readFileSync(join(h.root, 'images', 'oci-layout'), 'utf8')).toContain('imageLayoutVersion');
  });
});

describe('inspect', () => {
  it('prints docker image JSON, indented by 4 spaces', async () => {
    const img = await h.putImage({ tags: ['app:1'], created: '2024-05-02T16:49:27Z', labels: { a: 'b' } });
    const r = await h.wasmbox(['image', 'inspect', 'app:1']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('[\n    {\n        "Id": ')).toBe(true);
    const [doc] = JSON.parse(r.stdout) as Record<string, unknown>[];
    // docker's order, GraphDriver before RootFS and Metadata.
    expect(Object.keys(doc!).slice(0, 15)).toEqual([
      'Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'DockerVersion', 'Author', 'Config', 'Architecture', 'Os', 'Size', 'GraphDriver', 'RootFS', 'Metadata',
    ]);
    expect(doc).toMatchObject({
      Id: img.id,
      RepoTags: ['app:1'],
      RepoDigests: [`app@${img.manifestDigest}`],
      Created: '2024-05-02T16:49:27Z',
      Config: { Cmd: ['/hello.wasm'], Labels: { a: 'b' } },
      Architecture: 'wasm',
      Os: 'wasi',
      Size: img.size,
      RootFS: { Type: 'layers', Layers: img.config.rootfs.diff_ids },
      Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
    });
  });

  it('applies -f per image, and reports missing ones after printing the rest', async () => {
    await h.putImage({ tags: ['app:1'], labels: { a: 'b' } });
    const f = await h.wasmbox(['inspect', '-f', '{{.Os}}/{{.Architecture}} {{index .Config.Labels "a"}} {{json .RepoTags}}', 'app:1', 'nope']);
    expect(f).toMatchObject({ code: 1, stdout: 'wasi/wasm b ["app:1"]\n', stderr: 'Error: No such object: nope\n' });
    const missing = await h.wasmbox(['image', 'inspect', 'nope']);
    expect(missing).toMatchObject({ code: 1, stdout: '[]\n', stderr: 'Error: No such image: nope\n' });
  });
});

describe('history and prune', () => {
  it('shows the history, newest first', async () => {
    const img = await h.putImage({ tags: ['app:1'], created: TWO_DAYS_AGO(), createdBy: 'COPY hello.wasm /hello.wasm # a long line that docker cuts' });
    const r = await h.wasmbox(['history', 'app:1']);
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.split('\n');
    expect(header).toMatch(/^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    expect(row).toContain(short(img.id));
    expect(row).toContain('2 days ago');
    expect(row).toContain('COPY hello.wasm /hello.wasm # a long line th…');
    expect((await h.wasmbox(['image', 'history', '-q', 'app:1'])).stdout).toBe(`${short(img.id)}\n`);
  });

  it('prunes dangling images after confirmation, or with -f', async () => {
    await h.putImage({ tags: ['keep:1'] });
    const dangling = await h.putImage({ files: { d: 'd' } });
    const no = await h.wasmbox(['image', 'prune'], { stdin: 'n\n' });
    expect(no).toMatchObject({ code: 0, stdout: 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ' });
    expect((await h.wasmbox(['images', '-q'])).stdout.split('\n')).toHaveLength(3);
    const yes = await h.wasmbox(['image', 'prune', '-f']);
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(new RegExp(`^Deleted Images:\ndeleted: ${dangling.id}\n\nTotal reclaimed space: \\d+(\\.\\d+)?kB\n$`));
    expect((await h.wasmbox(['images', '--format', '{{.Repository}}'])).stdout).toBe('keep\n');
    expect((await h.wasmbox(['image', 'prune', '-f'])).stdout).toBe('Total reclaimed space: 0B\n');
    const all = await h.wasmbox(['image', 'prune', '-a', '-f']);
    expect(all.stdout).toContain('untagged: keep:1\n');
    expect((await h.wasmbox(['images', '-q'])).stdout).toBe('');
  });
});

describe('--help', () => {
  it.each([['images'], ['load'], ['save'], ['rmi'], ['tag'], ['inspect'], ['history'], ['image', 'ls'], ['image', 'prune'], ['image']])(
    '%s %s --help shows the description and the usage',
    async (...cmd) => {
      const r = await h.wasmbox([...cmd.filter((c): c is string => typeof c === 'string'), '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: wasmbox /);
    },
  );
});
