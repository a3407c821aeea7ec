// Keeps the benchmarks runnable: every bench of bench/index.ts runs with tiny sizes and must
// return well-formed tables of finite numbers. Times are never asserted.

import { describe, expect, it } from 'vitest';
import { BENCHES } from '../../bench/index.js';
import { type Table, markdown, measure, median, ratiosOf, table } from '../../bench/lib.js';
import { replaceSection } from '../../bench/run.js';

function checkTable(t: Table): void {
  expect(t.title.length).toBeGreaterThan(0);
  expect(t.rows.length).toBeGreaterThan(0);
  const names = t.rows.map((r) => r.name);
  expect(new Set(names).size).toBe(names.length);
  for (const r of t.rows) {
    expect(Number.isFinite(r.value), `${t.title} / ${r.name} = ${r.value}`).toBe(true);
    expect(r.unit.length).toBeGreaterThan(0);
    for (const x of ratiosOf(t, r)) expect(Number.isFinite(x.ratio), `${r.name} vs ${x.reference}`).toBe(true);
  }
  const md = markdown(t);
  // header + alignment + one line per row, all with the same number of cells
  const tableLines = md.split('\n').filter((l) => l.startsWith('|'));
  expect(tableLines).toHaveLength(t.rows.length + 2);
  const cells = tableLines.map((l) => l.split(/(?<!\\)\|/).length);
  expect(new Set(cells).size).toBe(1);
}

describe('benchmarks (smoke, quick sizes)', () => {
  it('lists at least the vfs bench', () => {
    expect(BENCHES.map((b) => b.name)).toContain('vfs');
  });

  for (const b of BENCHES) {
    it(`${b.name} runs and returns well-formed tables`, { timeout: 60_000 }, async () => {
      const result = await (await b.load()).run({ quick: true });
      const tables = Array.isArray(result) ? result : [result];
      expect(tables.length).toBeGreaterThan(0);
      for (const t of tables) checkTable(t);
    });
  }
});

describe('bench harness', () => {
  it('measures the median of its rounds, per operation', () => {
    let calls = 0;
    const m = measure('count', () => calls++, { iterations: 10, rounds: 3, warmup: 2, opsPerCall: 4 });
    expect(calls).toBe(2 + 3 * 10);
    expect(m.rounds).toHaveLength(3);
    expect(m.nsPerOp).toBe(median(m.rounds));
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('computes ratios against named rows and refuses unknown references', () => {
    const t = table('t', [
      { name: 'ref', value: 2, unit: 'ns/op' },
      { name: 'ours', value: 3, unit: 'ns/op', vs: ['ref'], note: 'a|b' },
    ]);
    expect(ratiosOf(t, t.rows[1]!)).toEqual([{ reference: 'ref', ratio: 1.5 }]);
    expect(markdown(t)).toContain('| ours | 3.00 | ns/op | 1.50× ref | a\\|b |');
    expect(() => table('bad', [{ name: 'x', value: 1, unit: 'ns/op', vs: ['nope'] }])).toThrow(/unknown row "nope"/);
  });

  it('replaces only the Benchmarks section of a README', () => {
    const readme = '# wasmbox\n\nintro\n\n## Benchmarks\n\nold\n\n### sub\n\nold table\n\n## License\n\nApache\n';
    const out = replaceSection(readme, '## Benchmarks', 'new');
    expect(out).toBe('# wasmbox\n\nintro\n\n## Benchmarks\n\nnew\n\n## License\n\nApache\n');
    expect(replaceSection('', '## Benchmarks', 'x')).toBe('## Benchmarks\n\nx\n');
    expect(replaceSection('# a\n', '## Benchmarks', 'x')).toBe('# a\n\n## Benchmarks\n\nx\n');
  });
});
