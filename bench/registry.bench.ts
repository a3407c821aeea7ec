// Pull and push through a real registry on the loopback (Debian's docker-registry): a ~50 MB,
// 20-layer image pulled and unpacked by wasmbox (pull + LayerStore.view) against `skopeo copy
// docker://… oci:…` + `umoci raw unpack`, and pushed by wasmbox against `skopeo copy oci:… docker://…`.
// Run alone with `node --import tsx bench/registry.bench.ts`, or all with `npm run bench`.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { digestOf } from '../src/content/digest.js';
import { createImageConfig } from '../src/image/config.js';
import { RegistryClient } from '../src/image/registry/client.js';
import { pull } from '../src/image/registry/pull.js';
import { push } from '../src/image/registry/push.js';
import { LayerStore } from '../src/layers/layer-store.js';
import { writeTar } from '../src/layers/tar-writer.js';
import { installNodeSha256 } from '../src/platform/node/hash.js';
import { imageLayoutDir, openNodeImageStore } from '../src/platform/node/stores.js';
import { startRegistry } from '../test/helpers/registry.js';
import { ensureTool } from '../test/helpers/tools.js';
import { type BenchOptions, type Row, type Table, median, now, table } from './lib.js';

const exec = promisify(execFile);

interface Sizes {
  layers: number;
  filesPerLayer: number;
  fileSize: number;
  rounds: number;
}

const FULL: Sizes = { layers: 20, filesPerLayer: 25, fileSize: 100_000, rounds: 3 };
const QUICK: Sizes = { layers: 2, filesPerLayer: 2, fileSize: 1000, rounds: 1 };

/** Pseudo-random bytes (xorshift), so layers neither compress nor repeat. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = now();
  await fn();
  return now() - t0;
}

export async function run(options: BenchOptions = {}): Promise<Table[]> {
  const s = options.quick ? QUICK : FULL;
  // As the CLI does at start-up: node:crypto's sha256 for the content store.
  installNodeSha256();
  const [skopeo, umoci] = await Promise.all([ensureTool('skopeo'), ensureTool('umoci')]);
  const work = await mkdtemp(join(tmpdir(), 'wasmbox-bench-registry-'));
  const env = { ...process.env, TMPDIR: work, XDG_RUNTIME_DIR: work, HOME: work };
  const sh = (bin: string, args: string[]) => exec(bin, args, { env, maxBuffer: 64 * 1024 * 1024 });
  try {
    // The source image, in a wasmbox store that skopeo can read as an OCI layout.
    const sourceRoot = join(work, 'source');
    const source = await openNodeImageStore(sourceRoot);
    const tars = Array.from({ length: s.layers }, (_, l) =>
      writeTar(
        Array.from({ length: s.filesPerLayer }, (_, f) => ({
          path: `layer${l}/file${f}.bin`,
          type: 'file' as const,
          mode: 0o644,
          uid: 0,
          gid: 0,
          mtimeMs: 0,
          data: noise(s.fileSize, l * 1000 + f + 1),
        })),
      ),
    );
    const config = createImageConfig({ rootfs: { type: 'layers', diff_ids: tars.map((t) => digestOf(t)) } });
    const localRef = 'docker.io/library/bench:1';
    const image = await source.putImage({ config, layers: tars.map((data) => ({ data })), tags: [localRef] });
    const totalBytes = tars.reduce((n, t) => n + t.length, 0);
    const client = new RegistryClient();
    const srcLayout = `oci:${imageLayoutDir(sourceRoot)}:${localRef}`;

    const times: Record<string, number[]> = { pushOurs: [], pushSkopeo: [], pullOurs: [], pullSkopeo: [] };
    for (let r = 0; r < s.rounds; r++) {
      // A fresh registry each round: no "Layer already exists" shortcuts, and no mounts from
      // what skopeo's blob-info cache remembers of earlier rounds.
      const registry = await startRegistry();
      try {
        const ours = `${registry.host}/bench/ours-${r}:1`;
        const theirs = `${registry.host}/bench/skopeo-${r}:1`;
        await source.tag(localRef, ours);
        times.pushOurs!.push(await timed(() => push(source, ours, { client, mountFrom: [] })));
        times.pushSkopeo!.push(await timed(() => sh(skopeo, ['--insecure-policy', 'copy', '-q', '--dest-tls-verify=false', srcLayout, `docker://${theirs}`])));
        await source.untag(ours);

        const pullRoot = join(work, `pull-${r}`);
        times.pullOurs!.push(
          await timed(async () => {
            const store = await openNodeImageStore(pullRoot);
            const pulled = await pull(store, ours, { client });
            const view = await new LayerStore(store.content).view(pulled.image.manifest.layers.map((l) => l.digest));
            if (view.diffIds.length !== s.layers) throw new Error('unpack lost layers');
          }),
        );
        const layout = join(work, `skopeo-${r}`);
        times.pullSkopeo!.push(
          await timed(async () => {
            await sh(skopeo, ['--insecure-policy', 'copy', '-q', '--src-tls-verify=false', `docker://${theirs}`, `oci:${layout}:x`]);
            await sh(umoci, ['raw', 'unpack', '--rootless', '--image', `${layout}:x`, join(work, `rootfs-${r}`)]);
          }),
        );
        await rm(pullRoot, { recursive: true, force: true });
        await rm(layout, { recursive: true, force: true });
        await rm(join(work, `rootfs-${r}`), { recursive: true, force: true });
      } finally {
        await registry.stop();
      }
    }
    const row = (name: string, key: string, vs?: string[]): Row => ({ name, value: median(times[key]!), unit: 'ms', ...(vs ? { vs } : {}) });
    const size = `${s.layers} layers, ${(totalBytes / 1e6).toFixed(1)} MB, manifest ${image.manifestDigest.slice(7, 19)}`;
    return [
      table(`registry pull + unpack (${size})`, [
        row('skopeo copy + umoci raw unpack', 'pullSkopeo'),
        row('wasmbox pull + layer view', 'pullOurs', ['skopeo copy + umoci raw unpack']),
      ]),
      table(`registry push (${size})`, [row('skopeo copy oci: → docker://', 'pushSkopeo'), row('wasmbox push', 'pushOurs', ['skopeo copy oci: → docker://'])], {
        notes: ['Loopback docker-registry 2.8; uncompressed layers of random bytes; median of the rounds.'],
      }),
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { markdown } = await import('./lib.js');
  for (const t of await run({ quick: process.argv.includes('--quick') })) console.log(markdown(t));
}
