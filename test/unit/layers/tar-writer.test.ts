import { describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
import { readTar } from '../../../src/layers/tar-reader.js';
import { writeTar } from '../../../src/layers/tar-writer.js';
import type { TarWriteEntry } from '../../../src/layers/tar-writer.js';

const enc = new TextEncoder();

const ENTRIES: TarWriteEntry[] = [
  { path: 'dir', type: 'directory', mode: 0o750, uid: 1, gid: 2, mtimeMs: 1_600_000_000_999 },
  { path: 'dir/file', type: 'file', mode: 0, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('x'.repeat(513)) },
  { path: 'dir/empty', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0 },
  // Fits ustar only split into prefix + name.
  { path: 'p/'.repeat(60) + 'name', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('split') },
  // Needs PAX: too long for prefix + name, non-ASCII, long link target, large ids.
  { path: 'q'.repeat(300), type: 'file', mode: 0o600, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('long') },
  { path: 'ünïcødé/ファイル', type: 'symlink', mode: 0o777, uid: 3_000_000, gid: 4_000_000, mtimeMs: 0, linkpath: '/t/'.repeat(50) + 'ü' },
  { path: 'hard', type: 'link', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, linkpath: 'dir/file' },
];

describe('writeTar', () => {
  it('round-trips through our reader', () => {
    const { entries } = readTar(writeTar(ENTRIES));
    expect(entries.map((e) => [e.type, e.path, e.linkpath, e.mode, e.uid, e.gid, e.mtimeMs, new TextDecoder().decode(e.data)])).toEqual([
      ['directory', 'dir/', '', 0o750, 1, 2, 1_600_000_000_000, ''],
      ['file', 'dir/file', '', 0, 0, 0, 0, 'x'.repeat(513)],
      ['file', 'dir/empty', '', 0o644, 0, 0, 0, ''],
      ['file', 'p/'.repeat(60) + 'name', '', 0o644, 0, 0, 0, 'split'],
      ['file', 'q'.repeat(300), '', 0o600, 0, 0, 0, 'long'],
      ['symlink', 'ünïcødé/ファイル', '/t/'.repeat(50) + 'ü', 0o777, 3_000_000, 4_000_000, 0, ''],
      ['link', 'hard', 'dir/file', 0o644, 0, 0, 0, ''],
    ]);
  });

  it('is read the same by an independent reader (tar-stream)', async () => {
    const tar = writeTar(ENTRIES);
    const x = extract();
    const seen: [string, string, string | null, number][] = [];
    const done = (async () => {
      for await (const e of x) {
        const chunks: Uint8Array[] = [];
        for await (const c of e) chunks.push(c as Uint8Array);
        seen.push([e.header.type, e.header.name, e.header.linkname || null, chunks.reduce((n, c) => n + c.length, 0)]);
      }
    })();
    x.end(Buffer.from(tar));
    await done;
    expect(seen).toEqual([
      ['directory', 'dir/', null, 0],
      ['file', 'dir/file', null, 513],
      ['file', 'dir/empty', null, 0],
      ['file', 'p/'.repeat(60) + 'name', null, 5],
      ['file', 'q'.repeat(300), null, 4],
      ['symlink', 'ünïcødé/ファイル', '/t/'.repeat(50) + 'ü', 0],
      ['link', 'hard', 'dir/file', 0],
    ]);
  });

  it('an empty archive is the two end blocks', () => {
    expect(writeTar([])).toEqual(new Uint8Array(1024));
  });
});
