// The builder end to end on in-memory stores: a table of Dockerfiles → image config, layer
// count and files of the built image; multi-stage builds, build args, .dockerignore,
// heredocs, ONBUILD, RUN through the fake runner, and the errors a bad Dockerfile gives.

import { beforeEach, describe, expect, it } from 'vitest';
import { writeTar } from '../../../src/layers/tar-writer.js';
import { gzip } from '../../../src/layers/compression.js';
import { isWasmboxError } from '../../../src/errors.js';
import type { WasmboxError } from '../../../src/errors.js';
import type { ImageConfig } from '../../../src/image/config.js';
import { createHarness } from './harness.js';
import type { BuiltImage, Harness } from './harness.js';
import type { MemoryContextFiles } from '../../../src/build/context.js';
import type { BuildOptions } from '../../../src/build/builder.js';

const enc = new TextEncoder();

function tarOf(files: Record<string, string>): Uint8Array {
  return writeTar(Object.entries(files).map(([path, data]) => ({ path, type: 'file' as const, mode: 0o600, uid: 7, gid: 8, mtimeMs: 0, data: enc.encode(data) })));
}

interface Case {
  name: string;
  dockerfile: string;
  files?: MemoryContextFiles;
  options?: Partial<BuildOptions>;
  /** Layers of the built image, base included (the base image has 1). */
  layers?: number;
  config?: (c: NonNullable<ImageConfig['config']>, image: ImageConfig) => void;
  check?: (img: BuiltImage) => void;
}

const CASES: Case[] = [
  {
    name: 'ENV, with values seeing the variables from before the instruction',
    dockerfile: 'FROM base:1\nENV A=1\nENV A=2 B=$A C="x y" D=${UNSET:-dflt}\nENV E $A and more',
    layers: 1,
    config: (c) => expect(c.Env).toEqual(['PATH=/bin', 'BASE=yes', 'A=2', 'B=1', 'C=x y', 'D=dflt', 'E=2 and more']),
  },
  {
    name: 'LABEL, USER, STOPSIGNAL, EXPOSE, VOLUME, MAINTAINER',
    dockerfile: 'FROM base:1\nENV U=app\nLABEL "com.x.a"="1 2" b=$U\nUSER $U:staff\nSTOPSIGNAL SIGINT\nEXPOSE 80 53/udp 8000-8001\nVOLUME /data ["/logs"]\nVOLUME ["/v"]\nMAINTAINER me <me@x>',
    layers: 1,
    config: (c, image) => {
      expect(c.Labels).toEqual({ 'com.x.a': '1 2', b: 'app' });
      expect(c.User).toBe('app:staff');
      expect(c.StopSignal).toBe('SIGINT');
      expect(Object.keys(c.ExposedPorts!)).toEqual(['80/tcp', '53/udp', '8000/tcp', '8001/tcp']);
      // The shell form's words lose their quotes, as in Docker.
      expect(Object.keys(c.Volumes!)).toEqual(['/data', '[/logs]', '/v']);
      expect(image.author).toBe('me <me@x>');
    },
  },
  {
    name: 'CMD and ENTRYPOINT in both forms; ENTRYPOINT drops the base CMD; SHELL changes the shell form',
    dockerfile: 'FROM base:1\nENTRYPOINT ["/app"]\nSHELL ["/bin/ash", "-e", "-c"]\nCMD run it',
    config: (c) => {
      expect(c.Entrypoint).toEqual(['/app']);
      expect(c.Cmd).toEqual(['/bin/ash', '-e', '-c', 'run it']);
      expect(c.Shell).toEqual(['/bin/ash', '-e', '-c']);
    },
  },
  {
    name: 'ENTRYPOINT after CMD in the same stage keeps the CMD',
    dockerfile: 'FROM base:1\nCMD ["x"]\nENTRYPOINT /e',
    config: (c) => {
      expect(c.Cmd).toEqual(['x']);
      expect(c.Entrypoint).toEqual(['/bin/sh', '-c', '/e']);
    },
  },
  {
    name: 'ENTRYPOINT alone drops the base CMD',
    dockerfile: 'FROM base:1\nENTRYPOINT ["/e"]',
    config: (c) => expect(c.Cmd).toBeUndefined(),
  },
  {
    name: 'HEALTHCHECK and ONBUILD are stored',
    dockerfile: 'FROM base:1\nHEALTHCHECK --interval=5s --retries=2 CMD check me\nONBUILD run echo x\nONBUILD COPY . /src',
    config: (c) => {
      expect(c.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'check me'], Interval: 5e9, Retries: 2 });
      expect(c.OnBuild).toEqual(['RUN echo x', 'COPY . /src']);
    },
  },
  {
    name: 'HEALTHCHECK NONE',
    dockerfile: 'FROM base:1\nHEALTHCHECK NONE',
    config: (c) => expect(c.Healthcheck).toEqual({ Test: ['NONE'] }),
  },
  {
    name: 'WORKDIR is created (one layer), relative WORKDIRs chain, a second one to an existing dir makes no layer',
    dockerfile: 'FROM base:1\nWORKDIR /a\nWORKDIR b\nWORKDIR /a',
    layers: 3,
    config: (c) => expect(c.WorkingDir).toBe('/a'),
    check: (img) => expect(img.fs.kindOf('/a/b')).toBe('dir'),
  },
  {
    name: 'COPY of the whole context copies contents, not the directory',
    dockerfile: 'FROM base:1\nCOPY . /app',
    files: { 'a.txt': 'A', 'src/b.c': 'B' },
    layers: 2,
    check: (img) => {
      expect(img.read('/app/a.txt')).toBe('A');
      expect(img.read('/app/src/b.c')).toBe('B');
      expect(img.read('/app/Dockerfile')).toContain('COPY');
    },
  },
  {
    name: 'COPY of a file to a new name, into a directory, relative to WORKDIR',
    dockerfile: 'FROM base:1\nWORKDIR /w\nCOPY a.txt renamed\nCOPY a.txt sub/\nCOPY src /opt/src',
    files: { 'a.txt': 'A', 'src/b.c': 'B', 'src/deep/c.c': 'C' },
    layers: 5,
    check: (img) => {
      expect(img.read('/w/renamed')).toBe('A');
      expect(img.read('/w/sub/a.txt')).toBe('A');
      expect(img.read('/opt/src/b.c')).toBe('B');
      expect(img.read('/opt/src/deep/c.c')).toBe('C');
    },
  },
  {
    name: 'COPY with globs and several sources',
    dockerfile: 'FROM base:1\nCOPY *.txt src/*.c /dst/\nCOPY ["a.txt", "/json dest"]',
    files: { 'a.txt': 'A', 'b.txt': 'B', 'c.md': 'no', 'src/x.c': 'X' },
    check: (img) => {
      expect(img.read('/dst/a.txt')).toBe('A');
      expect(img.read('/dst/b.txt')).toBe('B');
      expect(img.read('/dst/x.c')).toBe('X');
      expect(img.read('/dst/c.md')).toBeUndefined();
      expect(img.read('/json dest')).toBe('A');
    },
  },
  {
    name: 'COPY --chown by name (from /etc/passwd and /etc/group) and by number, --chmod',
    dockerfile: 'FROM base:1\nCOPY --chown=app:staff a.txt /x/\nCOPY --chown=12 --chmod=700 a.txt /y\nCOPY --chown=ghost a.txt /z',
    files: { 'a.txt': { data: 'A', mode: 0o640 } },
    check: (img) => {
      const x = img.fs.stat('/x/a.txt');
      expect([x.uid, x.gid, x.mode]).toEqual([1000, 50, 0o640]);
      const y = img.fs.stat('/y');
      expect([y.uid, y.gid, y.mode]).toEqual([12, 12, 0o700]);
      expect(img.fs.stat('/z').uid).toBe(0);
    },
  },
  {
    name: 'COPY keeps symlinks as symlinks',
    dockerfile: 'FROM base:1\nCOPY . /app/',
    files: { 'a.txt': 'A', link: { symlink: 'a.txt' } },
    check: (img) => {
      expect(img.fs.readlink('/app/link')).toBe('a.txt');
      expect(img.read('/app/link')).toBe('A');
    },
  },
  {
    name: 'COPY heredocs: expanded unless the delimiter is quoted; several at once',
    dockerfile: "FROM base:1\nARG WHO=world\nCOPY <<EOF /hello\nhello $WHO\nEOF\nCOPY <<'EOF' /raw\nhello $WHO\nEOF\nCOPY <<A <<B /both/\na\nA\nb\nB",
    check: (img) => {
      expect(img.read('/hello')).toBe('hello world\n');
      expect(img.read('/raw')).toBe('hello $WHO\n');
      expect(img.read('/both/A')).toBe('a\n');
      expect(img.read('/both/B')).toBe('b\n');
    },
  },
  {
    name: 'ADD extracts local tar archives (plain and gzip), copies other files',
    dockerfile: 'FROM base:1\nADD plain.tar /p/\nADD packed.tar.gz /g\nADD note.txt /n.txt',
    files: { 'plain.tar': tarOf({ 'in/one': '1' }), 'packed.tar.gz': new Uint8Array(0), 'note.txt': 'N' },
    check: (img) => {
      expect(img.read('/p/in/one')).toBe('1');
      expect(img.fs.stat('/p/in/one').uid).toBe(7);
      expect(img.read('/g/two')).toBe('2');
      expect(img.read('/n.txt')).toBe('N');
    },
  },
  {
    name: 'ARG before FROM is usable in FROM; --build-arg overrides; ENV wins over ARG',
    dockerfile: 'ARG TAG=0\nFROM base:${TAG}\nARG TAG\nARG X=default\nARG Y=y\nENV Y=env\nLABEL tag=$TAG x=$X y=$Y',
    options: { buildArgs: { TAG: '1', X: 'given' } },
    config: (c) => expect(c.Labels).toEqual({ tag: '1', x: 'given', y: 'env' }),
  },
  {
    name: 'a global ARG is not visible in a stage until declared there',
    dockerfile: 'ARG V=global\nFROM base:1\nLABEL before=[$V]\nARG V\nLABEL after=[$V]',
    config: (c) => expect(c.Labels).toEqual({ before: '[]', after: '[global]' }),
  },
  {
    name: 'BuildKit platform args exist in the global scope',
    dockerfile: 'FROM base:1\nARG TARGETARCH\nARG TARGETOS\nLABEL p=$TARGETOS/$TARGETARCH',
    config: (c) => expect(c.Labels).toEqual({ p: 'wasi/wasm' }),
  },
  {
    name: '--label adds labels to the final image',
    dockerfile: 'FROM base:1\nLABEL a=1',
    options: { labels: { b: "it's", a: 'over' } },
    config: (c) => expect(c.Labels).toEqual({ a: 'over', b: "it's" }),
  },
  {
    name: 'multi-stage: COPY --from by name and by index, FROM a previous stage, only the last stage is the image',
    dockerfile: 'FROM base:1 AS build\nCOPY a.txt /out/a\nRUN echo built > /out/b\nFROM scratch\nCOPY --from=build /out /bin/\nCOPY --from=0 /etc/passwd /passwd\nFROM build AS again\nLABEL s=again',
    files: { 'a.txt': 'A' },
    layers: 3,
    check: (img) => {
      expect(img.read('/out/a')).toBe('A');
      expect(img.read('/out/b')).toBe('built\n');
    },
  },
  {
    name: '--target stops at a stage',
    dockerfile: 'FROM base:1 AS one\nLABEL stage=one\nFROM one AS two\nLABEL stage=two\nRUN false',
    options: { target: 'one' },
    config: (c) => expect(c.Labels).toEqual({ stage: 'one' }),
  },
  {
    name: 'FROM scratch with COPY --from an image',
    dockerfile: 'FROM scratch\nCOPY --from=base:1 /etc/passwd /p',
    layers: 1,
    check: (img) => expect(img.read('/p')).toContain('app:x:1000'),
  },
  {
    name: '.dockerignore keeps files out of COPY, with exceptions',
    dockerfile: 'FROM base:1\nCOPY . /app/',
    files: { '.dockerignore': '*.log\nsecret\n!keep.log\nDockerfile\n.dockerignore', 'a.log': 'x', 'keep.log': 'k', 'secret/key': 's', 'ok.txt': 'ok' },
    check: (img) => {
      expect(img.read('/app/ok.txt')).toBe('ok');
      expect(img.read('/app/keep.log')).toBe('k');
      expect(img.read('/app/a.log')).toBeUndefined();
      expect(img.fs.exists('/app/secret')).toBe(false);
      expect(img.fs.exists('/app/Dockerfile')).toBe(false);
    },
  },
  {
    name: 'RUN: shell form with env, args and WORKDIR; exec form; a RUN changing nothing makes no layer',
    dockerfile: 'FROM base:1\nARG V=7\nENV E=e\nWORKDIR /w\nRUN echo $E $V > out && pwd > where\nRUN ["echo", "exec form"]\nRUN true',
    layers: 3,
    check: (img) => {
      expect(img.read('/w/out')).toBe('e 7\n');
      expect(img.read('/w/where')).toBe('/w\n');
    },
  },
  {
    name: 'RUN heredoc: the body is the script',
    dockerfile: 'FROM base:1\nRUN <<EOF\necho one > /one\necho two > /two\nEOF',
    check: (img) => {
      expect(img.read('/one')).toBe('one\n');
      expect(img.read('/two')).toBe('two\n');
    },
  },
  {
    name: 'ONBUILD triggers run when the image is used as a base, and are not inherited',
    dockerfile: 'FROM onbuild-base:1\nLABEL child=1',
    files: { 'trigger.txt': 'T' },
    config: (c) => {
      expect(c.OnBuild).toBeUndefined();
      expect(c.Labels).toEqual({ from: 'trigger', child: '1' });
    },
    check: (img) => expect(img.read('/src/trigger.txt')).toBe('T'),
  },
];

describe('builder: Dockerfile → image', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
    await h.build('FROM base:1\nONBUILD COPY trigger.txt /src/\nONBUILD LABEL from=trigger', {}, { tags: ['onbuild-base:1'] });
  });

  it.each(CASES)('$name', async (c) => {
    const files = { ...(c.files ?? {}) };
    if (c.name.startsWith('ADD')) files['packed.tar.gz'] = await gzip(tarOf({ two: '2' }));
    const result = await h.build(c.dockerfile, files, { tags: ['out:1'], ...c.options });
    const img = await h.image('out:1');
    expect(img.config.config?.Labels?.never).toBeUndefined();
    expect(result.imageId).toBe((await h.images.resolve('out:1')).id);
    if (c.layers !== undefined) expect(img.layerCount).toBe(c.layers);
    expect(img.config.rootfs.diff_ids.length).toBe(img.layerCount);
    expect(img.config.history!.filter((e) => !e.empty_layer).length).toBe(img.layerCount);
    c.config?.(img.config.config ?? {}, img.config);
    c.check?.(img);
  });

  it('writes Docker-like history entries', async () => {
    await h.build('FROM base:1\nARG V=1\nENV A=1\nWORKDIR /app\nCOPY a.txt .\nRUN echo hi\nCMD ["x", "y"]', { 'a.txt': 'A' }, { tags: ['h:1'] });
    const history = (await h.image('h:1')).config.history!.slice(1);
    expect(history.map((e) => [e.created_by, e.empty_layer ?? false])).toEqual([
      ['/bin/sh -c #(nop)  ARG V=1', true],
      ['/bin/sh -c #(nop)  ENV A=1', true],
      ['/bin/sh -c #(nop) WORKDIR /app', false],
      [expect.stringMatching(/^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/app $/), false],
      ['|1 V=1 /bin/sh -c echo hi', true],
      ['/bin/sh -c #(nop)  CMD ["x" "y"]', true],
    ]);
  });

  it('gives the RUN step its context through the seam', async () => {
    await h.build('FROM base:1\nARG A=1\nENV PATH=/bin B=2\nUSER app\nWORKDIR /w\nRUN --mount=type=cache,target=/c echo hi', {}, { buildArgs: { HTTP_PROXY: 'http://p' } });
    const call = h.log.calls[h.log.calls.length - 1]!;
    expect(call.argv).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(call.shellForm).toEqual({ shell: ['/bin/sh', '-c'], script: 'echo hi' });
    expect(call.env).toEqual(['PATH=/bin', 'BASE=yes', 'B=2', 'A=1', 'HTTP_PROXY=http://p']);
    expect(call.cwd).toBe('/w');
    expect(call.user).toBe('app');
    expect(call.mounts).toEqual(['type=cache,target=/c']);
  });

  it('passes a RUN with heredocs after a command to the shell whole', async () => {
    await h.build('FROM base:1\nRUN true <<A\nbody\nA', {}, { runStep: async (ctx) => (h.log.calls.push(ctx), 0) });
    expect(h.log.calls[h.log.calls.length - 1]!.shellForm!.script).toBe('true <<A\nbody\nA');
  });

  it('runs a heredoc with a shebang as a file under /dev/pipes', async () => {
    await h.build('FROM base:1\nRUN <<X\n#!/bin/tool\nhi\nX', {}, {
      runStep: async (ctx) => {
        h.log.calls.push(ctx);
        return new TextDecoder().decode(ctx.fs.readFile('/dev/pipes/X')) === '#!/bin/tool\nhi\n' ? 0 : 1;
      },
    });
    expect(h.log.calls[h.log.calls.length - 1]!.argv).toEqual(['/dev/pipes/X']);
  });

  it('prints the classic builder output', async () => {
    h.output.length = 0;
    const r = await h.build('FROM base:1\nENV A=1\nRUN echo hi\nCOPY a.txt /', { 'a.txt': 'A' }, { tags: ['x'] });
    const text = h.output.join('');
    const base = (await h.images.resolve('base:1')).id.slice(7, 19);
    expect(text).toMatch(
      new RegExp(
        `^Step 1/4 : FROM base:1\\n ---> ${base}\\nStep 2/4 : ENV A=1\\n ---> Running in [0-9a-f]{12}\\nRemoving intermediate container [0-9a-f]{12}\\n ---> [0-9a-f]{12}\\n` +
          `Step 3/4 : RUN echo hi\\n ---> Running in [0-9a-f]{12}\\nhi\\nRemoving intermediate container [0-9a-f]{12}\\n ---> [0-9a-f]{12}\\n` +
          `Step 4/4 : COPY a.txt /\\n ---> ${r.imageId.slice(7, 19)}\\nSuccessfully built ${r.imageId.slice(7, 19)}\\nSuccessfully tagged x:latest\\n$`,
      ),
    );
  });

  it('prints the --progress=plain output', async () => {
    h.output.length = 0;
    await h.build('FROM base:1 AS b\nENV A=1\nRUN echo hi\nFROM b\nCOPY a.txt /', { 'a.txt': 'A' }, { tags: ['x'], progress: 'plain' });
    const text = h.output.join('');
    expect(text).toContain('#1 [internal] load build definition from Dockerfile\n');
    expect(text).toMatch(/#3 \[b 1\/2\] FROM base:1\n#3 DONE \d+\.\ds\n\n#4 \[b 2\/2\] RUN echo hi\n#4 \d+\.\d{3} hi\n#4 DONE \d+\.\ds\n\n#5 \[stage-1 1\/2\] FROM b\n/);
    expect(text).toMatch(/#6 \[stage-1 2\/2\] COPY a.txt \/\n#6 DONE/);
    expect(text).toMatch(/exporting to image\n.*\n#7 writing image sha256:[0-9a-f]{64} done\n#7 naming to docker.io\/library\/x:latest done\n/);
  });

  it('warns about build args no stage declared', async () => {
    const r = await h.build('FROM base:1\nARG USED\nRUN true', {}, { buildArgs: { USED: '1', UNUSED: '2', http_proxy: 'x' } });
    expect(r.warnings).toContain('[Warning] One or more build-args [UNUSED] were not consumed');
  });
});

async function failure(h: Harness, dockerfile: string, files: MemoryContextFiles = {}, options: Partial<BuildOptions> = {}): Promise<WasmboxError> {
  try {
    await h.build(dockerfile, files, { tags: ['fail:1'], ...options });
  } catch (e) {
    if (isWasmboxError(e)) return e;
    throw e;
  }
  throw new Error('the build succeeded');
}

describe('builder: failures', () => {
  it.each([
    ['unknown instruction', 'FROM base:1\nCOPPY a b', {}, 'DOCKERFILE_PARSE', /^Dockerfile:2: unknown instruction: COPPY$/],
    ['unterminated quote', 'FROM base:1\nENV A="x', {}, 'DOCKERFILE_PARSE', /^Dockerfile:2: ENV: unterminated double quote/],
    ['COPY outside the context', 'FROM base:1\nCOPY ../x /x', {}, 'UNSAFE_PATH', /^Dockerfile:2: COPY failed: forbidden path outside the build context: \.\.\/x/],
    ['COPY of a missing file', 'FROM base:1\nCOPY nope /x', {}, 'ENOENT', /^Dockerfile:2: COPY failed: file not found in build context or excluded by \.dockerignore: stat nope/],
    ['COPY of an ignored file', 'FROM base:1\nCOPY secret /x', { secret: 's', '.dockerignore': 'secret' }, 'ENOENT', /file not found in build context or excluded/],
    ['COPY glob with no match', 'FROM base:1\nCOPY *.none /x/', {}, 'ENOENT', /no source files were specified/],
    ['COPY of several files to a non-directory', 'FROM base:1\nCOPY a b /x', { a: '', b: '' }, 'INVALID_ARGUMENT', /the destination must be a directory and end with a \//],
    ['ADD of a URL', 'FROM base:1\nADD https://example.com/x /x', {}, 'EACCES', /^Dockerfile:2: ADD failed: https:\/\/example.com\/x: network access is disabled during builds/],
    ['FROM an unknown image', 'FROM base:1\nLABEL a=b\nFROM nothing:here', {}, 'IMAGE_NOT_FOUND', /^Dockerfile:3: FROM failed: No such image: nothing:here/],
    ['COPY --from an unknown stage', 'FROM base:1\nCOPY --from=nope /a /b', {}, 'IMAGE_NOT_FOUND', /^Dockerfile:2: COPY failed: --from=nope/],
    ['bad substitution', 'FROM base:1\nWORKDIR ${', {}, 'DOCKERFILE_PARSE', /^Dockerfile:2: WORKDIR: syntax error/],
    ['unknown target', 'FROM base:1 AS a', {}, 'NOT_FOUND', /failed to reach build target nope/],
    ['nothing built', 'FROM scratch', {}, 'BUILD_FAILED', /No image was generated/],
    ['no Dockerfile', '', {}, 'NOT_FOUND', /Cannot locate specified Dockerfile: Other/],
  ] as const)('%s', async (name, dockerfile, files, code, message) => {
    const h = await createHarness();
    const options: Partial<BuildOptions> = name === 'unknown target' ? { target: 'nope' } : name === 'no Dockerfile' ? { dockerfile: 'Other' } : {};
    const e = await failure(h, dockerfile, files, options);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('a failing RUN ends the build with docker\'s message, the exit code and the line; no tag, no new image', async () => {
    const h = await createHarness();
    const before = await h.images.list();
    const e = await failure(h, 'FROM base:1\nCOPY a /a\nRUN false\nLABEL never=1', { a: 'A' });
    expect(e.code).toBe('BUILD_FAILED');
    expect(e.message).toBe("The command '/bin/sh -c false' returned a non-zero code: 1");
    expect(e.details).toMatchObject({ line: 3, exitCode: 1, file: 'Dockerfile' });
    expect(await h.images.list()).toEqual(before);
    await expect(h.images.resolve('fail:1')).rejects.toThrow(/No such image/);
    // The cache stays valid: the steps before the failure are reused.
    h.output.length = 0;
    await expect(h.build('FROM base:1\nCOPY a /a\nRUN true', { a: 'A' })).resolves.toBeTruthy();
    expect(h.output.join('')).toMatch(/Step 2\/3 : COPY a \/a\n ---> Using cache/);
  });

  it('RUN without a runner fails clearly', async () => {
    const h = await createHarness();
    const e = await failure(h, 'FROM base:1\nRUN echo hi', {}, { runStep: undefined });
    expect(e.code).toBe('NOT_IMPLEMENTED');
    expect(e.message).toBe('Dockerfile:2: RUN is not supported yet: the runner is not available');
  });

  it('a failure keeps an existing tag where it was', async () => {
    const h = await createHarness();
    await h.build('FROM base:1\nLABEL v=1', {}, { tags: ['keep:1'] });
    const id = (await h.images.resolve('keep:1')).id;
    await failure(h, 'FROM base:1\nLABEL v=2\nRUN exit 3', {}, { tags: ['keep:1'] });
    expect((await h.images.resolve('keep:1')).id).toBe(id);
  });
});
