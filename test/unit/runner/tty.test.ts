// The line discipline of TTY containers: what a pty in canonical mode would do for them.
import { describe, expect, it } from 'vitest';
import { LineDiscipline, cookedInput, onlcr } from '../../../src/runner/tty.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function terminal() {
  const lines: string[] = [];
  let echo = '';
  let ended = false;
  const ld = new LineDiscipline({
    input: (d) => lines.push(dec.decode(d)),
    end: () => (ended = true),
    echo: (d) => (echo += dec.decode(d)),
  });
  return { ld, lines, echo: () => echo, ended: () => ended, type: (s: string) => ld.write(enc.encode(s)) };
}

describe('LineDiscipline', () => {
  it('delivers a line at Enter (CR or LF), echoing what was typed', () => {
    const t = terminal();
    t.type('ls -l');
    expect(t.lines).toEqual([]);
    t.type('\r');
    expect(t.lines).toEqual(['ls -l\n']);
    expect(t.echo()).toBe('ls -l\r\n');
    t.type('pwd\n');
    expect(t.lines).toEqual(['ls -l\n', 'pwd\n']);
  });

  it('edits with backspace (a whole UTF-8 character) and Ctrl-U', () => {
    const t = terminal();
    t.type('cd /tmpx\x7f\r');
    t.type('é\x7fe\r');
    t.type('rm -rf /\x15echo safe\r');
    expect(t.lines).toEqual(['cd /tmp\n', 'e\n', 'echo safe\n']);
    expect(t.echo()).toContain('\b \b');
    t.type('\x7f\x7f');
    expect(t.lines).toHaveLength(3);
  });

  it('Ctrl-D: end of file on an empty line, else flushes the line without a newline', () => {
    const t = terminal();
    t.type('abc\x04');
    expect(t.lines).toEqual(['abc']);
    expect(t.ended()).toBe(false);
    t.type('\x04');
    expect(t.ended()).toBe(true);
    t.type('more\r');
    expect(t.lines).toEqual(['abc']);
  });

  it('Ctrl-C drops the line and hands over an empty one; other controls echo as ^X', () => {
    const t = terminal();
    t.type('sleep 100\x03');
    expect(t.lines).toEqual(['\n']);
    expect(t.echo()).toBe('sleep 100^C\r\n');
    t.type('a\x01b\r');
    expect(t.lines[1]).toBe('a\x01b\n');
    expect(t.echo()).toContain('a^Ab');
  });

  it('close() hands over what was typed, then EOF', () => {
    const t = terminal();
    t.type('partial');
    t.ld.close();
    expect(t.lines).toEqual(['partial']);
    expect(t.ended()).toBe(true);
  });
});

describe('onlcr', () => {
  it('turns LF into CRLF, leaves CRLF alone, returns the same array when there is nothing to do', () => {
    expect(dec.decode(onlcr(enc.encode('a\nb\r\nc\n')))).toBe('a\r\nb\r\nc\r\n');
    const plain = enc.encode('no newline');
    expect(onlcr(plain)).toBe(plain);
  });
});

describe('cookedInput (exec -it)', () => {
  it('yields whole lines from raw keystrokes and sends the echo aside', async () => {
    async function* raw(): AsyncIterable<Uint8Array> {
      yield enc.encode('ech');
      yield enc.encode('o x\r');
      yield enc.encode('exit\r\x04ignored');
    }
    let echo = '';
    const lines: string[] = [];
    for await (const l of cookedInput(raw(), (d) => (echo += dec.decode(d)))) lines.push(dec.decode(l));
    expect(lines).toEqual(['echo x\n', 'exit\n']);
    expect(echo).toBe('echo x\r\nexit\r\n');
  });
});
