// A tiny benchmark harness: `measure` times a function (warm-up, several rounds, median)
// and `table` turns measurements into a Markdown table whose ratio column compares each
// row with reference rows measured in the same run, so numbers travel between machines.

/** What every bench module exports; bench/run.ts runs them in order. */
export interface BenchModule {
  run(options?: BenchOptions): Promise<Table | Table[]>;
}

export interface BenchOptions {
  /** Tiny sizes and one short round: keeps the benches runnable from a unit test. */
  quick?: boolean;
}

export interface MeasureOptions {
  /** Calls of `fn` per round. Without it a round lasts at least `minTimeMs`. */
  iterations?: number;
  /** Minimum duration of a round when `iterations` is not given (default 200 ms). */
  minTimeMs?: number;
  /** Timed rounds; the median is reported (default 5). */
  rounds?: number;
  /** Untimed calls before the first round, so the JIT has seen the code (default: one round's worth, at most 1000). */
  warmup?: number;
  /** Operations one call of `fn` performs (e.g. 10,000 for "create 10k files"): results are per operation. */
  opsPerCall?: number;
}

export interface Measurement {
  name: string;
  /** Median nanoseconds per operation. */
  nsPerOp: number;
  opsPerSec: number;
  /** ns/op of every round, in order. */
  rounds: number[];
}

/** Monotonic milliseconds; `performance` exists in Node and in browsers. */
export const now = (): number => performance.now();

export function measure(name: string, fn: () => unknown, options: MeasureOptions = {}): Measurement {
  return compare([{ name, fn }], options)[0]!;
}

export interface BenchCase {
  name: string;
  fn: () => unknown;
}

/**
 * Measures several cases with their rounds interleaved (A B C A B C …), so a load spike or
 * a slow drift of the machine hits every case alike and their ratios stay meaningful.
 */
export function compare(cases: BenchCase[], options: MeasureOptions = {}): Measurement[] {
  const opsPerCall = options.opsPerCall ?? 1;
  const roundCount = Math.max(1, options.rounds ?? 5);
  const minTimeMs = options.minTimeMs ?? 200;
  const calls = cases.map((c) => options.iterations ?? calibrate(c.fn, minTimeMs));
  cases.forEach((c, k) => {
    const warmup = options.warmup ?? Math.min(calls[k]!, 1000);
    for (let i = 0; i < warmup; i++) c.fn();
  });
  const rounds: number[][] = cases.map(() => []);
  for (let r = 0; r < roundCount; r++) {
    cases.forEach((c, k) => {
      const n = calls[k]!;
      const t0 = now();
      for (let i = 0; i < n; i++) c.fn();
      const dt = now() - t0;
      rounds[k]!.push((dt * 1e6) / (n * opsPerCall));
    });
  }
  return cases.map((c, k) => {
    const nsPerOp = median(rounds[k]!);
    return { name: c.name, nsPerOp, opsPerSec: 1e9 / nsPerOp, rounds: rounds[k]! };
  });
}

/** How many calls of `fn` fill a round of `minTimeMs`. */
function calibrate(fn: () => unknown, minTimeMs: number): number {
  let calls = 1;
  for (;;) {
    const t0 = now();
    for (let i = 0; i < calls; i++) fn();
    const dt = now() - t0;
    if (dt >= minTimeMs / 4 || calls >= 1 << 24) return Math.max(1, Math.ceil((calls * minTimeMs) / Math.max(dt, 1e-3)));
    calls *= 4;
  }
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

type GcFn = () => void;
let gcFn: GcFn | undefined;

/**
 * A full garbage collection, for heap measurements. Uses `globalThis.gc` when Node runs with
 * --expose-gc; otherwise `install` may supply one (bench/run.ts does so on Node), else undefined.
 */
export function collectGarbage(): boolean {
  const g = gcFn ?? (globalThis as { gc?: GcFn }).gc;
  if (g === undefined) return false;
  g();
  g();
  return true;
}

export function installGc(fn: GcFn): void {
  gcFn = fn;
}

/** One line of a table. Values are costs (lower is better): ns/op, µs/op, bytes. */
export interface Row {
  name: string;
  value: number;
  unit: string;
  /** Names of rows in the same table this row is compared with: ratio = value / their value. */
  vs?: string[];
  note?: string;
}

export interface Table {
  title: string;
  rows: Row[];
  notes?: string[];
}

export interface Ratio {
  reference: string;
  ratio: number;
}

/** Ratios of `row` against the rows it names; an unknown name is a bug in the bench. */
export function ratiosOf(t: Table, row: Row): Ratio[] {
  return (row.vs ?? []).map((reference) => {
    const ref = t.rows.find((r) => r.name === reference);
    if (ref === undefined) throw new Error(`bench table "${t.title}": row "${row.name}" compares with unknown row "${reference}"`);
    return { reference, ratio: row.value / ref.value };
  });
}

export function table(title: string, rows: Row[], options: { notes?: string[] } = {}): Table {
  const t: Table = { title, rows, notes: options.notes };
  for (const r of rows) ratiosOf(t, r); // fail early on a wrong reference name
  return t;
}

/** The row for a measurement, in ns/op (or µs/op when it reads better). */
export function rowOf(m: Measurement, options: { vs?: string[]; note?: string; unit?: 'ns/op' | 'µs/op' } = {}): Row {
  const unit = options.unit ?? (m.nsPerOp >= 10_000 ? 'µs/op' : 'ns/op');
  const value = unit === 'µs/op' ? m.nsPerOp / 1000 : m.nsPerOp;
  return { name: m.name, value, unit, vs: options.vs, note: options.note };
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return Math.round(x).toLocaleString('en-US');
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** Two decimals, or two significant digits for ratios far below 1 (0.0031×, not 0.00×). */
export function formatRatio(r: number): string {
  if (!Number.isFinite(r)) return String(r);
  return Math.abs(r) >= 0.1 || r === 0 ? r.toFixed(2) : r.toPrecision(2);
}

/** Markdown for one table: name | value | unit | x vs reference | note. */
export function markdown(t: Table): string {
  const hasNotes = t.rows.some((r) => r.note !== undefined);
  const head = ['case', 'value', 'unit', 'x vs reference', ...(hasNotes ? ['note'] : [])];
  const align = ['---', '---:', '---', '---', ...(hasNotes ? ['---'] : [])];
  const lines = [`### ${t.title}`, '', `| ${head.join(' | ')} |`, `| ${align.join(' | ')} |`];
  for (const r of t.rows) {
    const ratios = ratiosOf(t, r);
    const ratioText = ratios.length === 0 ? 'reference' : ratios.map((x) => `${formatRatio(x.ratio)}× ${x.reference}`).join(', ');
    const cells = [r.name, formatNumber(r.value), r.unit, ratioText, ...(hasNotes ? [r.note ?? ''] : [])];
    lines.push(`| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  if (t.notes !== undefined && t.notes.length > 0) lines.push('', ...t.notes.map((n) => `${n}`));
  return lines.join('\n') + '\n';
}
