// Runs the benchmarks of bench/index.ts and prints their Markdown tables, headed by the
// date and the machine. `npm run bench [-- [--quick] [--readme] [name...]]`; --readme also
// writes the tables into README.md's `## Benchmarks` section (replacing it, or appending it).

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { BENCHES } from './index.js';
import { type Table, markdown, now } from './lib.js';
import { ensureGc } from './node-gc.js';

export function machineLine(date = new Date()): string {
  const cpu = cpus();
  const model = cpu[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return `Measured ${date.toISOString().slice(0, 10)} on ${cpu.length} cores (${model}), Node ${process.versions.node.split('.')[0]} (${process.version}).`;
}

/** README.md with its `## Benchmarks` section set to `body` (the rest of the file untouched). */
export function replaceSection(readme: string, heading: string, body: string): string {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  const section = [heading, '', body.trimEnd(), ''];
  if (start < 0) return (readme.trimEnd() === '' ? '' : readme.trimEnd() + '\n\n') + section.join('\n');
  let end = lines.findIndex((l, i) => i > start && /^#{1,2} /.test(l));
  if (end < 0) end = lines.length;
  return [...lines.slice(0, start), ...section, ...lines.slice(end)].join('\n').replace(/\n*$/, '\n');
}

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const toReadme = argv.includes('--readme');
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) {
    throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
  }
  ensureGc();
  const out: string[] = [machineLine(), ''];
  console.log(out[0] + '\n');
  for (const b of BENCHES) {
    if (names.length > 0 && !names.includes(b.name)) continue;
    const t0 = now();
    const result = await (await b.load()).run({ quick });
    const tables: Table[] = Array.isArray(result) ? result : [result];
    for (const t of tables) {
      const md = markdown(t);
      console.log(md);
      out.push(md);
    }
    console.error(`[bench] ${b.name}: ${((now() - t0) / 1000).toFixed(1)} s`);
  }
  if (toReadme) {
    const path = resolve(import.meta.dirname, '../README.md');
    const before = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const intro =
      'Ratios compare rows measured in the same run (lower is better; `0.50×` = half the time or memory of the reference), ' +
      'so they hold across machines better than the absolute numbers. Reproduce with `npm run bench` ' +
      '(`npm run bench -- --readme` rewrites this section).';
    writeFileSync(path, replaceSection(before, '## Benchmarks', [intro, '', ...out].join('\n')));
    console.error(`[bench] wrote ${path}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main(process.argv.slice(2));
}
