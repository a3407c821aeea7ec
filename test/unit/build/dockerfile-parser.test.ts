// The Dockerfile parser against a table of inputs and the syntax tree (or error) Docker's
// parser gives for them, plus a fuzz test: whatever the input, the parser either returns a
// tree or throws its own DOCKERFILE_PARSE error.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDockerfile, splitStages } from '../../../src/build/dockerfile/parser.js';
import { WasmboxError } from '../../../src/errors.js';

/** The instructions without positions/original text, for compact expectations. */
function strip(text: string): unknown[] {
  return parseDockerfile(text).instructions.map((i) => {
    const { line: _l, endLine: _e, original: _o, ...rest } = i as unknown as Record<string, unknown>;
    if (Array.isArray(rest.flags) && rest.flags.length === 0) delete rest.flags;
    if (rest.trigger && typeof rest.trigger === 'object') {
      const { line: _a, endLine: _b, original: _c, flags: _d, ...t } = rest.trigger as Record<string, unknown>;
      rest.trigger = t;
    }
    return rest;
  });
}

const shell = (script: string) => ({ form: 'shell', script });
const exec = (...argv: string[]) => ({ form: 'exec', argv });
const run = (command: unknown, extra: Record<string, unknown> = {}) => ({ kind: 'RUN', command, heredocs: [], mounts: [], ...extra });
const copy = (kind: 'COPY' | 'ADD', sources: string[], dest: string, extra: Record<string, unknown> = {}) => ({
  kind,
  sources,
  dest,
  json: false,
  heredocs: [],
  link: false,
  exclude: [],
  ...extra,
});

const OK: [string, string, unknown[]][] = [
  ['FROM', 'FROM scratch', [{ kind: 'FROM', image: 'scratch' }]],
  ['FROM AS', 'FROM base:1 AS Build', [{ kind: 'FROM', image: 'base:1', stageName: 'build' }]],
  ['FROM as lowercase', 'from base as b', [{ kind: 'FROM', image: 'base', stageName: 'b' }]],
  ['FROM --platform', 'FROM --platform=$BUILDPLATFORM x', [{ kind: 'FROM', image: 'x', platform: '$BUILDPLATFORM', flags: [{ name: 'platform', value: '$BUILDPLATFORM' }] }]],
  ['FROM variable', 'FROM ${IMG:-base}', [{ kind: 'FROM', image: '${IMG:-base}' }]],
  ['leading whitespace', '   FROM x', [{ kind: 'FROM', image: 'x' }]],
  ['comment lines', '# hi\nFROM x\n  # indented comment\nRUN a', [{ kind: 'FROM', image: 'x' }, run(shell('a'))]],
  ['blank lines', '\n\nFROM x\n\n', [{ kind: 'FROM', image: 'x' }]],
  ['CRLF', 'FROM x\r\nRUN a\r\n', [{ kind: 'FROM', image: 'x' }, run(shell('a'))]],
  ['BOM', '\uFEFFFROM x', [{ kind: 'FROM', image: 'x' }]],
  ['RUN shell', 'RUN echo hi', [run(shell('echo hi'))]],
  ['RUN exec', 'RUN ["echo", "hi"]', [run(exec('echo', 'hi'))]],
  ['RUN bad JSON falls back to shell', 'RUN [echo, hi]', [run(shell('[echo, hi]'))]],
  ['RUN JSON with non-strings falls back', 'RUN ["a", 1]', [run(shell('["a", 1]'))]],
  ['RUN continuation', 'RUN a \\\n  && b', [run(shell('a   && b'))]],
  ['continuation with trailing spaces', 'RUN a \\  \n b', [run(shell('a  b'))]],
  ['comment inside continuation', 'RUN a \\\n# c\n  b', [run(shell('a   b'))]],
  ['empty continuation line', 'RUN a \\\n\n b', [run(shell('a  b'))]],
  ['# inside arguments', 'RUN echo # not a comment', [run(shell('echo # not a comment'))]],
  ['escape directive', '# escape=`\nRUN a `\n b', [run(shell('a  b'))]],
  ['escape directive keeps backslash', '# escape=`\nRUN dir c:\\', [run(shell('dir c:\\'))]],
  ['RUN --mount', 'RUN --mount=type=cache,target=/c --network=none make', [
    run(shell('make'), { mounts: ['type=cache,target=/c'], network: 'none', flags: [{ name: 'mount', value: 'type=cache,target=/c' }, { name: 'network', value: 'none' }] }),
  ]],
  ['RUN two mounts', 'RUN --mount=a --mount=b x', [run(shell('x'), { mounts: ['a', 'b'], flags: [{ name: 'mount', value: 'a' }, { name: 'mount', value: 'b' }] })]],
  ['RUN heredoc', 'RUN <<EOF\necho hi\nEOF', [run(shell('<<EOF'), { heredocs: [{ name: 'EOF', content: 'echo hi\n', expand: true, chomp: false, fd: 0 }] })]],
  ['RUN heredoc quoted', "RUN <<'EOF'\necho $X\nEOF", [run(shell("<<'EOF'"), { heredocs: [{ name: 'EOF', content: 'echo $X\n', expand: false, chomp: false, fd: 0 }] })]],
  ['RUN heredoc double-quoted', 'RUN <<"EOF"\nx\nEOF', [run(shell('<<"EOF"'), { heredocs: [{ name: 'EOF', content: 'x\n', expand: false, chomp: false, fd: 0 }] })]],
  ['RUN heredoc chomp', 'RUN <<-EOF\n\t\techo hi\n\tEOF', [run(shell('<<-EOF'), { heredocs: [{ name: 'EOF', content: 'echo hi\n', expand: true, chomp: true, fd: 0 }] })]],
  ['RUN two heredocs', 'RUN cat <<A <<B\na\nA\nb\nB', [
    run(shell('cat <<A <<B'), { heredocs: [{ name: 'A', content: 'a\n', expand: true, chomp: false, fd: 0 }, { name: 'B', content: 'b\n', expand: true, chomp: false, fd: 0 }] }),
  ]],
  ['RUN heredoc with fd', 'RUN cat 3<<X\nq\nX', [run(shell('cat 3<<X'), { heredocs: [{ name: 'X', content: 'q\n', expand: true, chomp: false, fd: 3 }] })]],
  ['RUN heredoc empty body', 'RUN <<E\nE', [run(shell('<<E'), { heredocs: [{ name: 'E', content: '', expand: true, chomp: false, fd: 0 }] })]],
  ['exec-form RUN has no heredocs', 'RUN ["cat", "<<EOF"]', [run(exec('cat', '<<EOF'))]],
  ['heredoc then next instruction', 'RUN <<E\nx\nE\nUSER u', [
    run(shell('<<E'), { heredocs: [{ name: 'E', content: 'x\n', expand: true, chomp: false, fd: 0 }] }),
    { kind: 'USER', value: 'u' },
  ]],
  ['CMD exec', 'CMD ["a", "b c"]', [{ kind: 'CMD', command: exec('a', 'b c') }]],
  ['CMD shell', 'CMD run --it', [{ kind: 'CMD', command: shell('run --it') }]],
  ['CMD empty JSON', 'CMD []', [{ kind: 'CMD', command: exec() }]],
  ['ENTRYPOINT', 'ENTRYPOINT ["/app"]', [{ kind: 'ENTRYPOINT', command: exec('/app') }]],
  ['COPY', 'COPY a b /dst/', [copy('COPY', ['a', 'b'], '/dst/')]],
  ['COPY JSON', 'COPY ["a b", "/d"]', [copy('COPY', ['a b'], '/d', { json: true })]],
  ['COPY flags', 'COPY --from=build --chown=1:2 --chmod=755 --link x /y', [
    copy('COPY', ['x'], '/y', {
      from: 'build',
      chown: '1:2',
      chmod: '755',
      link: true,
      flags: [{ name: 'from', value: 'build' }, { name: 'chown', value: '1:2' }, { name: 'chmod', value: '755' }, { name: 'link', value: 'true' }],
    }),
  ]],
  ['COPY quoted flag value', 'COPY --chown="app" x /y', [copy('COPY', ['x'], '/y', { chown: 'app', flags: [{ name: 'chown', value: 'app' }] })]],
  ['COPY heredoc', 'COPY <<EOF /f\nhello\nEOF', [copy('COPY', ['<<EOF'], '/f', { heredocs: [{ name: 'EOF', content: 'hello\n', expand: true, chomp: false, fd: 0 }] })]],
  ['ADD', 'ADD x.tar.gz /opt/', [copy('ADD', ['x.tar.gz'], '/opt/')]],
  ['ADD checksum', 'ADD --checksum=sha256:0 http://x/y /z', [copy('ADD', ['http://x/y'], '/z', { checksum: 'sha256:0', flags: [{ name: 'checksum', value: 'sha256:0' }] })]],
  ['ENV pairs', 'ENV A=1 B="x y" C=\'$z\'', [{ kind: 'ENV', pairs: [{ key: 'A', value: '1' }, { key: 'B', value: '"x y"' }, { key: 'C', value: "'$z'" }] }]],
  ['ENV legacy', 'ENV A hello world', [{ kind: 'ENV', pairs: [{ key: 'A', value: 'hello world' }] }]],
  ['ENV empty value', 'ENV A=', [{ kind: 'ENV', pairs: [{ key: 'A', value: '' }] }]],
  ['ENV escaped space', 'ENV A=x\\ y', [{ kind: 'ENV', pairs: [{ key: 'A', value: 'x\\ y' }] }]],
  ['ENV continuation', 'ENV A=1 \\\n    B=2', [{ kind: 'ENV', pairs: [{ key: 'A', value: '1' }, { key: 'B', value: '2' }] }]],
  ['LABEL', 'LABEL "com.x"="a b" v=1', [{ kind: 'LABEL', pairs: [{ key: '"com.x"', value: '"a b"' }, { key: 'v', value: '1' }] }]],
  ['ARG', 'ARG A', [{ kind: 'ARG', args: [{ name: 'A' }] }]],
  ['ARG default', 'ARG A=1 B', [{ kind: 'ARG', args: [{ name: 'A', value: '1' }, { name: 'B' }] }]],
  ['ARG quoted default', 'ARG A="x y"', [{ kind: 'ARG', args: [{ name: 'A', value: '"x y"' }] }]],
  ['WORKDIR', 'WORKDIR /app/$X', [{ kind: 'WORKDIR', value: '/app/$X' }]],
  ['USER', 'USER app:staff', [{ kind: 'USER', value: 'app:staff' }]],
  ['STOPSIGNAL', 'STOPSIGNAL SIGTERM', [{ kind: 'STOPSIGNAL', value: 'SIGTERM' }]],
  ['MAINTAINER', 'MAINTAINER Jane <j@x>', [{ kind: 'MAINTAINER', value: 'Jane <j@x>' }]],
  ['EXPOSE', 'EXPOSE 80 443/tcp 53/udp', [{ kind: 'EXPOSE', values: ['80', '443/tcp', '53/udp'] }]],
  ['VOLUME list', 'VOLUME /a /b', [{ kind: 'VOLUME', values: ['/a', '/b'] }]],
  ['VOLUME JSON', 'VOLUME ["/a b"]', [{ kind: 'VOLUME', values: ['/a b'] }]],
  ['SHELL', 'SHELL ["/bin/bash", "-c"]', [{ kind: 'SHELL', shell: ['/bin/bash', '-c'] }]],
  ['HEALTHCHECK NONE', 'HEALTHCHECK NONE', [{ kind: 'HEALTHCHECK', none: true }]],
  ['HEALTHCHECK CMD', 'HEALTHCHECK --interval=1m30s --retries=3 CMD curl -f x', [
    {
      kind: 'HEALTHCHECK',
      none: false,
      command: shell('curl -f x'),
      interval: 90e9,
      retries: 3,
      flags: [{ name: 'interval', value: '1m30s' }, { name: 'retries', value: '3' }],
    },
  ]],
  ['HEALTHCHECK exec', 'HEALTHCHECK --timeout=500ms CMD ["/check"]', [
    { kind: 'HEALTHCHECK', none: false, command: exec('/check'), timeout: 5e8, flags: [{ name: 'timeout', value: '500ms' }] },
  ]],
  ['ONBUILD', 'ONBUILD run echo hi', [{ kind: 'ONBUILD', expression: 'run echo hi', trigger: run(shell('echo hi')) }]],
  ['instruction case', 'copy a /b', [copy('COPY', ['a'], '/b')]],
  ['unknown directive is a comment', '# foo=bar\n# escape=`\nRUN a \\\nb', [run(shell('a b'))]],
];

describe('Dockerfile parser: table', () => {
  it.each(OK)('%s', (_name, input, expected) => {
    expect(strip(input)).toEqual(expected);
  });

  it('has at least 50 cases', () => expect(OK.length).toBeGreaterThanOrEqual(50));

  it('records line numbers, end lines and the original text', () => {
    const df = parseDockerfile('# syntax=docker/dockerfile:1\nFROM x\n\nRUN a \\\n  b\nCOPY <<E /f\n1\nE\nUSER u');
    expect(df.directives).toEqual({ syntax: 'docker/dockerfile:1' });
    expect(df.instructions.map((i) => [i.kind, i.line, i.endLine])).toEqual([
      ['FROM', 2, 2],
      ['RUN', 4, 5],
      ['COPY', 6, 8],
      ['USER', 9, 9],
    ]);
    expect(df.instructions[1]!.original).toBe('RUN a   b');
  });

  it('warns about empty continuation lines', () => {
    expect(parseDockerfile('FROM x\nRUN a \\\n\n b').warnings[0]).toMatch(/Dockerfile:2: empty continuation line/);
  });

  it('stops reading directives after the first other line', () => {
    const df = parseDockerfile('FROM x\n# escape=`\nRUN a \\\n b');
    expect(df.escape).toBe('\\');
    expect(df.directives).toEqual({});
  });

  it('splits stages and global ARGs', () => {
    const { globalArgs, stages } = splitStages(parseDockerfile('ARG V=1\nFROM a AS one\nRUN x\nFROM one\nUSER u'));
    expect(globalArgs.map((a) => a.args)).toEqual([[{ name: 'V', value: '1' }]]);
    expect(stages.map((s) => [s.index, s.name, s.instructions.map((i) => i.kind)])).toEqual([
      [0, 'one', ['RUN']],
      [1, undefined, ['USER']],
    ]);
  });
});

const BAD: [string, string, RegExp][] = [
  ['unknown instruction', 'FROM x\n\nCOPPY a b', /^Dockerfile:3: unknown instruction: COPPY$/],
  ['unknown flag', 'FROM x\nCOPY --form=a x y', /^Dockerfile:2: COPY: unknown flag: --form$/],
  ['flag on an instruction without flags', 'FROM x\nUSER --x=1 a', /Dockerfile:2: USER: unknown flag: --x/],
  ['duplicate flag', 'FROM x\nCOPY --from=a --from=b x y', /duplicate flag specified: --from/],
  ['boolean flag value', 'FROM x\nCOPY --link=maybe a b', /expecting boolean value for flag --link/],
  ['unterminated double quote', 'FROM x\nENV A="x', /^Dockerfile:2: ENV: unterminated double quote/],
  ['unterminated single quote', "FROM x\nLABEL a='b", /Dockerfile:2: LABEL: unterminated single quote/],
  ['unterminated heredoc', 'FROM x\nRUN <<EOF\necho', /Dockerfile:2: RUN: unterminated heredoc/],
  ['FROM arity', 'FROM a b', /Dockerfile:1: FROM: FROM requires either one argument, or three/],
  ['bad stage name', 'FROM a AS 1x', /invalid name for build stage/],
  ['COPY one argument', 'FROM x\nCOPY a', /COPY requires at least two arguments/],
  ['ENV no =', 'FROM x\nENV A=1 B', /can't find = in "B"/],
  ['ENV legacy without value', 'FROM x\nENV A', /ENV must have two arguments/],
  ['ARG empty', 'FROM x\nARG', /ARG requires at least one argument/],
  ['SHELL not JSON', 'FROM x\nSHELL /bin/sh -c', /SHELL requires the arguments to be in JSON form/],
  ['HEALTHCHECK type', 'FROM x\nHEALTHCHECK RUN x', /unknown type "RUN" in HEALTHCHECK/],
  ['HEALTHCHECK duration', 'FROM x\nHEALTHCHECK --interval=5 CMD x', /invalid duration for --interval/],
  ['ONBUILD ONBUILD', 'FROM x\nONBUILD ONBUILD RUN x', /ONBUILD ONBUILD/],
  ['ONBUILD FROM', 'FROM x\nONBUILD FROM y', /FROM isn't allowed as an ONBUILD trigger/],
  ['duplicate directive', '# escape=`\n# escape=\\\nFROM x', /^Dockerfile:2: only one escape parser directive/],
  ['bad escape', '# escape=x\nFROM x', /invalid escape token/],
  ['WORKDIR empty', 'FROM x\nWORKDIR', /WORKDIR requires exactly one argument/],
  ['RUN empty', 'FROM x\nRUN', /RUN requires at least one argument/],
];

describe('Dockerfile parser: errors', () => {
  it.each(BAD)('%s', (_name, input, message) => {
    let err: unknown;
    try {
      parseDockerfile(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WasmboxError);
    expect((err as WasmboxError).code).toBe('DOCKERFILE_PARSE');
    expect((err as WasmboxError).message).toMatch(message);
  });

  it('names the file given', () => {
    expect(() => parseDockerfile('FROM x\nNOPE', { file: 'web.Dockerfile' })).toThrow(/^web\.Dockerfile:2: unknown instruction: NOPE$/);
  });

  it('checks the stage structure', () => {
    expect(() => splitStages(parseDockerfile('ENV A=1\nFROM x'))).toThrow(/Dockerfile:1: ENV: no build stage in current context/);
    expect(() => splitStages(parseDockerfile('ARG A'))).toThrow(/no FROM instruction/);
    expect(() => splitStages(parseDockerfile('FROM a AS x\nFROM b AS X'))).toThrow(/Dockerfile:2: FROM: duplicate stage name "x"/);
  });
});

describe('Dockerfile parser: fuzz', () => {
  const piece = fc.constantFrom(
    'FROM ', 'RUN ', 'COPY ', 'ADD ', 'ENV ', 'ARG ', 'LABEL ', 'CMD ', 'HEALTHCHECK ', 'ONBUILD ', 'SHELL ', 'VOLUME ', 'EXPOSE ', 'WORKDIR ',
    '\n', '\\\n', '`\n', '<<EOF', '<<-E', '\nEOF\n', '"', "'", '[', ']', '["a"]', '--from=x ', '--mount=', '=', '$', '${', '}', '#', '# escape=`\n', ' ', '\t', 'a', 'x=1', 'AS ', 'CMD ', 'NONE',
  );
  it('returns a tree or throws DOCKERFILE_PARSE, nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { maxLength: 40 }), (parts) => {
        try {
          const df = parseDockerfile(parts.join(''));
          try {
            splitStages(df);
          } catch (e) {
            expect(e).toBeInstanceOf(WasmboxError);
            expect((e as WasmboxError).code).toBe('DOCKERFILE_PARSE');
          }
        } catch (e) {
          expect(e).toBeInstanceOf(WasmboxError);
          expect((e as WasmboxError).code).toBe('DOCKERFILE_PARSE');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
