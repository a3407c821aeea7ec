// Installs the real tools the tests need (skopeo, umoci, Chromium, clang...) from Debian packages.
// Shared by scripts/setup-test-deps.mjs (before `npm test`) and test/helpers/tools.ts, so the
// package table, the once-a-day `apt-get update` and the cross-process install lock live in one place.

import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';

/** @typedef {{ bin: string; packages: string[]; files?: string[] }} ToolSpec */

/** @type {{ setup: string[]; tools: Record<string, ToolSpec> }} */
export const TEST_DEPS = JSON.parse(readFileSync(new URL('./test-deps.json', import.meta.url), 'utf8'));

const DAY_MS = 24 * 60 * 60 * 1000;
const LOCK_DIR = join(tmpdir(), 'wasmbox-apt.lock');
const UPDATED_MARKER = join(tmpdir(), 'wasmbox-apt-updated');
/** A lock older than this is taken to belong to a dead installer (Chromium alone can take minutes). */
const STALE_LOCK_MS = 20 * 60 * 1000;

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of a command (PATH lookup, like `which`), or undefined. */
export function which(command) {
  if (isAbsolute(command)) return isExecutable(command) ? command : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

export function toolSpec(name) {
  const spec = TEST_DEPS.tools[name];
  if (!spec) throw new Error(`unknown test tool "${name}": add it to scripts/test-deps.json (known: ${Object.keys(TEST_DEPS.tools).join(', ')})`);
  return spec;
}

/** Absolute path of the tool's binary when it and its extra files are installed, else undefined. */
export function findTool(name) {
  const spec = toolSpec(name);
  const bin = which(spec.bin);
  if (!bin) return undefined;
  return (spec.files ?? []).every((f) => {
    try {
      statSync(f);
      return true;
    } catch {
      return false;
    }
  })
    ? bin
    : undefined;
}

function run(command, args, { log }) {
  log(`$ ${command} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
          reject(new Error(`${command} ${args.join(' ')} failed (${error.code ?? error.signal}):\n${tail}`, { cause: error }));
        } else resolve();
      },
    );
  });
}

/** How apt-get can be run here: directly as root, through password-less sudo, or not at all. */
async function aptPrefix() {
  if (process.getuid?.() === 0) return [];
  if (which('sudo')) {
    try {
      await run('sudo', ['-n', 'true'], { log: () => {} });
      return ['sudo', '-n'];
    } catch {
      /* sudo needs a password: cannot install */
    }
  }
  return undefined;
}

function listsAreFresh() {
  const fresh = (p) => {
    try {
      return Date.now() - statSync(p).mtimeMs < DAY_MS;
    } catch {
      return false;
    }
  };
  if (fresh(UPDATED_MARKER)) return true;
  try {
    return readdirSync('/var/lib/apt/lists').some((f) => f.includes('Packages') && fresh(join('/var/lib/apt/lists', f)));
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** True when the lock's owner process has exited (it crashed or was killed mid-install). */
function ownerIsDead() {
  let pid;
  try {
    pid = Number.parseInt(readFileSync(join(LOCK_DIR, 'owner'), 'utf8'), 10);
  } catch {
    return false; // the owner has not written its pid yet
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return e.code === 'ESRCH';
  }
}

/** mkdir is atomic, so at most one process (vitest worker, set-up script) holds the lock. */
async function withInstallLock(fn, { log }) {
  let announced = false;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'owner'), `${process.pid}\n`);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let age = 0;
      try {
        age = Date.now() - statSync(LOCK_DIR).mtimeMs;
      } catch {
        continue; // released between our mkdir and stat: try again at once
      }
      if (age > STALE_LOCK_MS || ownerIsDead()) {
        log(`removing stale install lock ${LOCK_DIR} (${Math.round(age / 1000)} s old)`);
        rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`waiting for another process installing test tools (lock ${LOCK_DIR})`);
      announced = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/**
 * Installs the Debian packages of the given tools that are missing. Returns the tools still
 * missing afterwards (empty when all is well); throws when apt-get fails.
 */
export async function installTools(names, { log = (m) => console.error(m) } = {}) {
  const missing = () => names.filter((n) => !findTool(n));
  if (missing().length === 0) return [];
  const prefix = await aptPrefix();
  if (!prefix) return missing();
  return withInstallLock(async () => {
    // Another process may have installed them while we waited for the lock.
    const todo = missing();
    if (todo.length === 0) return [];
    const packages = [...new Set(todo.flatMap((n) => toolSpec(n).packages))];
    log(`installing test tools ${todo.join(', ')}: apt-get install ${packages.join(' ')}`);
    const [cmd = 'apt-get', ...pre] = [...prefix, 'apt-get'];
    // Waiting on dpkg's own lock covers an apt-get started outside wasmbox.
    const aptArgs = ['-o', 'DPkg::Lock::Timeout=600'];
    const update = () => run(cmd, [...pre, ...aptArgs, 'update'], { log }).then(() => writeFileSync(UPDATED_MARKER, ''));
    const install = () => run(cmd, [...pre, ...aptArgs, 'install', '-y', '--no-install-recommends', ...packages], { log });
    if (!listsAreFresh()) await update();
    try {
      await install();
    } catch (e) {
      // Stale lists name .debs the mirror no longer has: refresh once and retry.
      log(`apt-get install failed; running apt-get update and retrying (${e.message.split('\n')[0]})`);
      await update();
      await install();
    }
    return missing();
  }, { log });
}
