// OCI chain ids: the identity of a stack of layers (not of one layer), used to share the
// merged tree of a layer stack between every image and container built on it.
// ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln)).

import { WasmboxError } from '../errors.js';
import { digestOf } from '../content/digest.js';
import type { Digest } from '../content/digest.js';

/** The chain id of each prefix of `diffIds` (bottom layer first): result[i] = ChainID(L0..i). */
export function chainIdsOf(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const d of diffIds) out.push(out.length === 0 ? d : digestOf(`${out[out.length - 1]} ${d}`));
  return out;
}

/** The chain id of a whole stack of layers, bottom first. */
export function chainIdOf(diffIds: readonly Digest[]): Digest {
  if (diffIds.length === 0) throw new WasmboxError('INVALID_ARGUMENT', 'a chain id needs at least one layer diff id');
  return chainIdsOf(diffIds)[diffIds.length - 1]!;
}
