// Swaps the content layer's pure-JS sha256 for node:crypto's native one (several times faster
// on layer-sized blobs). Called once at start-up by the Node entry points.

import { createHash } from 'node:crypto';
import { setSha256Factory } from '../../content/digest.js';
import type { Hasher } from '../../content/digest.js';

export function nodeSha256(): Hasher {
  const h = createHash('sha256');
  return {
    update: (data) => void h.update(data),
    hex: () => h.digest('hex'),
  };
}

export function installNodeSha256(): void {
  setSha256Factory(nodeSha256);
}
