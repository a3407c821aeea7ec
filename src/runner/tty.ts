// The terminal line discipline a container with a TTY (`-t`) needs: wasmbox has no pty, so
// the runtime does what the kernel's would in canonical mode. Keystrokes arrive raw (the
// client's terminal is in raw mode); a line reaches the program once Enter is pressed, typed
// characters are echoed, backspace and Ctrl-U edit the line, Ctrl-D at the start of a line
// is end of file, and the program's "\n" becomes "\r\n" on the way out (ONLCR).

export interface LineDisciplineSink {
  /** A finished line (or what Ctrl-D flushed) for the program's stdin. */
  input(data: Uint8Array): void;
  /** End of file (Ctrl-D on an empty line). */
  end(): void;
  /** Bytes to show on the terminal (the echo), as if the program had written them. */
  echo(data: Uint8Array): void;
}

const enc = new TextEncoder();
const CR = 0x0d;
const LF = 0x0a;
const BS = 0x08;
const DEL = 0x7f;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_U = 0x15;
const ERASE = enc.encode('\b \b');

export class LineDiscipline {
  #line: number[] = [];
  #ended = false;

  constructor(private readonly sink: LineDisciplineSink) {}

  /** Raw keystrokes from the terminal. */
  write(chunk: Uint8Array): void {
    for (const b of chunk) {
      if (this.#ended) return;
      if (b === CR || b === LF) {
        this.sink.echo(enc.encode('\r\n'));
        this.#line.push(LF);
        this.#flush();
      } else if (b === DEL || b === BS) {
        if (this.#eraseChar()) this.sink.echo(ERASE);
      } else if (b === CTRL_U) {
        while (this.#eraseChar()) this.sink.echo(ERASE);
      } else if (b === CTRL_D) {
        if (this.#line.length === 0) {
          this.#ended = true;
          this.sink.end();
        } else {
          this.#flush();
        }
      } else if (b === CTRL_C) {
        // No signals reach a WASI program: drop the line and hand the program an empty one,
        // so an interactive shell shows a fresh prompt, as it does after SIGINT.
        this.sink.echo(enc.encode('^C\r\n'));
        this.#line = [LF];
        this.#flush();
      } else if (b < 0x20 && b !== 0x09) {
        this.#line.push(b);
        this.sink.echo(Uint8Array.of(0x5e, b + 0x40)); // ^X
      } else {
        this.#line.push(b);
        this.sink.echo(Uint8Array.of(b));
      }
    }
  }

  /** The client's stdin ended: what is typed so far goes to the program, then EOF. */
  close(): void {
    if (this.#ended) return;
    if (this.#line.length > 0) this.#flush();
    this.#ended = true;
    this.sink.end();
  }

  #flush(): void {
    const line = Uint8Array.from(this.#line);
    this.#line = [];
    this.sink.input(line);
  }

  /** Removes the last character (all bytes of a UTF-8 sequence); false when the line is empty. */
  #eraseChar(): boolean {
    if (this.#line.length === 0) return false;
    let b = this.#line.pop()!;
    while ((b & 0xc0) === 0x80 && this.#line.length > 0) b = this.#line.pop()!;
    return true;
  }
}

/** ONLCR: "\n" → "\r\n" in a TTY's output (a lone "\n" would not return the cursor in raw mode). */
export function onlcr(data: Uint8Array): Uint8Array {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (data[i] === LF && (i === 0 || data[i - 1] !== CR)) n++;
  if (n === 0) return data;
  const out = new Uint8Array(data.length + n);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === LF && (i === 0 || data[i - 1] !== CR)) out[o++] = CR;
    out[o++] = b;
  }
  return out;
}

/** Raw keystrokes in, the lines a program reads out (with the echo sent to `echo`). */
export async function* cookedInput(raw: AsyncIterable<Uint8Array>, echo: (data: Uint8Array) => void): AsyncGenerator<Uint8Array> {
  const ready: Uint8Array[] = [];
  let ended = false;
  const ld = new LineDiscipline({ input: (d) => ready.push(d), end: () => (ended = true), echo });
  for await (const chunk of raw) {
    ld.write(chunk);
    while (ready.length > 0) yield ready.shift()!;
    if (ended) return;
  }
  ld.close();
  while (ready.length > 0) yield ready.shift()!;
}
