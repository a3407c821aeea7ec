// docker's confirmation prompt for prune commands: the warning, `[y/N]`, one line from stdin.

import type { CliContext } from './context.js';

/** Reads one line of an answer from stdin. */
export async function readLine(stdin: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let line = '';
  for await (const chunk of stdin) {
    line += decoder.decode(chunk, { stream: true });
    const nl = line.indexOf('\n');
    if (nl !== -1) return line.slice(0, nl);
  }
  return line;
}

/** Prints `warning` and asks; true when the user answered y or yes. */
export async function confirm(ctx: CliContext, warning: string): Promise<boolean> {
  ctx.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const answer = (await readLine(ctx.stdin)).trim().toLowerCase();
  return answer === 'y' || answer === 'yes';
}
