// `wasmbox version`: the client's version, laid out like `docker version`.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import type { CliContext } from '../context.js';

export const API_VERSION = '1.50';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('version')
    .description('Show the wasmbox version information')
    .option('-f, --format <template>', 'Format the output using a Go-like template ({{.Client.Version}})')
    .action((opts: { format?: string }) => {
      const info = {
        Client: {
          Version: packageVersion(),
          ApiVersion: API_VERSION,
          NodeVersion: process.versions.node,
          Os: platform(),
          Arch: arch(),
          Runtime: 'wasmbox (WebAssembly, WASI preview1)',
        },
      };
      if (opts.format !== undefined) {
        const out = opts.format.replace(/\{\{\s*\.Client\.(\w+)\s*\}\}/g, (_m, k: string) =>
          String((info.Client as Record<string, unknown>)[k] ?? ''),
        );
        ctx.stdout.write(out + '\n');
        return;
      }
      const c = info.Client;
      ctx.stdout.write(
        [
          'Client:',
          ` Version:           ${c.Version}`,
          ` API version:       ${c.ApiVersion}`,
          ` Node version:      ${c.NodeVersion}`,
          ` OS/Arch:           ${c.Os}/${c.Arch}`,
          ` Runtime:           ${c.Runtime}`,
          '',
        ].join('\n'),
      );
    });
}
