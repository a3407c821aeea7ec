// The Dockerfile builder, after Docker's classic builder: stages run in order, each
// instruction makes an intermediate image (a new layer for COPY/ADD/RUN/WORKDIR when files
// changed, a config change with an `empty_layer` history entry otherwise), looked up first in
// the build cache by (parent image id, step key). Nothing is tagged until the whole build
// succeeded, so a failed build leaves no tag and no half-made image.
//
// Reproducibility: layer entries' mtimes are clamped to SOURCE_DATE_EPOCH (0 when not given),
// so the same Dockerfile and context give the same layer digests. `created` (image and
// history) is SOURCE_DATE_EPOCH when given, else the current time, as Docker does; so image
// ids are reproducible only with SOURCE_DATE_EPOCH.

import { WasmboxError, isWasmboxError, toWasmboxError } from '../errors.js';
import { digestOf, digestHex } from '../content/digest.js';
import type { Digest } from '../content/digest.js';
import { Namespace } from '../vfs/namespace.js';
import { TreeFs } from '../vfs/tree-fs.js';
import { findInTree } from '../vfs/merge.js';
import { fileBytes } from '../vfs/node.js';
import type { DirNode, Node } from '../vfs/node.js';
import { joinPath, normalizeAbsolute, dirnameOf, basenameOf } from '../vfs/path.js';
import type { LayerStore } from '../layers/layer-store.js';
import { detectCompression, gunzip } from '../layers/compression.js';
import { tarEntries } from '../layers/tar-reader.js';
import { createImageConfig, parseImageConfig } from '../image/config.js';
import type { ContainerConfig, HistoryEntry, ImageConfig } from '../image/config.js';
import type { ImageRecord, ImageStore } from '../image/image-store.js';
import { encodeJson } from '../image/manifest.js';
import { parseReference } from '../image/reference.js';
import type { ImageRef } from '../image/reference.js';
import type {
  CommandForm,
  CopyInstruction,
  Dockerfile,
  Heredoc,
  Instruction,
  RunInstruction,
  Stage,
} from './dockerfile/ast.js';
import { parseDockerfile, parseInstruction, splitStages } from './dockerfile/parser.js';
import { expandHeredoc, expandWord } from './dockerfile/words.js';
import type { VariableLookup } from './dockerfile/words.js';
import { IgnoreMatcher, cleanPath, patternToRegExp } from './dockerignore.js';
import type { BuildContext, ContextEntry } from './context.js';
import { MemoryBuildCache } from './cache.js';
import type { BuildCacheStore, CachedLayer } from './cache.js';
import type { RunStep } from './run-step.js';

export type BuildProgress = 'classic' | 'plain';

export interface BuildOptions {
  images: ImageStore;
  layers: LayerStore;
  context: BuildContext;
  /** Path of the Dockerfile inside the context (default `Dockerfile`). */
  dockerfile?: string;
  /** The Dockerfile's text, when it does not come from the context (`-f` elsewhere, stdin). */
  dockerfileText?: string;
  /** `--build-arg K=V`. */
  buildArgs?: Record<string, string>;
  /** `--target`: the last stage to build. */
  target?: string;
  tags?: string[];
  /** `--label`: added to the final image as a last LABEL step. */
  labels?: Record<string, string>;
  noCache?: boolean;
  /** Accepted; there is no registry client yet, so base images must be in the store. */
  pull?: boolean;
  /**
   * Finds a base image (FROM, COPY --from) by name; default `images.resolve`. The engine passes
   * one that also assembles the built-in images (toolbox...) on first use.
   */
  resolveImage?: (reference: string) => Promise<ImageRecord>;
  /** Where cache entries live (default: a fresh memory cache, i.e. no cache across builds). */
  cache?: BuildCacheStore;
  /** Executes RUN (default: RUN fails, naming the missing runner). */
  runStep?: RunStep;
  /** Build output, in pieces of text. */
  onOutput?: (text: string) => void;
  /** `classic` (Step 1/5 : ...) or `plain` (BuildKit's --progress=plain). */
  progress?: BuildProgress;
  /** SOURCE_DATE_EPOCH in seconds: layer mtimes and `created` are set to it. */
  sourceDateEpoch?: number;
  /** Clock in ms (default Date.now). */
  now?: () => number;
  /** Layer compression (default gzip). */
  compression?: 'gzip' | 'none';
  signal?: AbortSignal;
}

export interface BuildResult {
  /** The image id (config digest). */
  imageId: Digest;
  /** Full references the image was tagged with. */
  tags: string[];
  /** Steps run, and those that came from the cache. */
  steps: number;
  cachedSteps: number;
  warnings: string[];
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Build args any RUN sees without an ARG, and which are never reported unused. */
const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];
/** BuildKit's automatic platform args, in the global scope. */
const PLATFORM_ARGS: Record<string, string> = {
  TARGETPLATFORM: 'wasi/wasm',
  TARGETOS: 'wasi',
  TARGETARCH: 'wasm',
  TARGETVARIANT: '',
  BUILDPLATFORM: 'wasi/wasm',
  BUILDOS: 'wasi',
  BUILDARCH: 'wasm',
  BUILDVARIANT: '',
};

interface StageState {
  stage: Stage;
  config: ImageConfig;
  layers: CachedLayer[];
  /** Id of the image as of the last step; undefined for `scratch` before any step. */
  imageId: Digest | undefined;
  /** ARGs declared in this stage, with their values (undefined: declared without a value). */
  args: Map<string, string | undefined>;
  shell: string[];
  /** CMD was set in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  /** Plain progress: the position of the next file step in this stage. */
  opIndex: number;
  opCount: number;
}

interface SourceItem {
  /** Path relative to the source root ('' for the root itself). */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  linkTarget?: string;
  data?: Uint8Array;
}

/** A copy source resolved from one source word: the matched item and what lies below it. */
interface SourceRoot {
  item: SourceItem;
  /** For directories: every descendant, path relative to the root item, parents first. */
  below: SourceItem[];
}

interface SourceFs {
  describe: string;
  all(): Promise<SourceItem[]>;
  get(path: string): Promise<SourceItem | undefined>;
  below(path: string): Promise<SourceItem[]>;
}

function shortId(id: Digest): string {
  return digestHex(id).slice(0, 12);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function envMap(env: readonly string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env ?? []) {
    const eq = e.indexOf('=');
    if (eq === -1) m.set(e, '');
    else m.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return m;
}

/** Sets a variable where it stands (Docker replaces in place), or appends it. */
function setEnv(config: ContainerConfig, key: string, value: string): void {
  const env = [...(config.Env ?? [])];
  const i = env.findIndex((e) => e === key || e.startsWith(key + '='));
  if (i === -1) env.push(`${key}=${value}`);
  else env[i] = `${key}=${value}`;
  config.Env = env;
}

/** A word that expands back to exactly `s` (for steps the builder writes itself). */
function quoteWord(s: string): string {
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

function hasGlob(s: string): boolean {
  return /[*?[]/.test(s);
}

function isUrl(s: string): boolean {
  return /^(https?|git|ssh):\/\//i.test(s) || /^git@[^:]+:/.test(s);
}

function tarChecksumOk(b: Uint8Array): boolean {
  if (b.length < 512) return false;
  const field = new TextDecoder().decode(b.subarray(148, 156)).replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : b[i]!;
  return sum === parseInt(field, 8);
}

/** The tar inside a local ADD source, if it is a (plain or gzip) tar archive: ADD then extracts it. */
async function archiveOf(data: Uint8Array): Promise<Uint8Array | undefined> {
  let tar = data;
  if (detectCompression(data) === 'gzip') {
    try {
      tar = await gunzip(data);
    } catch {
      return undefined;
    }
  }
  return tarChecksumOk(tar) ? tar : undefined;
}

/** Go's formatting of a string slice with %q: `["a" "b"]`, as Docker's history shows CMD. */
function goQuotedList(list: string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

class Output {
  #step = 0;
  #visible = false;
  #started = 0;
  #line = '';
  constructor(
    readonly write: (text: string) => void,
    readonly mode: BuildProgress,
    readonly now: () => number,
  ) {}

  plainVertex(title: string, lines: string[] = []): void {
    if (this.mode !== 'plain') return;
    const n = ++this.#step;
    this.write(`#${n} ${title}\n`);
    for (const l of lines) this.write(`#${n} ${l}\n`);
    this.write(`#${n} DONE 0.0s\n\n`);
  }

  /** Starts a step: classic shows every instruction; plain only those that make filesystem ops. */
  start(options: { n: number; total: number; text: string; plainLabel?: string }): void {
    this.#started = this.now();
    if (this.mode === 'classic') {
      this.write(`Step ${options.n}/${options.total} : ${options.text}\n`);
      this.#visible = true;
      return;
    }
    this.#visible = options.plainLabel !== undefined;
    if (this.#visible) this.write(`#${++this.#step} ${options.plainLabel} ${options.text}\n`);
  }

  cached(id: Digest): void {
    if (this.mode === 'classic') this.write(` ---> Using cache\n ---> ${shortId(id)}\n`);
    else if (this.#visible) this.write(`#${this.#step} CACHED\n\n`);
  }

  done(id: Digest | undefined): void {
    if (this.mode === 'classic') {
      if (id !== undefined) this.write(` ---> ${shortId(id)}\n`);
    } else if (this.#visible) {
      this.flushLine();
      this.write(`#${this.#step} DONE ${((this.now() - this.#started) / 1000).toFixed(1)}s\n\n`);
    }
  }

  error(message: string): void {
    if (this.mode === 'plain' && this.#visible) {
      this.flushLine();
      this.write(`#${this.#step} ERROR: ${message}\n`);
    }
  }

  note(text: string): void {
    if (this.mode === 'classic') this.write(text.endsWith('\n') ? text : text + '\n');
    else if (this.#visible) this.write(`#${this.#step} ${text}\n`);
  }

  process(text: string): void {
    if (this.mode === 'classic') {
      if (text !== '') this.#line = text.endsWith('\n') ? '' : 'open';
      this.write(text);
      return;
    }
    this.#line += text;
    let nl = this.#line.indexOf('\n');
    while (nl !== -1) {
      this.write(`#${this.#step} ${((this.now() - this.#started) / 1000).toFixed(3)} ${this.#line.slice(0, nl)}\n`);
      this.#line = this.#line.slice(nl + 1);
      nl = this.#line.indexOf('\n');
    }
  }

  /** Ends a last output line that had no newline, so the next message starts on its own line. */
  flushLine(): void {
    if (this.#line === '') return;
    if (this.mode === 'classic') {
      this.#line = '';
      this.write('\n');
    } else this.process('\n');
  }
}

const utf8 = new TextDecoder();

class Build {
  readonly o: BuildOptions;
  readonly out: Output;
  readonly now: () => number;
  readonly cache: BuildCacheStore;
  readonly epochMs: number | undefined;
  readonly buildArgs: Map<string, string>;
  readonly usedArgs = new Set<string>();
  readonly warnings: string[] = [];
  readonly globalArgs = new Map<string, string | undefined>();
  readonly finished: StageState[] = [];
  dockerfile!: Dockerfile;
  ignore: IgnoreMatcher = new IgnoreMatcher([]);
  #contextEntries: Promise<ContextEntry[]> | undefined;
  #contextData = new Map<string, Promise<Uint8Array>>();
  steps = 0;
  cachedSteps = 0;
  stepNo = 0;
  totalSteps = 0;

  constructor(options: BuildOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
    this.out = new Output(options.onOutput ?? (() => undefined), options.progress ?? 'classic', this.now);
    this.cache = options.cache ?? new MemoryBuildCache();
    this.epochMs = options.sourceDateEpoch === undefined ? undefined : options.sourceDateEpoch * 1000;
    this.buildArgs = new Map(Object.entries(options.buildArgs ?? {}));
  }

  resolveImage(reference: string): Promise<ImageRecord> {
    return this.o.resolveImage ? this.o.resolveImage(reference) : this.o.images.resolve(reference);
  }

  get file(): string {
    return this.dockerfile?.file ?? this.o.dockerfile ?? 'Dockerfile';
  }

  created(): string {
    return new Date(this.epochMs ?? this.now()).toISOString();
  }

  fail(inst: Instruction, message: string, cause?: unknown, code: WasmboxError['code'] = 'BUILD_FAILED'): WasmboxError {
    return new WasmboxError(code, `${this.file}:${inst.line}: ${inst.kind} failed: ${message}`, {
      cause,
      details: { file: this.file, line: inst.line, instruction: inst.kind },
    });
  }

  checkCancelled(): void {
    if (this.o.signal?.aborted) throw new WasmboxError('CANCELLED', 'the build was cancelled');
  }

  // ---- the context ----

  contextEntries(): Promise<ContextEntry[]> {
    this.#contextEntries ??= this.o.context.list().then((all) => all.filter((e) => !this.ignore.ignores(e.path)));
    return this.#contextEntries;
  }

  contextData(path: string): Promise<Uint8Array> {
    let p = this.#contextData.get(path);
    if (!p) {
      p = this.o.context.read(path);
      this.#contextData.set(path, p);
    }
    return p;
  }

  async readDockerfile(): Promise<{ text: string; name: string }> {
    const name = this.o.dockerfile ?? 'Dockerfile';
    if (this.o.dockerfileText !== undefined) return { text: this.o.dockerfileText, name };
    try {
      return { text: utf8.decode(await this.o.context.read(name)), name };
    } catch (e) {
      if (isWasmboxError(e, 'ENOENT')) {
        throw new WasmboxError('NOT_FOUND', `Cannot locate specified Dockerfile: ${name}`, { cause: e, details: { file: name } });
      }
      throw e;
    }
  }

  async readIgnore(dockerfileName: string): Promise<void> {
    const list = await this.o.context.list();
    const has = (p: string) => list.some((e) => e.path === p && e.type === 'file');
    // BuildKit's <Dockerfile>.dockerignore beside the Dockerfile wins over the context's.
    const specific = `${cleanPath(dockerfileName)}.dockerignore`;
    const name = has(specific) ? specific : has('.dockerignore') ? '.dockerignore' : undefined;
    if (name !== undefined) this.ignore = IgnoreMatcher.fromFile(utf8.decode(await this.o.context.read(name)));
  }

  // ---- variables ----

  /** FROM lines see the global ARGs only. */
  globalLookup(): VariableLookup {
    return (name) => this.globalArgs.get(name);
  }

  /** Inside a stage: ENV wins over ARG. */
  stageLookup(state: StageState): VariableLookup {
    const env = envMap(state.config.config?.Env);
    return (name) => {
      if (env.has(name)) return env.get(name);
      if (state.args.has(name)) {
        this.usedArgs.add(name);
        return state.args.get(name);
      }
      return undefined;
    };
  }

  expand(inst: Instruction, word: string, lookup: VariableLookup): string {
    try {
      return expandWord(word, lookup, { escape: this.dockerfile.escape });
    } catch (e) {
      if (isWasmboxError(e, 'DOCKERFILE_PARSE')) {
        throw new WasmboxError('DOCKERFILE_PARSE', `${this.file}:${inst.line}: ${inst.kind}: ${e.message} in: ${word}`, {
          cause: e,
          details: { file: this.file, line: inst.line, instruction: inst.kind },
        });
      }
      throw e;
    }
  }

  // ---- the build ----

  async run(): Promise<BuildResult> {
    const tags: ImageRef[] = (this.o.tags ?? []).map((t) => parseReference(t));
    const { text, name } = await this.readDockerfile();
    this.out.plainVertex(`[internal] load build definition from ${name}`, [`transferring dockerfile: ${new TextEncoder().encode(text).length}B done`]);
    this.dockerfile = parseDockerfile(text, { file: name });
    for (const w of this.dockerfile.warnings) this.warnings.push(w);
    await this.readIgnore(name);
    this.out.plainVertex('[internal] load .dockerignore', ['transferring context: done']);
    const { globalArgs, stages } = splitStages(this.dockerfile);

    let last = stages.length - 1;
    if (this.o.target !== undefined) {
      const t = this.o.target.toLowerCase();
      last = stages.findIndex((s) => s.name === t);
      if (last === -1) throw new WasmboxError('NOT_FOUND', `failed to reach build target ${this.o.target} in Dockerfile`, { details: { target: this.o.target } });
    }
    const selected = stages.slice(0, last + 1);
    const labels = Object.entries(this.o.labels ?? {});
    if (labels.length > 0) {
      const target = selected[selected.length - 1]!;
      const pairs = labels.map(([key, value]) => ({ key: quoteWord(key), value: quoteWord(value) }));
      target.instructions = [
        ...target.instructions,
        { kind: 'LABEL', line: target.from.line, endLine: target.from.line, flags: [], pairs, original: `LABEL ${labels.map(([k, v]) => `${JSON.stringify(k)}='${v}'`).join(' ')}` },
      ];
    }

    for (const [k, v] of Object.entries(PLATFORM_ARGS)) this.globalArgs.set(k, v);
    for (const inst of globalArgs) {
      for (const def of inst.args) {
        let value = this.buildArgs.has(def.name) ? this.buildArgs.get(def.name) : def.value === undefined ? undefined : this.expand(inst, def.value, this.globalLookup());
        if (this.buildArgs.has(def.name)) this.usedArgs.add(def.name);
        if (value === undefined && this.globalArgs.has(def.name)) value = this.globalArgs.get(def.name);
        this.globalArgs.set(def.name, value);
      }
    }

    this.totalSteps = selected.reduce((n, s) => n + 1 + s.instructions.length, 0);
    let state: StageState | undefined;
    for (const stage of selected) {
      this.checkCancelled();
      state = await this.runStage(stage, selected.length > 1);
      this.finished[stage.index] = state;
    }
    const final = state!;
    if (final.imageId === undefined) {
      throw new WasmboxError('BUILD_FAILED', 'No image was generated. Is your Dockerfile empty?');
    }

    // The end: only now is the image named, in one write of index.json.
    const configBytes = await this.o.images.content.get(final.imageId);
    const record = await this.o.images.putImage({
      config: configBytes,
      layers: final.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType })),
      tags,
    });
    const unused = [...this.buildArgs.keys()].filter((k) => !this.usedArgs.has(k) && !PROXY_ARGS.includes(k) && !(k in PLATFORM_ARGS));
    if (unused.length > 0) {
      const w = `[Warning] One or more build-args [${unused.join(' ')}] were not consumed`;
      this.warnings.push(w);
      if (this.out.mode === 'classic') this.out.write(w + '\n');
    }
    if (this.out.mode === 'classic') {
      this.out.write(`Successfully built ${shortId(record.id)}\n`);
      for (const t of tags) this.out.write(`Successfully tagged ${t.familiar()}\n`);
    } else {
      this.out.plainVertex('exporting to image', [
        'exporting layers done',
        `writing image ${record.id} done`,
        ...tags.map((t) => `naming to ${t.toString()} done`),
      ]);
    }
    return { imageId: record.id, tags: tags.map((t) => t.toString()), steps: this.steps, cachedSteps: this.cachedSteps, warnings: this.warnings };
  }

  stageLabel(state: StageState, multi: boolean): string {
    state.opIndex++;
    const prefix = multi ? `${state.stage.name ?? `stage-${state.stage.index}`} ` : '';
    return `[${prefix}${state.opIndex}/${state.opCount}]`;
  }

  async runStage(stage: Stage, multi: boolean): Promise<StageState> {
    const inst = stage.from;
    this.stepNo++;
    const image = this.expand(inst, inst.image, this.globalLookup());
    const opCount = 1 + stage.instructions.filter((i) => ['RUN', 'COPY', 'ADD', 'WORKDIR'].includes(i.kind)).length;
    const state: StageState = {
      stage,
      config: createImageConfig({ config: {} }),
      layers: [],
      imageId: undefined,
      args: new Map(),
      shell: DEFAULT_SHELL,
      cmdSet: false,
      opIndex: 0,
      opCount,
    };
    const fromText = this.out.mode === 'plain' && image !== 'scratch' ? `FROM ${image}` : inst.original;
    this.out.start({ n: this.stepNo, total: this.totalSteps, text: fromText, plainLabel: image === 'scratch' ? undefined : this.stageLabel(state, multi) });
    if (image === 'scratch') {
      if (stage.index === this.finished.length && state.opCount === 1 && this.out.mode === 'classic') this.out.write(' ---> \n');
      if (this.out.mode === 'plain') state.opIndex++;
    } else {
      const previous = this.stageByName(image, stage.index);
      if (previous) {
        state.config = clone(previous.config);
        state.layers = [...previous.layers];
        state.imageId = previous.imageId;
      } else {
        let record;
        try {
          record = await this.resolveImage(image);
        } catch (e) {
          if (isWasmboxError(e, 'IMAGE_NOT_FOUND') || isWasmboxError(e, 'INVALID_REFERENCE')) {
            throw this.fail(inst, `${e.message}: base images must be in the image store (pulling from a registry is not available)`, e, 'IMAGE_NOT_FOUND');
          }
          throw e;
        }
        state.config = clone(record.config);
        state.layers = record.manifest.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType }));
        state.imageId = record.id;
      }
      state.config.config ??= {};
      if (state.config.config.Shell) state.shell = [...state.config.config.Shell];
      this.out.done(state.imageId);
    }
    // ONBUILD triggers of the base run now, and are not inherited.
    const triggers = state.config.config?.OnBuild ?? [];
    if (triggers.length > 0) {
      delete state.config.config!.OnBuild;
      this.out.note(`# Executing ${triggers.length} build trigger${triggers.length === 1 ? '' : 's'}`);
      for (const t of triggers) {
        const trigger = parseInstruction(t, { file: `${this.file} (ONBUILD of ${image})`, line: inst.line });
        await this.instruction(state, trigger, multi, { trigger: true });
      }
    }
    for (const i of stage.instructions) {
      this.checkCancelled();
      this.stepNo++;
      await this.instruction(state, i, multi, { trigger: false });
    }
    return state;
  }

  stageByName(name: string, before: number): StageState | undefined {
    const lower = name.toLowerCase();
    for (let i = 0; i < before; i++) {
      const s = this.finished[i];
      if (s && s.stage.name === lower) return s;
    }
    if (/^\d+$/.test(name) && Number(name) < before) return this.finished[Number(name)];
    return undefined;
  }

  // ---- one instruction ----

  async instruction(state: StageState, inst: Instruction, multi: boolean, options: { trigger: boolean }): Promise<void> {
    const fsOp = inst.kind === 'RUN' || inst.kind === 'COPY' || inst.kind === 'ADD' || inst.kind === 'WORKDIR';
    if (!options.trigger) {
      this.out.start({ n: this.stepNo, total: this.totalSteps, text: inst.original, plainLabel: fsOp ? this.stageLabel(state, multi) : undefined });
    }
    try {
      await this.dispatch(state, inst);
    } catch (e) {
      const err = toWasmboxError(e);
      this.out.error(err.message);
      if (err.details?.line !== undefined || err.code === 'CANCELLED') throw err;
      throw this.fail(inst, err.message, err, err.code);
    }
  }

  /** Commits a step: from the cache if (parent, key) is known, else by running `make`. */
  async step(state: StageState, key: unknown, make: () => Promise<{ config: ImageConfig; layer?: CachedLayer; running?: boolean }>): Promise<void> {
    this.steps++;
    const parent = state.imageId ?? 'scratch';
    const keyDigest = digestOf(JSON.stringify(key));
    if (!this.o.noCache) {
      const hit = await this.cache.get(parent, keyDigest);
      if (hit && (await this.usable(hit.imageId, hit.layers))) {
        state.config = parseImageConfig(await this.o.images.content.get(hit.imageId), { digest: hit.imageId });
        state.config.config ??= {};
        state.layers = [...hit.layers];
        state.imageId = hit.imageId;
        this.cachedSteps++;
        this.out.cached(hit.imageId);
        return;
      }
    }
    const made = await make();
    const layers = made.layer ? [...state.layers, made.layer] : state.layers;
    const { digest: imageId } = await this.o.images.content.put(encodeJson(made.config));
    await this.cache.set(parent, keyDigest, { imageId, layers });
    state.config = made.config;
    state.layers = layers;
    state.imageId = imageId;
    this.out.done(imageId);
  }

  async usable(imageId: Digest, layers: CachedLayer[]): Promise<boolean> {
    const content = this.o.images.content;
    if (!(await content.has(imageId))) return false;
    for (const l of layers) if (!(await content.has(l.digest))) return false;
    return true;
  }

  /** The next config with one more history entry (and diff id when a layer was made). */
  nextConfig(state: StageState, createdBy: string, change: (c: ContainerConfig, image: ImageConfig) => void, diffId?: Digest): ImageConfig {
    const config = clone(state.config);
    config.config ??= {};
    change(config.config, config);
    const created = this.created();
    config.created = created;
    const entry: HistoryEntry = { created, created_by: createdBy };
    if (diffId === undefined) entry.empty_layer = true;
    config.history = [...(config.history ?? []), entry];
    if (diffId !== undefined) config.rootfs = { type: 'layers', diff_ids: [...config.rootfs.diff_ids, diffId] };
    return config;
  }

  nop(state: StageState, text: string): string {
    return `${state.shell.join(' ')} #(nop)  ${text}`;
  }

  /** A metadata-only step: a config change and an empty_layer history entry. */
  async metadata(state: StageState, inst: Instruction, text: string, change: (c: ContainerConfig, image: ImageConfig) => void): Promise<void> {
    const container = `${randomHex(6)}`;
    const classic = this.out.mode === 'classic';
    await this.step(state, { op: inst.kind, text, shell: state.shell }, async () => {
      if (classic) this.out.write(` ---> Running in ${container}\n`);
      const config = this.nextConfig(state, this.nop(state, text), change);
      if (classic) this.out.write(`Removing intermediate container ${container}\n`);
      return { config };
    });
  }

  /** A file-changing step: a writable layer over the current layers, committed when something changed. */
  async withLayer(
    state: StageState,
    apply: (fs: Namespace) => Promise<void>,
  ): Promise<{ layer?: CachedLayer; diffId?: Digest }> {
    const key = `build-${randomHex(8)}`;
    const tree = await this.o.layers.prepare(key, state.layers.map((l) => l.digest));
    try {
      await apply(new Namespace(tree));
      if (!tree.changed) return {};
      const committed = await this.o.layers.commit(key, { compression: this.o.compression ?? 'gzip', mtimeMs: this.epochMs ?? 0 });
      if (committed.empty) return {};
      return { layer: { digest: committed.digest, size: committed.size, mediaType: committed.mediaType }, diffId: committed.diffId };
    } finally {
      this.o.layers.remove(key);
    }
  }

  workdir(state: StageState): string {
    return state.config.config?.WorkingDir || '/';
  }

  command(state: StageState, command: CommandForm): string[] {
    return command.form === 'exec' ? [...command.argv] : [...state.shell, command.script];
  }

  async dispatch(state: StageState, inst: Instruction): Promise<void> {
    const lookup = this.stageLookup(state);
    const x = (w: string) => this.expand(inst, w, lookup);
    switch (inst.kind) {
      case 'FROM':
        throw this.fail(inst, 'FROM is not allowed here', undefined, 'DOCKERFILE_PARSE');
      case 'ENV': {
        // Every value sees the variables as they were before this instruction.
        const pairs = inst.pairs.map((p) => ({ key: x(p.key), value: x(p.value) }));
        const text = `ENV ${pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`;
        return this.metadata(state, inst, text, (c) => {
          for (const p of pairs) setEnv(c, p.key, p.value);
        });
      }
      case 'LABEL': {
        const pairs = inst.pairs.map((p) => ({ key: x(p.key), value: x(p.value) }));
        const text = `LABEL ${pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`;
        return this.metadata(state, inst, text, (c) => {
          c.Labels = { ...(c.Labels ?? {}) };
          for (const p of pairs) c.Labels[p.key] = p.value;
        });
      }
      case 'ARG': {
        const parts: string[] = [];
        for (const def of inst.args) {
          let value: string | undefined;
          if (this.buildArgs.has(def.name)) {
            value = this.buildArgs.get(def.name);
            this.usedArgs.add(def.name);
          } else if (def.value !== undefined) value = x(def.value);
          else if (this.globalArgs.has(def.name)) value = this.globalArgs.get(def.name);
          state.args.set(def.name, value);
          parts.push(def.value === undefined ? def.name : `${def.name}=${x(def.value)}`);
        }
        return this.metadata(state, inst, `ARG ${parts.join(' ')}`, () => undefined);
      }
      case 'WORKDIR': {
        const dir = normalizeAbsolute(joinPath(this.workdir(state), x(inst.value)));
        await this.step(state, { op: 'WORKDIR', dir, epoch: this.epochMs }, async () => {
          const { layer, diffId } = await this.withLayer(state, async (fs) => fs.mkdir(dir, { recursive: true }));
          const config = this.nextConfig(state, `${state.shell.join(' ')} #(nop) WORKDIR ${dir}`, (c) => (c.WorkingDir = dir), diffId);
          return { config, layer };
        });
        return;
      }
      case 'USER': {
        const user = x(inst.value);
        return this.metadata(state, inst, `USER ${user}`, (c) => (c.User = user));
      }
      case 'STOPSIGNAL': {
        const signal = x(inst.value);
        if (!/^(SIG)?[A-Z0-9+-]+$/i.test(signal)) throw this.fail(inst, `invalid signal: ${signal}`, undefined, 'INVALID_ARGUMENT');
        return this.metadata(state, inst, `STOPSIGNAL ${signal}`, (c) => (c.StopSignal = signal));
      }
      case 'MAINTAINER': {
        const author = inst.value;
        return this.metadata(state, inst, `MAINTAINER ${author}`, (_c, image) => (image.author = author));
      }
      case 'EXPOSE': {
        const ports = inst.values.flatMap((v) => this.ports(inst, x(v)));
        return this.metadata(state, inst, `EXPOSE ${ports.join(' ')}`, (c) => {
          c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
          for (const p of ports) c.ExposedPorts[p] = {};
        });
      }
      case 'VOLUME': {
        const paths = inst.values.map((v) => x(v));
        if (paths.some((p) => p.trim() === '')) throw this.fail(inst, 'VOLUME specified can not be an empty string', undefined, 'INVALID_ARGUMENT');
        return this.metadata(state, inst, `VOLUME [${paths.join(' ')}]`, (c) => {
          c.Volumes = { ...(c.Volumes ?? {}) };
          for (const p of paths) c.Volumes[p] = {};
        });
      }
      case 'CMD': {
        const cmd = this.command(state, inst.command);
        state.cmdSet = true;
        return this.metadata(state, inst, `CMD ${goQuotedList(cmd)}`, (c) => (c.Cmd = cmd));
      }
      case 'ENTRYPOINT': {
        const entrypoint = this.command(state, inst.command);
        const keepCmd = state.cmdSet;
        return this.metadata(state, inst, `ENTRYPOINT ${goQuotedList(entrypoint)}`, (c) => {
          c.Entrypoint = entrypoint;
          // A base image's CMD makes no sense with a new ENTRYPOINT.
          if (!keepCmd) delete c.Cmd;
        });
      }
      case 'SHELL': {
        const shell = [...inst.shell];
        await this.metadata(state, inst, `SHELL ${goQuotedList(shell)}`, (c) => (c.Shell = shell));
        state.shell = shell;
        return;
      }
      case 'HEALTHCHECK': {
        const hc: NonNullable<ContainerConfig['Healthcheck']> = {};
        if (inst.none) hc.Test = ['NONE'];
        else {
          const cmd = inst.command!;
          hc.Test = cmd.form === 'exec' ? ['CMD', ...cmd.argv] : ['CMD-SHELL', cmd.script];
          if (inst.interval !== undefined) hc.Interval = inst.interval;
          if (inst.timeout !== undefined) hc.Timeout = inst.timeout;
          if (inst.startPeriod !== undefined) hc.StartPeriod = inst.startPeriod;
          if (inst.startInterval !== undefined) hc.StartInterval = inst.startInterval;
          if (inst.retries !== undefined) hc.Retries = inst.retries;
        }
        return this.metadata(state, inst, `HEALTHCHECK ${JSON.stringify(hc)}`, (c) => (c.Healthcheck = hc));
      }
      case 'ONBUILD': {
        const m = /^(\S+)([\s\S]*)$/.exec(inst.expression)!;
        const trigger = m[1]!.toUpperCase() + m[2]!;
        return this.metadata(state, inst, `ONBUILD ${trigger}`, (c) => (c.OnBuild = [...(c.OnBuild ?? []), trigger]));
      }
      case 'RUN':
        return this.runInstruction(state, inst);
      case 'COPY':
      case 'ADD':
        return this.copy(state, inst, x);
    }
  }

  ports(inst: Instruction, spec: string): string[] {
    const m = /^(?:(?:[^:]*:)?(?:[^:]*):)?(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
    if (!m) throw this.fail(inst, `invalid containerPort: ${spec}`, undefined, 'INVALID_ARGUMENT');
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > 65535 || to < from) throw this.fail(inst, `invalid port range: ${spec}`, undefined, 'INVALID_ARGUMENT');
    const proto = (m[3] ?? 'tcp').toLowerCase();
    const out: string[] = [];
    for (let p = from; p <= to; p++) out.push(`${p}/${proto}`);
    return out;
  }

  // ---- RUN ----

  runEnv(state: StageState): { env: string[]; args: string[] } {
    const env = envMap(state.config.config?.Env);
    const args: string[] = [];
    for (const [k, v] of state.args) {
      if (v === undefined) continue;
      args.push(`${k}=${v}`);
      if (!env.has(k)) env.set(k, v);
    }
    for (const k of PROXY_ARGS) {
      const v = this.buildArgs.get(k);
      if (v !== undefined && !env.has(k)) env.set(k, v);
    }
    if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH.slice('PATH='.length));
    args.sort();
    return { env: [...env].map(([k, v]) => `${k}=${v}`), args };
  }

  async runInstruction(state: StageState, inst: RunInstruction): Promise<void> {
    let argv: string[];
    let shellForm: { shell: string[]; script: string } | undefined;
    let pipes: Heredoc | undefined;
    if (inst.command.form === 'exec') argv = [...inst.command.argv];
    else {
      let script = inst.command.script;
      const only = inst.heredocs.length === 1 && /^\d*<<-?\S+$/.test(script.trim());
      if (only && inst.heredocs[0]!.content.startsWith('#!')) {
        // A script with a shebang runs as a file, as BuildKit does (under /dev/pipes).
        pipes = inst.heredocs[0]!;
        script = '';
      } else if (only) script = inst.heredocs[0]!.content;
      else for (const h of inst.heredocs) script += `\n${h.content}${h.name}`;
      shellForm = { shell: [...state.shell], script };
      argv = [...state.shell, script];
    }
    if (pipes) {
      argv = [`/dev/pipes/${pipes.name}`];
      shellForm = undefined;
    }
    const { env, args } = this.runEnv(state);
    const cwd = this.workdir(state);
    const user = state.config.config?.User ?? '';
    const shown = pipes ? `${state.shell.join(' ')} <<${pipes.name}` : argv.join(' ');
    const createdBy = args.length > 0 ? `|${args.length} ${args.join(' ')} ${shown}` : shown;
    const key = { op: 'RUN', argv, pipes: pipes?.content, env, args, cwd, user, mounts: inst.mounts, epoch: this.epochMs };
    const runStep = this.o.runStep;
    await this.step(state, key, async () => {
      const container = randomHex(6);
      if (this.out.mode === 'classic') this.out.write(` ---> Running in ${container}\n`);
      const { layer, diffId } = await this.withLayer(state, async (fs) => {
        if (!runStep) {
          throw new WasmboxError('NOT_IMPLEMENTED', `${this.file}:${inst.line}: RUN is not supported yet: the runner is not available`, {
            details: { file: this.file, line: inst.line, instruction: 'RUN' },
          });
        }
        fs.mkdir(cwd, { recursive: true });
        if (pipes) {
          // A mount, so the script never lands in the layer (a build's /dev is not part of the image).
          const dev = new Namespace(new TreeFs());
          dev.mkdir('/pipes');
          dev.writeFile(`/pipes/${pipes.name}`, pipes.content, { mode: 0o755 });
          fs.mount('/dev', dev.root, { readOnly: false });
        }
        const code = await runStep({
          argv,
          ...(shellForm ? { shellForm } : {}),
          fs,
          env,
          cwd,
          user,
          mounts: inst.mounts,
          ...(inst.network !== undefined ? { network: inst.network } : {}),
          onOutput: (chunk) => this.out.process(utf8.decode(chunk, { stream: false })),
          ...(this.o.signal ? { signal: this.o.signal } : {}),
        });
        this.out.flushLine();
        if (code !== 0) {
          const shownCommand = pipes ? shown : argv.join(' ');
          const message =
            this.out.mode === 'plain'
              ? `process "${shownCommand}" did not complete successfully: exit code: ${code}`
              : `The command '${shownCommand}' returned a non-zero code: ${code}`;
          throw new WasmboxError('BUILD_FAILED', message, { details: { file: this.file, line: inst.line, instruction: 'RUN', exitCode: code } });
        }
      });
      if (this.out.mode === 'classic') this.out.write(`Removing intermediate container ${container}\n`);
      return { config: this.nextConfig(state, createdBy, () => undefined, diffId), layer };
    });
  }

  // ---- COPY and ADD ----

  contextSource(): SourceFs {
    const items = async () => {
      const entries = await this.contextEntries();
      return entries.map((e) => ({ path: e.path, type: e.type, mode: e.mode, uid: 0, gid: 0, mtimeMs: e.mtimeMs, linkTarget: e.linkTarget }));
    };
    return {
      describe: 'build context',
      all: items,
      get: async (path) => {
        if (path === '.') return { path: '.', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtimeMs: 0 };
        return (await items()).find((i) => i.path === path);
      },
      below: async (path) => {
        const all = await items();
        if (path === '.') return all;
        const prefix = path + '/';
        return all.filter((i) => i.path.startsWith(prefix)).map((i) => ({ ...i, path: i.path.slice(prefix.length) }));
      },
    };
  }

  treeSource(root: DirNode, describe: string): SourceFs {
    const item = (path: string, n: Node): SourceItem => {
      const base = { path, mode: n.mode, uid: n.uid, gid: n.gid, mtimeMs: n.mtimeMs };
      if (n.kind === 'dir') return { ...base, type: 'directory' };
      if (n.kind === 'symlink') return { ...base, type: 'symlink', linkTarget: n.target };
      return { ...base, type: 'file', data: fileBytes(n) };
    };
    const walk = (dir: DirNode, prefix: string, out: SourceItem[]) => {
      for (const name of [...dir.entries.keys()].sort()) {
        const n = dir.entries.get(name)!;
        const p = prefix === '' ? name : `${prefix}/${name}`;
        out.push(item(p, n));
        if (n.kind === 'dir') walk(n, p, out);
      }
      return out;
    };
    return {
      describe,
      all: async () => walk(root, '', []),
      get: async (path) => {
        const n = findInTree(root, path);
        return n === undefined ? undefined : item(path, n);
      },
      below: async (path) => {
        const n = findInTree(root, path);
        return n !== undefined && n.kind === 'dir' ? walk(n, '', []) : [];
      },
    };
  }

  async sourceFs(state: StageState, inst: CopyInstruction, from: string | undefined): Promise<{ fs: SourceFs; id: string }> {
    if (from === undefined) return { fs: this.contextSource(), id: 'context' };
    const stage = this.stageByName(from, state.stage.index);
    let chain: Digest[];
    let id: string;
    if (stage) {
      chain = stage.layers.map((l) => l.digest);
      id = stage.imageId ?? 'scratch';
    } else {
      let record;
      try {
        record = await this.resolveImage(from);
      } catch (e) {
        throw this.fail(inst, `--from=${from}: no stage or image of that name: ${e instanceof Error ? e.message : String(e)}`, e, 'IMAGE_NOT_FOUND');
      }
      chain = record.manifest.layers.map((l) => l.digest);
      id = record.id;
    }
    const { root } = await this.o.layers.view(chain);
    return { fs: this.treeSource(root, `--from=${from}`), id };
  }

  async resolveSources(inst: CopyInstruction, src: SourceFs, words: string[]): Promise<SourceRoot[]> {
    const roots: SourceRoot[] = [];
    for (const word of words) {
      const cleaned = cleanPath(word.replace(/^\/+/, '') || '.');
      if (cleaned === '..' || cleaned.startsWith('../')) {
        throw this.fail(inst, `forbidden path outside the build context: ${word}`, undefined, 'UNSAFE_PATH');
      }
      let matches: SourceItem[];
      if (hasGlob(cleaned)) {
        const re = patternToRegExp(cleaned);
        matches = (await src.all()).filter((i) => re.test(i.path));
      } else {
        const one = await src.get(cleaned);
        if (!one) {
          const what = src.describe === 'build context' ? 'file not found in build context or excluded by .dockerignore' : `file not found in ${src.describe}`;
          throw this.fail(inst, `${what}: stat ${word}: file does not exist`, undefined, 'ENOENT');
        }
        matches = [one];
      }
      for (const m of matches) roots.push({ item: m, below: m.type === 'directory' ? await src.below(m.path) : [] });
    }
    return roots;
  }

  /** The bytes of a selected file: from the source tree, or read from the context. */
  async loadData(root: SourceRoot, it: SourceItem): Promise<Uint8Array> {
    if (it.data) return it.data;
    const base = root.item.path;
    const path = it === root.item ? base : base === '.' ? it.path : `${base}/${it.path}`;
    return this.contextData(path);
  }

  /** `uid[:gid]` with names looked up in the image's /etc/passwd and /etc/group (0, with a note, when missing). */
  owner(fs: Namespace, spec: string): { uid: number; gid: number } {
    const [user, group] = spec.split(':', 2) as [string, string | undefined];
    const lookup = (name: string, file: string, what: string): number => {
      if (/^\d+$/.test(name)) return Number(name);
      let text = '';
      try {
        text = utf8.decode(fs.readFile(file));
      } catch {
        // No such file: fall through to the note.
      }
      for (const line of text.split('\n')) {
        const f = line.split(':');
        if (f[0] === name && f[2] !== undefined && /^\d+$/.test(f[2])) return Number(f[2]);
      }
      if (name !== 'root') this.out.note(`note: ${what} "${name}" is not in ${file}; using id 0`);
      return 0;
    };
    const uid = lookup(user, '/etc/passwd', 'user');
    const gid = group === undefined ? (/^\d+$/.test(user) ? uid : lookup(user, '/etc/group', 'group')) : lookup(group, '/etc/group', 'group');
    return { uid, gid };
  }

  async copy(state: StageState, inst: CopyInstruction, x: (w: string) => string): Promise<void> {
    const lookup = this.stageLookup(state);
    const from = inst.from === undefined ? undefined : x(inst.from);
    const chown = inst.chown === undefined ? undefined : x(inst.chown);
    const chmodText = inst.chmod === undefined ? undefined : x(inst.chmod);
    let chmod: number | undefined;
    if (chmodText !== undefined) {
      if (!/^[0-7]{3,4}$/.test(chmodText)) throw this.fail(inst, `invalid chmod parameter: ${chmodText} (an octal mode like 755 is expected)`, undefined, 'INVALID_ARGUMENT');
      chmod = parseInt(chmodText, 8);
    }
    const heredocs = new Map(inst.heredocs.map((h) => [h.name, h]));
    const heredocSources: { name: string; data: Uint8Array }[] = [];
    const words: string[] = [];
    for (const raw of inst.sources) {
      const m = /^\d*<<-?["']?([^"']+)["']?$/.exec(raw);
      const h = m ? heredocs.get(m[1]!) : undefined;
      if (h) {
        const text = h.expand ? expandHeredoc(h.content, lookup, { escape: this.dockerfile.escape }) : h.content;
        heredocSources.push({ name: h.name, data: new TextEncoder().encode(text) });
        continue;
      }
      const w = inst.json ? raw : x(raw);
      if (isUrl(w)) {
        throw this.fail(inst, `${w}: network access is disabled during builds: download the file into the build context instead`, undefined, 'EACCES');
      }
      words.push(w);
    }
    const workdir = this.workdir(state);
    const destWord = inst.json ? inst.dest : x(inst.dest);
    const dest = normalizeAbsolute(joinPath(workdir, destWord));
    const destIsDirWord = destWord.endsWith('/') || destWord === '.' || destWord.endsWith('/.');

    const { fs: src, id: fromId } = await this.sourceFs(state, inst, from);
    const roots = await this.resolveSources(inst, src, words);
    if (roots.length === 0 && heredocSources.length === 0) throw this.fail(inst, 'no source files were specified', undefined, 'ENOENT');
    const many = roots.length + heredocSources.length > 1 || words.some(hasGlob);
    if (roots.length + heredocSources.length > 1 && !destIsDirWord) {
      throw this.fail(inst, `When using ${inst.kind} with more than one source file, the destination must be a directory and end with a /`, undefined, 'INVALID_ARGUMENT');
    }

    // Inputs of the cache key: every selected file's path, type, mode and contents.
    const listing: string[] = [];
    const loaded = new Map<SourceItem, Uint8Array>();
    for (const root of roots) {
      for (const it of [root.item, ...root.below]) {
        let content = '';
        if (it.type === 'file') {
          const d = await this.loadData(root, it);
          loaded.set(it, d);
          content = digestOf(d);
        } else if (it.type === 'symlink') content = it.linkTarget ?? '';
        listing.push(`${root.item.path}|${it === root.item ? '' : it.path}|${it.type}|${it.mode.toString(8)}|${it.uid}:${it.gid}|${content}`);
      }
    }
    for (const h of heredocSources) listing.push(`<<${h.name}|${digestOf(h.data)}`);
    const inputs = digestOf(listing.join('\n'));
    const kindOfHash = roots.length + heredocSources.length > 1 ? 'multi' : roots[0]?.item.type === 'directory' ? 'dir' : 'file';
    const createdBy = `${state.shell.join(' ')} #(nop) ${inst.kind} ${kindOfHash}:${digestHex(inputs)} in ${destWord.startsWith('/') ? destWord : dest} `;
    const key = { op: inst.kind, from: fromId, inputs, dest, destIsDirWord, chown, chmod, epoch: this.epochMs, workdir };
    const isAdd = inst.kind === 'ADD';

    await this.step(state, key, async () => {
      const { layer, diffId } = await this.withLayer(state, async (fs) => {
        const own = chown === undefined ? undefined : this.owner(fs, chown);
        const put = (target: string, it: SourceItem, data: Uint8Array | undefined) =>
          this.putItem(fs, target, it, data, { owner: own ?? (from === undefined ? { uid: 0, gid: 0 } : undefined), chmod });
        const intoDir = destIsDirWord || many || fs.kindOf(dest) === 'dir';
        for (const h of heredocSources) {
          const target = intoDir ? joinPath(dest, h.name) : dest;
          put(target, { path: h.name, type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0 }, h.data);
        }
        for (const root of roots) {
          const it = root.item;
          if (it.type === 'directory') {
            this.ensureDir(fs, dest, own);
            for (const b of root.below) put(joinPath(dest, b.path), b, loaded.get(b));
            continue;
          }
          const target = intoDir ? joinPath(dest, basenameOf('/' + it.path)) : dest;
          const data = loaded.get(it);
          if (isAdd && it.type === 'file' && data !== undefined) {
            const tar = await archiveOf(data);
            if (tar !== undefined) {
              this.extract(inst, fs, dest, tar, own);
              continue;
            }
          }
          put(target, it, data);
        }
      });
      return { config: this.nextConfig(state, createdBy, () => undefined, diffId), layer };
    });
  }

  ensureDir(fs: Namespace, path: string, owner: { uid: number; gid: number } | undefined): void {
    let p = '';
    for (const c of path.split('/').filter((s) => s !== '')) {
      p += '/' + c;
      const k = fs.kindOf(p);
      if (k === 'dir') continue;
      if (k !== undefined) fs.unlink(p);
      fs.mkdir(p, { mode: 0o755 });
      if (owner && p === normalizeAbsolute(path)) fs.chown(p, owner.uid, owner.gid);
    }
  }

  removeAll(fs: Namespace, path: string): void {
    const k = fs.kindOf(path, { follow: false });
    if (k === undefined) return;
    if (k === 'dir') {
      for (const e of fs.readdir(path)) removeAllChild(this, fs, path, e.name);
      fs.rmdir(path);
    } else fs.unlink(path);
  }

  putItem(
    fs: Namespace,
    target: string,
    it: SourceItem,
    data: Uint8Array | undefined,
    options: { owner: { uid: number; gid: number } | undefined; chmod: number | undefined },
  ): void {
    const path = normalizeAbsolute(target);
    if (path === '/') return;
    this.ensureDir(fs, dirnameOf(path), undefined);
    const existing = fs.kindOf(path, { follow: false });
    const uid = options.owner?.uid ?? it.uid;
    const gid = options.owner?.gid ?? it.gid;
    if (it.type === 'directory') {
      if (existing !== undefined && existing !== 'dir') fs.unlink(path);
      if (existing !== 'dir') fs.mkdir(path, { mode: 0o755 });
      fs.chmod(path, options.chmod ?? it.mode);
    } else {
      if (existing === 'dir') this.removeAll(fs, path);
      else if (existing !== undefined) fs.unlink(path);
      if (it.type === 'symlink') fs.symlink(it.linkTarget ?? '', path);
      else {
        fs.writeFile(path, data ?? new Uint8Array(0), { mode: options.chmod ?? it.mode });
        fs.chmod(path, options.chmod ?? it.mode);
      }
    }
    fs.chown(path, uid, gid, { follow: false });
    fs.utimes(path, it.mtimeMs, it.mtimeMs, { follow: false });
  }

  /** ADD of a local tar: its entries under `dest`, ownership kept unless --chown. */
  extract(inst: Instruction, fs: Namespace, dest: string, tar: Uint8Array, owner: { uid: number; gid: number } | undefined): void {
    this.ensureDir(fs, dest, undefined);
    for (const e of tarEntries(tar)) {
      const rel = cleanPath(e.path.replace(/^\/+/, ''));
      if (rel === '.') continue;
      if (rel === '..' || rel.startsWith('../')) throw this.fail(inst, `archive entry ${e.path} would be extracted outside ${dest}`, undefined, 'UNSAFE_PATH');
      const target = joinPath(dest, rel);
      const base = { path: rel, mode: e.mode, uid: e.uid, gid: e.gid, mtimeMs: e.mtimeMs };
      if (e.type === 'link') {
        const linked = joinPath(dest, cleanPath(e.linkpath.replace(/^\/+/, '')));
        this.ensureDir(fs, dirnameOf(target), undefined);
        if (fs.kindOf(target, { follow: false }) !== undefined) fs.unlink(target);
        fs.link(linked, target);
        continue;
      }
      const it: SourceItem = e.type === 'directory' ? { ...base, type: 'directory' } : e.type === 'symlink' ? { ...base, type: 'symlink', linkTarget: e.linkpath } : { ...base, type: 'file' };
      this.putItem(fs, target, it, e.type === 'file' ? e.data : undefined, { owner, chmod: undefined });
    }
  }
}

function removeAllChild(b: Build, fs: Namespace, dir: string, name: string): void {
  b.removeAll(fs, joinPath(dir, name));
}

/**
 * Builds an image from a Dockerfile. Resolves when the image is stored (and tagged); rejects
 * with a WasmboxError naming the Dockerfile line otherwise, leaving no tag behind.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  return new Build(options).run();
}
