// Reproducible build of the programs inside the built-in images (images/hello-world/hello.wasm,
// images/toolbox/toolbox.wasm) from their C sources with clang for wasm32-wasi. Fixed flags, sorted
// inputs and relative paths, so two builds on any machine with the same toolchain give the same bytes.
//
// Usage: `node scripts/build-images.mjs` writes the .wasm files next to their sources;
// `--check` rebuilds into a temp dir and fails if the committed files differ; `--out DIR` builds elsewhere.
// It also writes images/toolbox/applets.txt (one applet a line, from applets.h): the image
// builder (src/image/builtin.ts) makes /bin/<applet> from it without running the wasm.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findTool } from './test-deps.mjs';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const IMAGES_DIR = join(ROOT, 'images');

/**
 * Flags shared by every program. -s and --strip-all drop names and debug info; the prefix map
 * keeps the checkout's absolute path out of anything clang might still embed (assert messages use
 * relative paths anyway because we compile from the source dir). A 256 KiB stack leaves room for
 * the recursive applets (find, cp -r, rm -r, du) on deep trees.
 */
export const CFLAGS = [
  '--target=wasm32-wasi',
  '-std=c11',
  '-D_GNU_SOURCE',
  '-O2',
  '-s',
  '-Wall',
  '-Wextra',
  '-Wno-unused-parameter',
  '-Wno-sign-compare',
  '-Wno-missing-field-initializers',
  '-Werror',
  '-Wl,--strip-all',
  '-Wl,-z,stack-size=262144',
];

/** The programs: output file (relative to images/), source dir, sources relative to it (sorted). */
export function programs() {
  const toolbox = join(IMAGES_DIR, 'toolbox');
  const cFiles = (dir) =>
    readdirSync(join(toolbox, dir))
      .filter((f) => f.endsWith('.c'))
      .sort()
      .map((f) => (dir === '.' ? f : `${dir}/${f}`));
  return [
    { name: 'hello-world', output: 'hello-world/hello.wasm', dir: join(IMAGES_DIR, 'hello-world'), sources: ['hello.c'], include: [] },
    {
      name: 'toolbox',
      output: 'toolbox/toolbox.wasm',
      dir: toolbox,
      sources: [...cFiles('.'), ...cFiles('lib'), ...cFiles('applets')],
      include: ['-Ilib', '-I.'],
    },
  ];
}

/** Where the applet list goes, relative to images/. */
export const APPLETS_FILE = 'toolbox/applets.txt';

/** The toolbox's applet names, in applets.h order (sorted there), as the text of applets.txt. */
export function appletList() {
  const header = readFileSync(join(IMAGES_DIR, 'toolbox', 'applets.h'), 'utf8');
  const names = [...header.matchAll(/^\s*X\((\w+)\)/gm)].map((m) => m[1]);
  if (names.length === 0) throw new Error('images/toolbox/applets.h lists no applets (expected lines like "X(cat)")');
  return names.join('\n') + '\n';
}

function clangPath() {
  const clang = findTool('clang');
  if (!clang) {
    throw new Error(
      'clang with the wasm32-wasi sysroot is not installed; install it with: ' +
        'sudo apt-get install -y --no-install-recommends clang lld wasi-libc libclang-rt-14-dev-wasm32',
    );
  }
  return clang;
}

/**
 * Builds every program into outDir (default: images/, next to the sources).
 * Returns one entry per program with its absolute path and size in bytes.
 */
export async function buildImages(options = {}) {
  const outDir = resolve(options.outDir ?? IMAGES_DIR);
  const log = options.log ?? (() => {});
  const clang = clangPath();
  const results = [];
  for (const p of programs()) {
    const output = join(outDir, p.output);
    mkdirSync(dirname(output), { recursive: true });
    const args = [...CFLAGS, `-ffile-prefix-map=${p.dir}=.`, ...p.include, '-o', output, ...p.sources];
    try {
      await run(clang, args, { cwd: p.dir, env: { ...process.env, SOURCE_DATE_EPOCH: '0', LC_ALL: 'C' }, maxBuffer: 16 << 20 });
    } catch (e) {
      const stderr = e && typeof e === 'object' && 'stderr' in e ? String(e.stderr) : '';
      throw new Error(`building ${p.output} from ${p.dir} failed:\n${stderr || String(e)}`);
    }
    const size = statSync(output).size;
    log(`${p.output}: ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
    results.push({ name: p.name, path: output, size });
  }
  writeFileSync(join(outDir, APPLETS_FILE), appletList());
  return results;
}

/** Rebuilds into a temp dir and lists the committed .wasm files that are missing or differ. */
export async function checkImages(options = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'wasmbox-images-'));
  try {
    const built = await buildImages({ outDir: tmp, log: options.log });
    const mismatches = [];
    for (const p of programs()) {
      const committed = join(IMAGES_DIR, p.output);
      const fresh = readFileSync(join(tmp, p.output));
      if (!existsSync(committed)) mismatches.push(`${p.output}: missing (run node scripts/build-images.mjs)`);
      else if (!fresh.equals(readFileSync(committed))) {
        mismatches.push(`${p.output}: differs from a fresh build (${statSync(committed).size} vs ${fresh.length} bytes)`);
      }
    }
    const applets = join(IMAGES_DIR, APPLETS_FILE);
    if (!existsSync(applets) || readFileSync(applets, 'utf8') !== appletList()) {
      mismatches.push(`${APPLETS_FILE}: missing or not the list in toolbox/applets.h (run node scripts/build-images.mjs)`);
    }
    return { built, mismatches };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(argv) {
  const check = argv.includes('--check');
  const outIndex = argv.indexOf('--out');
  const log = (m) => console.log(m);
  if (check) {
    const { mismatches } = await checkImages({ log });
    if (mismatches.length > 0) {
      console.error(`build-images: the committed programs are not what the sources build:\n  ${mismatches.join('\n  ')}`);
      process.exit(1);
    }
    console.log('build-images: committed .wasm files match a fresh build');
    return;
  }
  await buildImages({ outDir: outIndex >= 0 ? argv[outIndex + 1] : undefined, log });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`build-images: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}

