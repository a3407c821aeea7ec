// Draws pull/push progress like the docker CLI: on a terminal one line per layer, redrawn in
// place with ANSI cursor moves (`abcdef123456: Downloading [====>     ]  1.2MB/3.4MB`); on a
// pipe only status changes, one plain line each, without the byte counters.

import type { ProgressEvent } from '../image/registry/progress.js';
import type { Output } from './context.js';
import { humanSize } from './units.js';

const BAR_WIDTH = 50;
/** Statuses that only move a counter: shown as bars on a terminal, not printed on a pipe. */
const COUNTER_STATUSES = new Set(['Downloading', 'Pushing', 'Extracting']);

/** docker's progress bar: `[=====>      ]  1.049MB/3.4MB`. */
export function progressBar(current: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.floor((current / total) * BAR_WIDTH)) : 0;
  const box = `[${'='.repeat(filled)}>${' '.repeat(BAR_WIDTH - filled)}]`;
  return `${box} ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

export function eventText(e: ProgressEvent): string {
  const d = e.progressDetail;
  const bar = d && d.total !== undefined && d.total > 0 && d.current !== undefined && COUNTER_STATUSES.has(e.status) ? ` ${progressBar(d.current, d.total)}` : '';
  return `${e.id !== undefined ? `${e.id}: ` : ''}${e.status}${bar}`;
}

export interface ProgressPrinterOptions {
  /** Redraw lines in place (a terminal). Default: the output's isTTY. */
  tty?: boolean;
}

export class ProgressPrinter {
  readonly #out: Output;
  readonly #tty: boolean;
  /** Line number of each id's line, counted from the first line printed. */
  readonly #lines = new Map<string, number>();
  #printed = 0;

  constructor(out: Output, options: ProgressPrinterOptions = {}) {
    this.#out = out;
    this.#tty = options.tty ?? out.isTTY === true;
  }

  event = (e: ProgressEvent): void => {
    if (!this.#tty) {
      if (COUNTER_STATUSES.has(e.status)) return;
      this.#out.write(eventText(e) + '\n');
      return;
    }
    const text = eventText(e);
    const line = e.id === undefined ? undefined : this.#lines.get(e.id);
    if (line === undefined) {
      if (e.id !== undefined) this.#lines.set(e.id, this.#printed);
      this.#out.write(`\x1b[2K${text}\n`);
      this.#printed++;
      return;
    }
    const up = this.#printed - line;
    this.#out.write(`\x1b[${up}A\r\x1b[2K${text}\r\x1b[${up}B`);
  };
}
