// Docker reference parsing: a table of Docker's own cases (distribution/reference tests and
// docker CLI behaviour) and fast-check properties (round trip; only WasmboxError escapes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WasmboxError } from '../../../src/errors.js';
import { ImageRef, familiarize, parseReference } from '../../../src/image/reference.js';

const D = 'sha256:' + 'f'.repeat(64);

describe('parseReference', () => {
  const valid: [input: string, full: string, familiar: string][] = [
    ['ruby', 'docker.io/library/ruby:latest', 'ruby:latest'],
    ['ruby:3.3', 'docker.io/library/ruby:3.3', 'ruby:3.3'],
    ['library/ruby', 'docker.io/library/ruby:latest', 'ruby:latest'],
    ['docker.io/ruby', 'docker.io/library/ruby:latest', 'ruby:latest'],
    ['index.docker.io/ruby', 'docker.io/library/ruby:latest', 'ruby:latest'],
    ['docker.io/library/ruby:latest', 'docker.io/library/ruby:latest', 'ruby:latest'],
    ['user/app:1.0', 'docker.io/user/app:1.0', 'user/app:1.0'],
    ['docker.io/library/a/b', 'docker.io/library/a/b:latest', 'library/a/b:latest'],
    [`localhost:5000/x@${D}`, `localhost:5000/x@${D}`, `localhost:5000/x@${D}`],
    [`host.example/a/b:tag@${D}`, `host.example/a/b:tag@${D}`, `host.example/a/b:tag@${D}`],
    ['localhost/foo', 'localhost/foo:latest', 'localhost/foo:latest'],
    ['localhost', 'docker.io/library/localhost:latest', 'localhost:latest'],
    ['test_com', 'docker.io/library/test_com:latest', 'test_com:latest'],
    ['test.com:tag', 'docker.io/library/test.com:tag', 'test.com:tag'],
    ['test.com:5000', 'docker.io/library/test.com:5000', 'test.com:5000'],
    ['test.com/repo:tag', 'test.com/repo:tag', 'test.com/repo:tag'],
    ['test:5000/repo', 'test:5000/repo:latest', 'test:5000/repo:latest'],
    [`test:5000/repo:tag@${D}`, `test:5000/repo:tag@${D}`, `test:5000/repo:tag@${D}`],
    ['lowercase:Uppercase', 'docker.io/library/lowercase:Uppercase', 'lowercase:Uppercase'],
    ['foo/foo_bar.com:8080', 'docker.io/foo/foo_bar.com:8080', 'foo/foo_bar.com:8080'],
    ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com/bar/baz/quux:latest', 'sub-dom1.foo.com/bar/baz/quux:latest'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000/x:latest', '127.0.0.1:5000/x:latest'],
    ['[fe80::1]:5000/repo', '[fe80::1]:5000/repo:latest', '[fe80::1]:5000/repo:latest'],
    ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage:xn--n3h.com'],
    ['Foo/bar', 'Foo/bar:latest', 'Foo/bar:latest'],
    ['a__b/c--d/e.f', 'docker.io/a__b/c--d/e.f:latest', 'a__b/c--d/e.f:latest'],
    ['ghcr.io/owner/img:v1', 'ghcr.io/owner/img:v1', 'ghcr.io/owner/img:v1'],
    [`ruby@${D}`, `docker.io/library/ruby@${D}`, `ruby@${D}`],
  ];
  it.each(valid)('%s → %s', (input, full, familiar) => {
    const ref = parseReference(input);
    expect(ref.toString()).toBe(full);
    expect(ref.familiar()).toBe(familiar);
    expect(parseReference(full).toString()).toBe(full);
  });

  it('splits the parts', () => {
    const ref = parseReference(`localhost:5000/a/b:1.0@${D}`);
    expect(ref.domain).toBe('localhost:5000');
    expect(ref.path).toBe('a/b');
    expect(ref.tag).toBe('1.0');
    expect(ref.digest).toBe(D);
    expect(ref.repository).toBe('localhost:5000/a/b');
    expect(ref.familiarRepository).toBe('localhost:5000/a/b');
    expect(parseReference('ruby').familiarRepository).toBe('ruby');
  });

  it('keeps a bare name when defaultTag is false', () => {
    expect(parseReference('localhost:5000/x', { defaultTag: false }).familiar()).toBe('localhost:5000/x');
    expect(parseReference('ruby', { defaultTag: false }).tag).toBeUndefined();
    expect(familiarize('docker.io/library/ruby')).toBe('ruby');
  });

  const invalid: [input: string, why: RegExp][] = [
    ['', /at least one component/],
    [':justtag', /at least one component/],
    [`@${D}`, /at least one component/],
    ['Uppercase:tag', /must be lowercase/],
    ['test:5000/Uppercase/lowercase:tag', /must be lowercase/],
    ['docker.io/Foo', /must be lowercase/],
    ['aa/asdf$$^/aa', /path component/],
    ['repo@sha256:ffffffffffffffffffffffffffffffff', /64 lowercase hex/],
    [`validname@invaliddigest:${'e'.repeat(64)}`, /not supported/],
    ['ruby:', /empty tag/],
    ['ruby:-bad', /tag "-bad"/],
    [`ruby:${'a'.repeat(129)}`, /tag/],
    ['a' + '/a'.repeat(128), /255 characters/],
    ['foo_bar.com:8080/x', /registry domain/],
    ['-foo.com/x', /registry domain/],
    ['a//b', /empty path component/],
    ['a/', /empty path component/],
    ['a' + 'b'.repeat(63) + 'c', /./],
    ['f'.repeat(64), /64-byte hexadecimal/],
    ['ruby@sha256:' + 'F'.repeat(64), /64 lowercase hex/],
  ];
  it.each(invalid)('rejects %j', (input, why) => {
    if (input === 'a' + 'b'.repeat(63) + 'c') {
      expect(parseReference(input).path).toBe('library/' + input); // 65 chars of letters is a fine name
      return;
    }
    let err: unknown;
    try {
      parseReference(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WasmboxError);
    expect((err as WasmboxError).code).toBe('INVALID_REFERENCE');
    expect((err as WasmboxError).message).toMatch(why);
    expect((err as WasmboxError).message).toContain(JSON.stringify(input).slice(1, 20));
  });

  it('withTag / withDigest / nameOnly', () => {
    const r = parseReference('ruby');
    expect(r.withTag('3').toString()).toBe('docker.io/library/ruby:3');
    expect(r.withDigest(D as `sha256:${string}`).familiar()).toBe(`ruby:latest@${D}`);
    expect(r.nameOnly().familiar()).toBe('ruby');
    expect(() => r.withTag('bad tag')).toThrow(WasmboxError);
    expect(r.equals(parseReference('docker.io/library/ruby:latest'))).toBe(true);
  });
});

describe('parseReference properties', () => {
  const alnum = fc.stringMatching(/^[a-z0-9]{1,8}$/);
  const component = fc
    .tuple(alnum, fc.array(fc.tuple(fc.constantFrom('.', '_', '__', '-', '--'), alnum), { maxLength: 2 }))
    .map(([a, rest]) => a + rest.map(([s, b]) => s + b).join(''));
  const domain = fc.oneof(
    fc.constant('docker.io'),
    fc.constant('localhost:5000'),
    fc.tuple(fc.stringMatching(/^[a-z0-9]{1,6}$/), fc.constantFrom('.com', '.io', '.example')).map(([a, b]) => a + b),
    fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
  );
  const tag = fc.stringMatching(/^[\w][\w.-]{0,20}$/);
  const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}` as const);
  const refArb = fc
    .record({
      domain,
      path: fc.array(component, { minLength: 1, maxLength: 3 }).map((a) => a.join('/')),
      tag: fc.option(tag, { nil: undefined }),
      digest: fc.option(digest, { nil: undefined }),
    })
    .map(({ domain: d, path, tag: t, digest: g }) => {
      const p = d === 'docker.io' && !path.includes('/') ? `library/${path}` : path;
      return new ImageRef({ domain: d, path: p, tag: t, digest: g });
    });

  it('parse(format(x)) round-trips, in full and familiar form', () => {
    fc.assert(
      fc.property(refArb, (ref) => {
        const opts = { defaultTag: false };
        expect(parseReference(ref.toString(), opts).toString()).toBe(ref.toString());
        expect(parseReference(ref.familiar(), opts).toString()).toBe(ref.toString());
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but an INVALID_REFERENCE WasmboxError', () => {
    const chars = fc.constantFrom(...'aZ09._-:/@[]'.split(''), 'sha256:', 'f'.repeat(64), 'é', ' ');
    const input = fc.oneof(fc.string(), fc.array(chars, { maxLength: 12 }).map((a) => a.join('')));
    fc.assert(
      fc.property(input, (s) => {
        try {
          const r = parseReference(s);
          expect(parseReference(r.toString()).toString()).toBe(r.toString());
        } catch (e) {
          expect(e).toBeInstanceOf(WasmboxError);
          expect((e as WasmboxError).code).toBe('INVALID_REFERENCE');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
