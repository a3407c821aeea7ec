// The layering of DESIGN.md, enforced: a module may import only from its own layer or the
// layers below it, and only the Node platform adapter and the CLI may import `node:*`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/** Rank of each top-level folder of src/: imports must point to a rank <= the importer's. */
const RANK: Record<string, number> = {
  'errors.ts': 0,
  util: 0,
  content: 1,
  vfs: 2,
  layers: 3,
  runner: 4,
  image: 5,
  net: 5,
  build: 6,
  engine: 7,
  api: 8,
  platform: 9,
  cli: 10,
  'index.ts': 9,
};

/** Folders that may import `node:*` (and Node-only packages). */
const NODE_ALLOWED = ['platform/node', 'cli'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function topOf(rel: string): string {
  return rel.split('/')[0]!;
}

function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3])!);
  return specs;
}

export function violations(files: { rel: string; source: string }[]): string[] {
  const out: string[] = [];
  for (const { rel, source } of files) {
    const top = topOf(rel);
    const rank = RANK[top];
    if (rank === undefined) {
      out.push(`${rel}: src/${top} is not a layer of DESIGN.md (add it to RANK)`);
      continue;
    }
    const nodeOk = NODE_ALLOWED.some((p) => rel.startsWith(p + '/'));
    for (const spec of importsOf(source)) {
      if (spec.startsWith('node:')) {
        if (!nodeOk) out.push(`${rel}: imports ${spec}; only ${NODE_ALLOWED.join(', ')} may touch node:*`);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(join(SRC, dirname(rel)), spec)).split('\\').join('/');
      if (target.startsWith('..')) {
        out.push(`${rel}: imports ${spec}, outside src/`);
        continue;
      }
      const ttop = topOf(target);
      const trank = RANK[ttop.replace(/\.js$/, '.ts')] ?? RANK[ttop];
      if (trank === undefined) continue;
      if (trank > rank) out.push(`${rel}: imports ${spec} (src/${ttop}), a higher layer`);
      if (ttop === 'platform' && top !== 'platform' && top !== 'cli' && top !== 'index.ts') {
        out.push(`${rel}: imports ${spec}; the core receives platform pieces by injection`);
      }
      if (target.startsWith('platform/node') && top === 'platform' && rel.startsWith('platform/browser')) {
        out.push(`${rel}: the browser platform imports the Node platform`);
      }
    }
  }
  return out;
}

describe('architecture', () => {
  it('no module imports a higher layer or node:* outside platform/node and cli', () => {
    const files = walk(SRC).map((p) => ({
      rel: relative(SRC, p).split('\\').join('/'),
      source: readFileSync(p, 'utf8'),
    }));
    expect(files.length).toBeGreaterThan(0);
    expect(violations(files)).toEqual([]);
  });

  it('catches a violation (the check itself can fail)', () => {
    expect(
      violations([
        { rel: 'vfs/x.ts', source: "import { a } from '../image/index.js';\nimport fs from 'node:fs';" },
        { rel: 'content/y.ts', source: "export * from '../platform/node/index.js';" },
        { rel: 'cli/z.ts', source: "import fs from 'node:fs';\nimport { b } from '../image/index.js';" },
      ]),
    ).toEqual([
      'vfs/x.ts: imports ../image/index.js (src/image), a higher layer',
      'vfs/x.ts: imports node:fs; only platform/node, cli may touch node:*',
      'content/y.ts: imports ../platform/node/index.js (src/platform), a higher layer',
      'content/y.ts: imports ../platform/node/index.js; the core receives platform pieces by injection',
    ]);
  });
});
