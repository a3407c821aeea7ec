// An engine over memory stores with a hand-moved clock, and its API called without a socket.
import { createApi } from '../../../src/api/api.js';
import type { Api } from '../../../src/api/api.js';
import { ManualClock } from '../../../src/engine/clock.js';
import { Engine } from '../../../src/engine/engine.js';
import { MemoryVolumeBackend } from '../../../src/engine/volumes.js';
import { memoryImageStore } from '../../helpers/image-fixtures.js';

export interface Harness {
  engine: Engine;
  api: Api;
  clock: ManualClock;
  call(method: string, path: string, init?: { body?: BodyInit | null; json?: unknown; headers?: Record<string, string> }): Promise<Response>;
  /** Calls and parses the JSON body. */
  callJson<T = unknown>(method: string, path: string, init?: { body?: BodyInit | null; json?: unknown }): Promise<{ status: number; body: T; headers: Headers }>;
}

export function harness(): Harness {
  const clock = new ManualClock(Date.UTC(2024, 5, 1, 12, 0, 0));
  let counter = 0;
  const random = (n: number) => {
    counter++;
    return new Uint8Array(n).map((_, i) => (i * 7 + counter) & 0xff);
  };
  const engine = new Engine({
    images: memoryImageStore(),
    volumes: new MemoryVolumeBackend(),
    clock,
    version: '9.9.9',
    root: '/state',
    id: 'engine-id',
    random,
    host: { name: 'testhost', os: 'linux', arch: 'x86_64', ncpu: 4, memTotal: 1024, kernelVersion: '6.0', runtime: 'node test' },
  });
  const api = createApi(engine);
  const call: Harness['call'] = (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    let body = init.body ?? null;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['Content-Type'] = 'application/json';
    }
    const req = new Request(`http://localhost${path}`, { method, headers, body, ...(body ? { duplex: 'half' } : {}) } as RequestInit);
    return api.fetch(req);
  };
  const callJson: Harness['callJson'] = async (method, path, init) => {
    const res = await call(method, path, init);
    const text = await res.text();
    return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as never, headers: res.headers };
  };
  return { engine, api, clock, call, callJson };
}

/** Newline-delimited JSON of a response body. */
export async function jsonLines(res: Response): Promise<Record<string, unknown>[]> {
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
