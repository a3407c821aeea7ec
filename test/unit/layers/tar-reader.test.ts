import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pack } from 'tar-stream';
import { WasmboxError, isWasmboxError } from '../../../src/errors.js';
import { readTar } from '../../../src/layers/tar-reader.js';
import { layerTreeFromTar } from '../../../src/layers/layer-tree.js';
import { concat, entry, header, paxData, tarOf } from './raw-tar.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function expectInvalidTar(fn: () => unknown, ...fragments: string[]): void {
  try {
    fn();
  } catch (e) {
    expect(isWasmboxError(e, 'INVALID_TAR'), String(e)).toBe(true);
    for (const f of fragments) expect((e as Error).message).toContain(f);
    return;
  }
  throw new Error('expected INVALID_TAR');
}

describe('readTar', () => {
  it('reads ustar files, dirs, symlinks and hard links with their attributes', () => {
    const tar = tarOf(
      entry({ name: 'etc/', typeflag: '5', mode: 0o750, uid: 10, gid: 20, mtime: 1_700_000_000, uname: 'root', gname: 'wheel' }),
      entry({ name: 'etc/hosts', mode: 0o600 }, 'hello'),
      entry({ name: 'etc/link', typeflag: '2', linkname: '../etc/hosts' }),
      entry({ name: 'etc/hard', typeflag: '1', linkname: 'etc/hosts' }),
      entry({ name: 'contig', typeflag: '7' }, 'c'),
    );
    const { entries, warnings } = readTar(tar);
    expect(warnings).toEqual([]);
    expect(entries.map((e) => [e.type, e.path, e.linkpath])).toEqual([
      ['directory', 'etc/', ''],
      ['file', 'etc/hosts', ''],
      ['symlink', 'etc/link', '../etc/hosts'],
      ['link', 'etc/hard', 'etc/hosts'],
      ['file', 'contig', ''],
    ]);
    const [dir, file] = entries;
    expect(dir).toMatchObject({ mode: 0o750, uid: 10, gid: 20, mtimeMs: 1_700_000_000_000, uname: 'root', gname: 'wheel', offset: 0 });
    expect(file).toMatchObject({ mode: 0o600, size: 5, offset: 512 });
    expect(text(file!.data)).toBe('hello');
  });

  it('returns file contents as views into the archive, not copies', () => {
    const tar = tarOf(entry({ name: 'a' }, 'xyz'));
    const [e] = readTar(tar).entries;
    expect(e!.data.buffer).toBe(tar.buffer);
    expect(e!.data.byteOffset).toBe(512);
  });

  it('joins the ustar prefix and the name', () => {
    const { entries } = readTar(tarOf(entry({ name: 'file.txt', prefix: 'a/very/deep' }, 'x')));
    expect(entries[0]!.path).toBe('a/very/deep/file.txt');
  });

  it('ignores the prefix field of old GNU headers (it holds times there)', () => {
    const { entries } = readTar(tarOf(entry({ name: 'f', format: 'gnu', prefix: 'junk' }, 'x')));
    expect(entries[0]!.path).toBe('f');
  });

  it('reads v7 headers: no magic, typeflag NUL, a trailing slash means a directory', () => {
    const tar = tarOf(entry({ name: 'd/', typeflag: '\0', format: 'v7' }), entry({ name: 'd/f', typeflag: '\0', format: 'v7' }, 'v7'));
    const { entries } = readTar(tar);
    expect(entries.map((e) => [e.type, e.path, e.uname])).toEqual([
      ['directory', 'd/', ''],
      ['file', 'd/f', ''],
    ]);
  });

  it('reads GNU long names and long link targets (L / K)', () => {
    const long = 'x/'.repeat(80) + 'name';
    const target = 't/'.repeat(70) + 'target';
    const tar = tarOf(
      entry({ name: '././@LongLink', typeflag: 'L', format: 'gnu' }, long + '\0'),
      entry({ name: '././@LongLink', typeflag: 'K', format: 'gnu' }, target + '\0'),
      entry({ name: long.slice(0, 99), typeflag: '2', format: 'gnu', linkname: target.slice(0, 99) }),
      entry({ name: 'short', format: 'gnu' }, 'after'),
    );
    const { entries } = readTar(tar);
    expect(entries.map((e) => [e.type, e.path, e.linkpath])).toEqual([
      ['symlink', long, target],
      ['file', 'short', ''],
    ]);
  });

  it('reads PAX extended headers: path, linkpath, size, fractional mtime, uid/gid, names; xattrs ignored', () => {
    const pax = paxData({
      path: 'ünïcode/' + 'p'.repeat(150),
      mtime: '1700000000.25',
      uid: '3000000',
      gid: '4000000',
      uname: 'alice',
      gname: 'staff',
      size: '3',
      'SCHILY.xattr.user.x': 'ignored',
    });
    const tar = tarOf(
      entry({ name: 'PaxHeader', typeflag: 'x' }, pax),
      entry({ name: 'truncated-name', size: 3 }, 'abc'),
      entry({ name: 'PaxHeader', typeflag: 'x' }, paxData({ linkpath: 'l'.repeat(120) })),
      entry({ name: 'sym', typeflag: '2' }),
      entry({ name: 'plain' }, 'no pax applies here'),
    );
    const { entries } = readTar(tar);
    expect(entries[0]).toMatchObject({ path: 'ünïcode/' + 'p'.repeat(150), mtimeMs: 1_700_000_000_250, uid: 3000000, gid: 4000000, uname: 'alice', gname: 'staff', size: 3 });
    expect(text(entries[0]!.data)).toBe('abc');
    expect(entries[1]).toMatchObject({ path: 'sym', type: 'symlink', linkpath: 'l'.repeat(120) });
    expect(entries[2]).toMatchObject({ path: 'plain', uid: 0 });
  });

  it('applies PAX global headers to every following entry until unset', () => {
    const tar = tarOf(
      entry({ name: 'g', typeflag: 'g' }, paxData({ uname: 'builder', mtime: '5' })),
      entry({ name: 'a' }),
      entry({ name: 'x', typeflag: 'x' }, paxData({ uname: 'local' })),
      entry({ name: 'b' }),
      entry({ name: 'g', typeflag: 'g' }, paxData({ uname: '' })),
      entry({ name: 'c', uname: 'header' }),
    );
    const { entries } = readTar(tar);
    expect(entries.map((e) => [e.path, e.uname, e.mtimeMs])).toEqual([
      ['a', 'builder', 5000],
      ['b', 'local', 5000],
      ['c', 'header', 5000],
    ]);
  });

  it('reads base-256 numeric fields (size, uid, negative mtime)', () => {
    const size = new Uint8Array(12);
    size[0] = 0x80;
    size[11] = 4;
    const uid = new Uint8Array(8);
    uid[0] = 0x80;
    uid[5] = 0x01; // 0x01_00_00 = 65536
    const mtime = new Uint8Array(12).fill(0xff); // -1
    const { entries } = readTar(tarOf(entry({ name: 'big', rawSize: size, rawUid: uid, rawMtime: mtime }, 'four')));
    expect(entries[0]).toMatchObject({ size: 4, uid: 65536, mtimeMs: -1000 });
    expect(text(entries[0]!.data)).toBe('four');
  });

  it('skips devices and fifos with a warning', () => {
    const tar = tarOf(
      entry({ name: 'dev/null', typeflag: '3' }),
      entry({ name: 'dev/sda', typeflag: '4' }),
      entry({ name: 'fifo', typeflag: '6' }),
      entry({ name: 'ok' }),
    );
    const { entries, warnings } = readTar(tar);
    expect(entries.map((e) => e.path)).toEqual(['ok']);
    expect(warnings.map((w) => w.message)).toEqual(['skipped character device "dev/null"', 'skipped block device "dev/sda"', 'skipped fifo "fifo"']);
    expect(warnings[1]!.offset).toBe(512);
  });

  it('ignores the size field of header-only kinds (as Go does)', () => {
    const tar = tarOf(entry({ name: 'd/', typeflag: '5', size: 700 }), entry({ name: 'f' }, 'f'));
    expect(readTar(tar).entries.map((e) => e.path)).toEqual(['d/', 'f']);
  });

  it('stops at the end-of-archive blocks and accepts a missing end marker', () => {
    const withTrailer = concat([tarOf(entry({ name: 'a' }, 'a')), new Uint8Array(512).fill(7)]);
    expect(readTar(withTrailer).entries).toHaveLength(1);
    expect(readTar(entry({ name: 'a' }, 'a')).entries).toHaveLength(1);
    expect(readTar(new Uint8Array(0)).entries).toEqual([]);
  });

  it('reads what tar-stream writes, including PAX for long names', async () => {
    const p = pack();
    const long = 'dir/'.repeat(40) + 'leaf';
    p.entry({ name: long, mode: 0o755 }, 'data');
    p.entry({ name: 'l', type: 'symlink', linkname: 'z'.repeat(150) });
    p.finalize();
    const chunks: Uint8Array[] = [];
    for await (const c of p) chunks.push(c as Uint8Array);
    const { entries } = readTar(concat(chunks));
    expect(entries.map((e) => [e.path, e.linkpath, e.mode])).toEqual([
      [long, '', 0o755],
      ['l', 'z'.repeat(150), 0o644],
    ]);
  });

  describe('refuses broken archives with INVALID_TAR naming the entry and offset', () => {
    it('bad checksum', () => {
      const tar = tarOf(entry({ name: 'ok' }), entry({ name: 'broken', badChecksum: true }));
      expectInvalidTar(() => readTar(tar), 'bad header checksum', '"broken"', 'byte 512');
    });

    it('truncated header', () => {
      expectInvalidTar(() => readTar(entry({ name: 'a' }, 'a').subarray(0, 300)), 'truncated', 'byte 0');
    });

    it('size past the end', () => {
      const tar = concat([header({ name: 'big', size: 5000 }), new Uint8Array(512)]);
      expectInvalidTar(() => readTar(tar), 'runs past the end', '"big"');
    });

    it('accepts a last entry without padding (umoci insert writes such layers), not a short one', () => {
      const tar = concat([header({ name: 'f', size: 10 }), new Uint8Array(10).fill(7)]);
      const { entries } = readTar(tar);
      expect(entries.map((e) => [e.path, e.size, e.data[9]])).toEqual([['f', 10, 7]]);
      expectInvalidTar(() => readTar(tar.subarray(0, tar.length - 1)), 'runs past the end', '"f"');
    });

    it('non-octal field', () => {
      const raw = new TextEncoder().encode('00000000x12\0');
      expectInvalidTar(() => readTar(tarOf(entry({ name: 'f', rawSize: raw }))), 'non-octal size', '"f"');
    });

    it('malformed PAX record', () => {
      const tar = tarOf(entry({ name: 'p', typeflag: 'x' }, '99 path=x\n'), entry({ name: 'f' }));
      expectInvalidTar(() => readTar(tar), 'PAX');
    });

    it('an extended header with no entry after it', () => {
      expectInvalidTar(() => readTar(entry({ name: 'p', typeflag: 'x' }, paxData({ path: 'x' }))), 'extended header');
    });
  });

  it('property: on any bytes the reader (and the layer tree builder) returns or throws a WasmboxError, never anything else', () => {
    const valid = tarOf(
      entry({ name: 'PaxHeader', typeflag: 'x' }, paxData({ path: 'long/'.repeat(30) + 'x', mtime: '1.5' })),
      entry({ name: 'f' }, 'contents'),
      entry({ name: '././@LongLink', typeflag: 'L', format: 'gnu' }, 'gnu-long\0'),
      entry({ name: 'g', typeflag: '2', linkname: 't', format: 'gnu' }),
      entry({ name: 'd/', typeflag: '5' }),
      entry({ name: 'd/.wh.x' }),
      entry({ name: 'd/.wh..wh..opq' }),
      entry({ name: 'h', typeflag: '1', linkname: 'f' }),
    );
    const check = (bytes: Uint8Array): void => {
      for (const parse of [readTar, layerTreeFromTar]) {
        try {
          parse(bytes);
        } catch (e) {
          if (!(e instanceof WasmboxError)) throw e;
        }
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => check(bytes)),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(valid.length),
        (mutations, cut) => {
          const bytes = valid.slice(0, Math.max(cut, 1));
          for (const [at, value] of mutations) if (at < bytes.length) bytes[at] = value;
          // Re-sign some headers so mutations also reach the parsers behind the checksum.
          check(bytes);
          check(resign(bytes));
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** Fixes up the checksum of every block that looks like a header. */
function resign(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  for (let at = 0; at + 512 <= out.length; at += 512) {
    out.fill(0x20, at + 148, at + 156);
    let sum = 0;
    for (let i = at; i < at + 512; i++) sum += out[i]!;
    out.set(new TextEncoder().encode(sum.toString(8).padStart(6, '0') + '\0 '), at + 148);
  }
  return out;
}
