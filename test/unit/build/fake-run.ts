// A stand-in for the WASI runner in builder tests: a tiny TypeScript "shell" that runs the
// few commands the test Dockerfiles use (echo, cat, mkdir, touch, rm, ln, chmod, env, true,
// false, exit) on the build container's file system, with `>`/`>>` redirections and
// `&&`, `;` and newlines between commands.

import type { RunStep, RunStepContext } from '../../../src/build/run-step.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function expandVars(word: string, env: Map<string, string>): string {
  return word.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => env.get((a ?? b)!) ?? '');
}

/** Splits a command line into words: single quotes literal, double quotes expand. */
function words(line: string, env: Map<string, string>): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|([^\s'"]+)/g;
  let cur = '';
  let last = -1;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (last !== -1 && m.index !== last) {
      out.push(cur);
      cur = '';
    }
    cur += m[1] ?? expandVars(m[2] ?? m[3] ?? '', env);
    last = re.lastIndex;
  }
  if (last !== -1) out.push(cur);
  return out;
}

function abs(cwd: string, p: string): string {
  return p.startsWith('/') ? p : `${cwd.replace(/\/$/, '')}/${p}`;
}

export interface FakeRunLog {
  calls: RunStepContext[];
}

export function fakeRunStep(log: FakeRunLog = { calls: [] }): RunStep {
  return async (ctx) => {
    log.calls.push(ctx);
    const env = new Map(ctx.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const script = ctx.shellForm ? ctx.shellForm.script : ctx.argv.map((a) => `'${a}'`).join(' ');
    const { fs, cwd } = ctx;
    const stdout = (s: string) => ctx.onOutput(enc.encode(s), 'stdout');
    for (const line of script.split(/\n|;/)) {
      for (const part of line.split('&&')) {
        let argv = words(part.trim(), env);
        if (argv.length === 0) continue;
        let redirect: { path: string; append: boolean } | undefined;
        const r = argv.findIndex((w) => w === '>' || w === '>>');
        if (r !== -1) {
          redirect = { path: abs(cwd, argv[r + 1]!), append: argv[r] === '>>' };
          argv = argv.slice(0, r);
        }
        let text = '';
        let code = 0;
        const [cmd, ...args] = argv;
        switch (cmd) {
          case 'echo':
            text = args.join(' ') + '\n';
            break;
          case 'true':
            break;
          case 'false':
            code = 1;
            break;
          case 'exit':
            return Number(args[0] ?? 0);
          case 'cat':
            for (const a of args) text += dec.decode(fs.readFile(abs(cwd, a)));
            break;
          case 'mkdir':
            for (const a of args.filter((x) => x !== '-p')) fs.mkdir(abs(cwd, a), { recursive: true });
            break;
          case 'touch':
            for (const a of args) if (!fs.exists(abs(cwd, a))) fs.writeFile(abs(cwd, a), '');
            break;
          case 'rm':
            for (const a of args.filter((x) => !x.startsWith('-'))) fs.unlink(abs(cwd, a));
            break;
          case 'ln':
            fs.symlink(args[1]!, abs(cwd, args[2]!));
            break;
          case 'chmod':
            fs.chmod(abs(cwd, args[1]!), parseInt(args[0]!, 8));
            break;
          case 'env':
            text = ctx.env.join('\n') + '\n';
            break;
          case 'pwd':
            text = cwd + '\n';
            break;
          case 'whoami':
            text = (ctx.user || 'root') + '\n';
            break;
          default:
            ctx.onOutput(enc.encode(`sh: ${cmd}: not found\n`), 'stderr');
            return 127;
        }
        if (redirect) {
          const old = redirect.append && fs.exists(redirect.path) ? dec.decode(fs.readFile(redirect.path)) : '';
          fs.writeFile(redirect.path, old + text);
        } else if (text) stdout(text);
        if (code !== 0) return code;
      }
    }
    return 0;
  };
}
