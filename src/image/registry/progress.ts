// Progress of a pull or push as the Docker Engine API streams it (`POST /images/create`,
// `POST /images/{name}/push`): one JSON message per status change, keyed by a short layer id,
// so the API can forward the events as they are and the CLI can draw docker's bars.

import type { Digest } from '../../content/digest.js';

export interface ProgressDetail {
  current?: number;
  total?: number;
}

/** One message: `{ id: 'abcdef123456', status: 'Downloading', progressDetail: { current, total } }`. */
export interface ProgressEvent {
  /** 12 hex digits of a blob digest, or a tag for the first line (`latest: Pulling from x`); absent for summary lines. */
  id?: string;
  status: string;
  progressDetail?: ProgressDetail;
}

export type ProgressListener = (event: ProgressEvent) => void;

/** Docker's short layer id: the first 12 hex digits of the digest. */
export function shortDigest(digest: Digest): string {
  return digest.slice('sha256:'.length, 'sha256:'.length + 12);
}

/** Runs `tasks` with at most `limit` in flight; rejects with the first failure after the running ones settle. */
export async function runLimited<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        await task(items[i]!, i);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
