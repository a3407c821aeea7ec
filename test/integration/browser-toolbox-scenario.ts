// The runner scenario run both in Node (against src/) and in Chromium (against the browser
// bundle): assemble the built-in images, fork containers, run hello-world inline, run the
// built-in shell over real toolbox programs, and run processes in workers over a replicated
// container file system. It imports wasmbox only as a type, so the page tests its bundle.

import type * as Wasmbox from '../../src/index.js';
import type { ProgramLoader } from '../../src/image/index.js';
import type { SyncInput, SyncOutput, WorkerFactory } from '../../src/runner/index.js';

type W = typeof Wasmbox;

export interface ToolboxScenarioOptions {
  loadProgram: ProgramLoader;
  workerFactory: WorkerFactory;
}

export interface RunOutput {
  stdout: string;
  stderr: string;
  status: number;
}

export interface ToolboxScenarioResult {
  imageIds: { hello: string; toolbox: string };
  hello: RunOutput;
  shell: Record<string, RunOutput>;
  /** A host without prepare(): the toolbox (200 KB) compiled synchronously on the page's main thread. */
  coldHost: RunOutput;
  worker: { hello: RunOutput; ls: RunOutput; tee: RunOutput; teeFile: string; sameInline: boolean };
}

/** The shell scripts, run one after the other in ONE container: later ones read earlier files. */
export const SHELL_SCRIPTS: Record<string, string> = {
  pipeline: "echo b a c | tr ' ' '\\n' | sort | head -2",
  countBin: 'ls /bin | grep -c .',
  setE: "sh -c 'set -e; false; echo no'",
  writeFile: 'echo hello wasmbox > /tmp/f; tr a-z A-Z < /tmp/f > /tmp/g',
  readFile: 'wc -c < /tmp/g; cat /tmp/g; ls /tmp',
  sedXargs: "seq 1 5 | sed -n '2,4p' | xargs echo",
  uniq: "printf 'b\\na\\nb\\n' | sort | uniq -c",
  find: 'find /etc -type f | sort',
  sha256: 'sha256sum /etc/group',
  date: 'date -u -d @0 +%Y-%m-%d',
  notFound: 'nosuch; echo "status $?"',
};

const decoder = new TextDecoder();

class Collect implements SyncOutput {
  text = '';
  readonly #decoder = new TextDecoder();
  write(data: Uint8Array): void {
    this.text += this.#decoder.decode(data, { stream: true });
  }
}

const EMPTY_STDIN: SyncInput = { read: () => null, ready: () => true };

export async function runToolboxScenario(w: W, options: ToolboxScenarioOptions): Promise<ToolboxScenarioResult> {
  const content = new w.MemoryContentStore();
  const images = new w.ImageStore({ content, files: new w.MemoryMetadataFiles() });
  const helloImage = await w.createBuiltinImage(images, 'hello-world', { loadProgram: options.loadProgram });
  const toolboxImage = await w.createBuiltinImage(images, 'toolbox', { loadProgram: options.loadProgram });
  const layers = new w.LayerStore(content);
  const helloView = await layers.view(helloImage.manifest.layers.map((l) => l.digest));
  const toolboxView = await layers.view(toolboxImage.manifest.layers.map((l) => l.digest));

  // (1) hello-world, inline, through the process layer.
  const helloFs = w.forkContainerFs(helloView.root).fs;
  const hello = await runProcess(w, { module: helloFs.readFile('/hello'), args: ['/hello'], mode: 'inline', fs: helloFs });

  // (2) the built-in shell with real toolbox programs run inline over the container's Namespace.
  const { fs } = w.forkContainerFs(toolboxView.root);
  const host = w.createWasmShellHost({ fs });
  await host.prepare(['/bin/toolbox']);
  const shell: Record<string, RunOutput> = {};
  for (const [name, script] of Object.entries(SHELL_SCRIPTS)) {
    const sh = new w.Shell(host, { env: ['HOME=/root', 'PATH=/usr/local/bin:/usr/bin:/bin'] });
    const stdout = new Collect();
    const stderr = new Collect();
    const status = sh.run(script, { stdin: EMPTY_STDIN, stdout, stderr });
    shell[name] = { stdout: stdout.text, stderr: stderr.text, status };
  }

  const coldHost = w.createWasmShellHost({ fs: w.forkContainerFs(toolboxView.root).fs });
  const coldOut = new Collect();
  const coldErr = new Collect();
  const coldStatus = new w.Shell(coldHost).run('echo cold | cat', { stdin: EMPTY_STDIN, stdout: coldOut, stderr: coldErr });

  // (3) processes in workers over a replicated file system (the hub): they see the image's
  // lower layers, and a file one writes reaches the container.
  const helloHub = new w.ContainerFsHub({
    top: w.forkContainerFs(helloView.root).top,
    lower: { tars: await Promise.all(helloImage.manifest.layers.map((l) => content.get(l.digest))) },
  });
  const workerHello = await runProcess(w, { module: helloFs.readFile('/hello'), args: ['/hello'], mode: 'worker', workerFactory: options.workerFactory, hub: helloHub });
  const toolboxHub = new w.ContainerFsHub({
    top: w.forkContainerFs(toolboxView.root).top,
    lower: { tars: await Promise.all(toolboxImage.manifest.layers.map((l) => content.get(l.digest))) },
  });
  const toolboxWasm = fs.readFile('/bin/toolbox');
  const spec = { mode: 'worker' as const, workerFactory: options.workerFactory, hub: toolboxHub, module: toolboxWasm };
  const ls = await runProcess(w, { ...spec, args: ['ls', '/bin'] });
  const tee = await runProcess(w, { ...spec, args: ['tee', '/tmp/from-worker'], stdin: new TextEncoder().encode('written by a worker\n') });
  let teeFile: string;
  try {
    teeFile = decoder.decode(toolboxHub.fs.readFile('/tmp/from-worker'));
  } catch (e) {
    teeFile = `error: ${(e as Error).message}`;
  }
  const inlineLs = await runProcess(w, { module: toolboxWasm, args: ['ls', '/bin'], mode: 'inline', fs: w.forkContainerFs(toolboxView.root).fs });

  return {
    imageIds: { hello: helloImage.id, toolbox: toolboxImage.id },
    hello,
    shell,
    coldHost: { stdout: coldOut.text, stderr: coldErr.text, status: coldStatus },
    worker: { hello: workerHello, ls, tee, teeFile, sameInline: JSON.stringify(inlineLs) === JSON.stringify(ls) },
  };
}

async function runProcess(w: W, spec: Parameters<W['spawnProcess']>[0]): Promise<RunOutput> {
  const out = new Collect();
  const err = new Collect();
  const p = w.spawnProcess({ ...spec, stdout: (c) => out.write(c), stderr: (c) => err.write(c) });
  const status = await p.exited;
  return { stdout: out.text, stderr: err.text + (status.message ? `[${status.message}]` : ''), status: status.code };
}
