// `docker import`: a one-layer image (os wasi, arch wasm) from a tar of a file system, with
// Dockerfile-style `--change` instructions applied to an empty config and the message as the
// image's comment. The tar is checked like any layer (paths that escape the root are refused).

import { WasmboxError } from '../errors.js';
import { parseInstruction } from '../build/dockerfile/parser.js';
import type { CommandForm } from '../build/dockerfile/ast.js';
import { createImageConfig } from '../image/config.js';
import type { ContainerConfig } from '../image/config.js';
import type { ImageRecord, ImageStore } from '../image/image-store.js';
import { parseReference } from '../image/reference.js';
import { parseLayerBlob } from '../layers/layer-tree.js';
import { collectBytes } from '../util/bytes.js';

export interface ImportImageOptions {
  /** `repo[:tag]` to name the image; none leaves it dangling, as docker does. */
  reference?: string;
  /** The image's comment; default `Imported from <source>`. */
  message?: string;
  /** Dockerfile instructions: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR. */
  changes?: readonly string[];
  /** Where the tar came from, for the default message and errors (`-` for stdin). */
  source?: string;
  /** The creation time (RFC 3339); default now. */
  created?: string;
}

const CHANGE_KINDS = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'];

function argv(command: CommandForm): string[] {
  return command.form === 'exec' ? command.argv : ['/bin/sh', '-c', command.script];
}

function exposedPort(value: string): string {
  return value.includes('/') ? value.toLowerCase() : `${value}/tcp`;
}

/** Applies `--change` instructions (as `docker import -c` and `docker commit -c` take them) to a config. */
export function applyChanges(base: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const config: ContainerConfig = { ...base };
  for (const [i, text] of changes.entries()) {
    if (text.trim() === '') continue;
    const ins = parseInstruction(text, { file: '--change', line: i + 1 });
    if (!CHANGE_KINDS.includes(ins.kind)) {
      throw new WasmboxError('INVALID_ARGUMENT', `${ins.kind} is not a valid change command (--change ${JSON.stringify(text)}); use one of ${CHANGE_KINDS.join(', ')}`);
    }
    switch (ins.kind) {
      case 'CMD':
        config.Cmd = argv(ins.command);
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = argv(ins.command);
        break;
      case 'ENV': {
        const env = [...(config.Env ?? [])];
        for (const { key, value } of ins.pairs) {
          const at = env.findIndex((e) => e.startsWith(`${key}=`));
          if (at >= 0) env[at] = `${key}=${value}`;
          else env.push(`${key}=${value}`);
        }
        config.Env = env;
        break;
      }
      case 'LABEL':
        config.Labels = { ...config.Labels, ...Object.fromEntries(ins.pairs.map((p) => [p.key, p.value])) };
        break;
      case 'EXPOSE':
        config.ExposedPorts = { ...config.ExposedPorts, ...Object.fromEntries(ins.values.map((v) => [exposedPort(v), {}])) };
        break;
      case 'VOLUME':
        config.Volumes = { ...config.Volumes, ...Object.fromEntries(ins.values.map((v) => [v, {}])) };
        break;
      case 'ONBUILD':
        config.OnBuild = [...(config.OnBuild ?? []), ins.expression];
        break;
      case 'USER':
        config.User = ins.value;
        break;
      case 'WORKDIR':
        config.WorkingDir = ins.value;
        break;
      case 'STOPSIGNAL':
        config.StopSignal = ins.value;
        break;
      default:
        break;
    }
  }
  return config;
}


/** Imports a file-system tar (plain or gzip) as a one-layer image. */
export async function importImage(store: ImageStore, source: AsyncIterable<Uint8Array> | Uint8Array, options: ImportImageOptions = {}): Promise<ImageRecord> {
  const from = options.source ?? '-';
  // Check the reference and the changes before reading a possibly large tar.
  const ref = options.reference !== undefined && options.reference !== '' ? parseReference(options.reference) : undefined;
  if (ref?.digest !== undefined) throw new WasmboxError('INVALID_REFERENCE', `cannot import to a digest reference: ${options.reference}`);
  const containerConfig = applyChanges({}, options.changes ?? []);
  const blob = await collectBytes(source);
  if (blob.length === 0) throw new WasmboxError('INVALID_TAR', `docker import ${from}: the archive is empty (expected a tar of a file system)`);
  const layer = await parseLayerBlob(blob, { source: from });
  const created = options.created ?? new Date().toISOString();
  const message = options.message !== undefined && options.message !== '' ? options.message : `Imported from ${from}`;
  const config = createImageConfig({
    created,
    config: containerConfig,
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, comment: message }],
  });
  config.comment = message;
  return store.putImage({ config, layers: [{ data: layer.tar }], ...(ref ? { tags: [ref] } : {}) });
}
