// `wasmbox cp`: copies between a container and the host, both ways, with docker's rules (an
// existing directory receives the source by its name, otherwise the copy takes the destination's
// name; `SRC/.` copies a directory's contents; `-` reads or writes a tar stream).

import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isWasmboxError } from '../../errors.js';
import { readTar } from '../../layers/tar-reader.js';
import { type TarWriteEntry, writeTar } from '../../layers/tar-writer.js';
import { type CliContext, ExitError } from '../context.js';
import { humanSizeWithPrecision } from '../units.js';
import { checkArgs } from '../usage.js';
import { collectBytes } from '../../util/bytes.js';

interface CpArg {
  container?: string;
  path: string;
}

/** docker's splitCpArg: `name:path` is a container's path unless the argument looks like a local path. */
export function splitCpArg(arg: string): CpArg {
  if (arg.startsWith('/') || arg.startsWith('.') || /^[A-Za-z]:\\/.test(arg)) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon <= 0) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}


async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** A host file or directory as tar entries, its top entry named `name`. */
function hostTar(source: string, name: string): { tar: Uint8Array; size: number } {
  const entries: TarWriteEntry[] = [];
  let size = 0;
  const walk = (path: string, rel: string) => {
    const st = lstatSync(path);
    const base = { path: rel, mode: st.mode & 0o7777, uid: 0, gid: 0, mtimeMs: st.mtimeMs };
    if (st.isSymbolicLink()) entries.push({ ...base, type: 'symlink', linkpath: readlinkSync(path) });
    else if (st.isDirectory()) {
      entries.push({ ...base, type: 'directory' });
      for (const child of readdirSync(path).sort()) walk(join(path, child), `${rel}/${child}`);
    } else if (st.isFile()) {
      const data = new Uint8Array(readFileSync(path));
      size += data.length;
      entries.push({ ...base, type: 'file', data });
    }
  };
  walk(source, name);
  return { tar: writeTar(entries), size };
}

/** Extracts a tar under `dest`, renaming its top-level entry `from` to `to` (or stripping it when `to` is ''). */
function extractTo(tar: Uint8Array, dest: string, rename: { from: string; to: string } | undefined): number {
  let size = 0;
  const root = resolve(dest);
  for (const e of readTar(tar).entries) {
    let rel = e.path.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    if (rename) {
      if (rel === rename.from) rel = rename.to;
      else if (rel.startsWith(`${rename.from}/`)) rel = (rename.to === '' ? '' : `${rename.to}/`) + rel.slice(rename.from.length + 1);
    }
    if (rel === '') continue;
    const target = resolve(root, rel);
    if (target !== root && !target.startsWith(root + '/')) throw new ExitError(1, `Error: archive entry ${JSON.stringify(e.path)} would escape ${dest}`);
    mkdirSync(dirname(target), { recursive: true });
    if (e.type === 'directory') {
      if (existsSync(target) && !lstatSync(target).isDirectory()) rmSync(target);
      mkdirSync(target, { recursive: true, mode: e.mode || 0o755 });
    } else if (e.type === 'symlink') {
      rmSync(target, { force: true });
      symlinkSync(e.linkpath, target);
    } else if (e.type === 'file' || e.type === 'link') {
      const data = e.type === 'link' ? readFileSync(resolve(root, e.linkpath.replace(/^\.?\/+/, ''))) : e.data;
      if (existsSync(target) && lstatSync(target).isDirectory()) throw new ExitError(1, `Error: cannot overwrite directory ${target} with non-directory`);
      writeFileSync(target, data, { mode: e.mode || 0o644 });
      size += data.length;
    }
  }
  return size;
}

async function fromContainer(ctx: CliContext, src: Required<CpArg>, dst: string): Promise<number | undefined> {
  const api = await ctx.containers();
  const contentsOnly = /\/\.$/.test(src.path);
  const { stat, tar } = await api.getArchive(src.container, src.path);
  if (dst === '-') {
    for await (const chunk of tar) ctx.stdout.write(chunk);
    return undefined;
  }
  const bytes = await collectBytes(tar);
  const isDir = (stat.mode & 2 ** 31) !== 0;
  const dstPath = resolve(dst);
  const dstExists = existsSync(dstPath);
  if (dstExists && statSync(dstPath).isDirectory()) {
    return extractTo(bytes, dstPath, contentsOnly ? { from: stat.name, to: '' } : undefined);
  }
  if (dst.endsWith('/')) throw new ExitError(1, `Error: destination directory "${dst}" must exist`);
  if (dstExists && isDir) throw new ExitError(1, `Error: cannot copy a directory to a file: ${dst}`);
  if (!existsSync(dirname(dstPath))) throw new ExitError(1, `Error: no such directory: ${dirname(dst)}`);
  return extractTo(bytes, dirname(dstPath), { from: stat.name, to: basename(dstPath) });
}

async function toContainer(ctx: CliContext, src: string, dst: Required<CpArg>): Promise<number | undefined> {
  const api = await ctx.containers();
  if (src === '-') {
    await api.putArchive(dst.container, dst.path, once(await collectBytes(ctx.stdin)));
    return undefined;
  }
  const srcPath = resolve(src);
  if (!existsSync(srcPath)) throw new ExitError(1, `Error: lstat ${srcPath}: no such file or directory`);
  let dstIsDir = false;
  let dstExists = true;
  try {
    const st = await api.statPath(dst.container, dst.path);
    dstIsDir = (st.mode & 2 ** 31) !== 0;
  } catch (e) {
    if (!isWasmboxError(e)) throw e;
    dstExists = false;
  }
  const srcIsDir = statSync(srcPath).isDirectory();
  if (dstIsDir) {
    if (/\/\.$/.test(src)) {
      // SRC/. : the directory's children go straight into the destination.
      let size = 0;
      for (const child of readdirSync(srcPath).sort()) {
        const { tar, size: n } = hostTar(join(srcPath, child), child);
        await api.putArchive(dst.container, dst.path, once(tar));
        size += n;
      }
      return size;
    }
    const { tar, size } = hostTar(srcPath, basename(srcPath));
    await api.putArchive(dst.container, dst.path, once(tar));
    return size;
  }
  if (dst.path.endsWith('/') && !dstExists) throw new ExitError(1, `Error response from daemon: Could not find the file ${dst.path} in container ${dst.container}`);
  if (dstExists && srcIsDir) throw new ExitError(1, `Error response from daemon: cannot copy a directory to a file: ${dst.path}`);
  const parent = dst.path.replace(/\/[^/]*$/, '') || '/';
  const { tar, size } = hostTar(srcPath, dst.path.replace(/^.*\//, ''));
  await api.putArchive(dst.container, parent, once(tar));
  return size;
}

export function configure(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Copy files/folders between a container and the local filesystem')
    .usage('[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\twasmbox cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH')
    .argument('[args...]')
    .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
    .option('-q, --quiet', 'Suppress progress output during copy')
    .action(async (args: string[], opts: { quiet?: boolean }, self: Command) => {
      checkArgs(self, args, { exactly: 2 });
      const src = splitCpArg(args[0]!);
      const dst = splitCpArg(args[1]!);
      if (src.container !== undefined && dst.container !== undefined) throw new ExitError(1, 'copying between containers is not supported');
      if (src.container === undefined && dst.container === undefined) throw new ExitError(1, 'must specify at least one container source');
      let size: number | undefined;
      let where: string;
      if (src.container !== undefined) {
        size = await fromContainer(ctx, src as Required<CpArg>, dst.path);
        where = dst.path;
      } else {
        size = await toContainer(ctx, src.path, dst as Required<CpArg>);
        where = args[1]!;
      }
      if (size !== undefined && !opts.quiet) ctx.stderr.write(`Successfully copied ${humanSizeWithPrecision(size, 3)} to ${where}\n`);
    });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('cp'), ctx);
}
