// A scripted ContainerServiceApi for testing the container commands' flag mapping and exit
// statuses without an engine: it records create bodies and plays back each container's output.

import type { ContainerCreateBody, ContainerInspect, ContainerServiceApi, ContainerSummary, OutputFrame, WaitResult } from '../../../src/engine/container-types.js';
import { WasmboxError } from '../../../src/errors.js';
import type { CliContext, CliIO } from '../../../src/cli/context.js';

export interface Script {
  /** Output the program writes when started. */
  output?: { stream: 'stdout' | 'stderr'; text: string }[];
  /** Exit status. */
  status?: number;
  /** start() fails with this. */
  startError?: Error;
  /** The program echoes its stdin to stdout (like cat). */
  echoStdin?: boolean;
}

interface Record_ {
  id: string;
  name: string;
  body: ContainerCreateBody;
  state: 'created' | 'running' | 'exited';
  status: number;
  created: number;
  frames: OutputFrame[];
  stdin?: AsyncIterable<Uint8Array>;
  exited: Promise<void>;
  finish: () => void;
  removed: boolean;
}

const notFound = (name: string) => new WasmboxError('NOT_FOUND', `No such container: ${name}`);

export class FakeContainers {
  readonly created: { body: ContainerCreateBody; name?: string }[] = [];
  readonly calls: string[] = [];
  script: Script = {};
  readonly #records: Record_[] = [];

  #find(name: string): Record_ {
    const r = this.#records.find((c) => !c.removed && (c.id.startsWith(name) || c.name === name));
    if (!r) throw notFound(name);
    return r;
  }

  api(): ContainerServiceApi {
    const api: Partial<ContainerServiceApi> = {
      create: async (body, options) => {
        this.created.push({ body, ...(options?.name !== undefined ? { name: options.name } : {}) });
        if (body.Image === 'nope') throw new WasmboxError('IMAGE_NOT_FOUND', 'image nope not found');
        const id = (this.#records.length + 1).toString(16).padStart(64, 'a');
        let finish!: () => void;
        const exited = new Promise<void>((r) => (finish = r));
        this.#records.push({ id, name: options?.name ?? `fake_${this.#records.length}`, body, state: 'created', status: 0, created: Date.now(), frames: [], exited, finish, removed: false });
        return { Id: id, Warnings: [] };
      },
      start: async (name) => {
        this.calls.push(`start ${name}`);
        const r = this.#find(name);
        if (this.script.startError) throw this.script.startError;
        r.state = 'running';
        void (async () => {
          for (const o of this.script.output ?? []) r.frames.push({ stream: o.stream, data: new TextEncoder().encode(o.text), time: Date.now() });
          if (this.script.echoStdin && r.stdin) for await (const c of r.stdin) r.frames.push({ stream: 'stdout', data: c, time: Date.now() });
          r.status = this.script.status ?? 0;
          r.state = 'exited';
          if (r.body.HostConfig?.AutoRemove) r.removed = true;
          r.finish();
        })();
      },
      attach: async (name, options) => {
        const r = this.#find(name);
        if (options?.stdin) r.stdin = options.stdin;
        const output = (async function* () {
          await r.exited;
          yield* r.frames;
        })();
        return { output, tty: r.body.Tty === true };
      },
      wait: async (name): Promise<WaitResult> => {
        const r = this.#find(name);
        await r.exited;
        return { StatusCode: r.status };
      },
      remove: async (name, options) => {
        this.calls.push(`rm ${name} ${JSON.stringify(options ?? {})}`);
        this.#find(name).removed = true;
      },
      stop: async (name, options) => {
        this.#find(name);
        this.calls.push(`stop ${name} ${JSON.stringify(options ?? {})}`);
      },
      kill: async (name, options) => {
        this.calls.push(`kill ${name} ${JSON.stringify(options ?? {})}`);
        this.#find(name);
      },
      resize: async (name, size) => {
        this.calls.push(`resize ${name} ${size.h}x${size.w}`);
      },
      list: async (options) =>
        this.#records
          .filter((r) => !r.removed && (options?.all || r.state === 'running'))
          .map(
            (r): ContainerSummary => ({
              Id: r.id,
              Names: [`/${r.name}`],
              Image: r.body.Image,
              ImageID: 'sha256:' + 'b'.repeat(64),
              Command: [...(r.body.Entrypoint ?? []), ...(r.body.Cmd ?? [])].map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' '),
              Created: Math.floor(r.created / 1000),
              State: r.state,
              Status: r.state === 'exited' ? `Exited (${r.status}) Less than a second ago` : r.state === 'running' ? 'Up Less than a second' : 'Created',
              Ports: [],
              Labels: r.body.Labels ?? {},
              HostConfig: { NetworkMode: 'none' },
              NetworkSettings: { Networks: {} },
              Mounts: [],
            }),
          ),
      inspect: async (name) => {
        const r = this.#find(name);
        return { Id: r.id, Name: `/${r.name}`, State: { Status: r.state, Running: r.state === 'running', ExitCode: r.status }, Config: { ...r.body, Hostname: '' } } as unknown as ContainerInspect;
      },
    };
    return api as ContainerServiceApi;
  }
}

/** A CliContext over the fake service (no engine, no disk). */
export function fakeContext(io: CliIO, fake: FakeContainers, options: { daemon?: boolean } = {}): CliContext {
  const api = fake.api();
  return {
    ...io,
    daemon: options.daemon === true,
    engine: () => Promise.reject(new Error('no engine in this test')),
    images: () => Promise.reject(new Error('no images in this test')),
    imageApi: () => Promise.reject(new Error('no images in this test')),
    client: () => undefined,
    containers: async () => api,
    close: async () => undefined,
  };
}
