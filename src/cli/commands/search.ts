// `wasmbox search [REGISTRY/]TERM`: on a private registry, the repositories of its `_catalog`
// whose name contains TERM; on Docker Hub, its search API. Output as `docker search`.

import type { Command } from 'commander';
import { WasmboxError } from '../../errors.js';
import { DEFAULT_DOMAIN } from '../../image/reference.js';
import type { FetchLike } from '../../image/registry/client.js';
import { type CliContext, ExitError } from '../context.js';
import { tabwrite } from '../format.js';
import { type InsecureRegistryOptions, insecureRegistryOption, registryClient } from '../registry-options.js';
import { checkArgs } from '../usage.js';

interface SearchCliOptions extends InsecureRegistryOptions {
  limit: string;
  trunc: boolean;
  filter?: string[];
}

export interface SearchResult {
  name: string;
  description: string;
  stars: number;
  official: boolean;
}

const DESCRIPTION_WIDTH = 45;

/** Splits `host:port/term` into a registry and a term; a bare term searches Docker Hub. */
export function splitSearchTerm(term: string): { domain: string; term: string } {
  const slash = term.indexOf('/');
  if (slash !== -1) {
    const first = term.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') return { domain: first, term: term.slice(slash + 1) };
  }
  return { domain: DEFAULT_DOMAIN, term };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function applyFilters(results: SearchResult[], filters: string[]): SearchResult[] {
  let out = results;
  for (const f of filters) {
    const [key, value = ''] = f.split('=', 2) as [string, string?];
    if (key === 'is-official') out = out.filter((r) => r.official === (value === 'true'));
    else if (key === 'stars') {
      const n = Number(value);
      if (!Number.isInteger(n)) throw new ExitError(1, `invalid filter 'stars=${value}'`);
      out = out.filter((r) => r.stars >= n);
    } else if (key !== 'is-automated') throw new ExitError(1, `invalid filter '${key}'`);
  }
  return out;
}

async function hubSearch(fetchFn: FetchLike, term: string, limit: number): Promise<SearchResult[]> {
  const url = `https://index.docker.io/v1/search?q=${encodeURIComponent(term)}&n=${limit}`;
  let res: Response;
  try {
    res = await fetchFn(url, { method: 'GET', headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new WasmboxError('REGISTRY_ERROR', `searching Docker Hub failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (!res.ok) throw new WasmboxError('REGISTRY_ERROR', `${url} answered ${res.status}`);
  const doc = (await res.json()) as { results?: { name?: string; description?: string; star_count?: number; is_official?: boolean }[] };
  return (doc.results ?? []).map((r) => ({ name: r.name ?? '', description: r.description ?? '', stars: r.star_count ?? 0, official: r.is_official === true }));
}

export function searchTable(results: SearchResult[], options: { trunc: boolean }): string {
  let out = 'NAME\tDESCRIPTION\tSTARS\tOFFICIAL\n';
  for (const r of results) {
    let d = r.description.replace(/\s+/g, ' ').trim();
    if (options.trunc && [...d].length > DESCRIPTION_WIDTH) d = [...d].slice(0, DESCRIPTION_WIDTH - 1).join('') + '…';
    out += `${r.name}\t${d}\t${r.stars}\t${r.official ? '[OK]' : ''}\n`;
  }
  return tabwrite(out);
}

export function configure(cmd: Command, ctx: CliContext & { registryFetch?: FetchLike }): Command {
  return insecureRegistryOption(
    cmd
      .description('Search for images on a registry (Docker Hub, or the catalog of REGISTRY/)')
      .usage('[OPTIONS] TERM')
      .argument('[args...]')
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
      .option('--limit <int>', 'Max number of search results', '25')
      .option('--no-trunc', "Don't truncate output"),
  ).action(async (args: string[], opts: SearchCliOptions, self: Command) => {
    checkArgs(self, args, { exactly: 1 });
    const limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ExitError(1, `invalid limit value "${opts.limit}": must be between 1 and 100`);
    const { domain, term } = splitSearchTerm(args[0]!);
    let results: SearchResult[];
    if (domain === DEFAULT_DOMAIN) {
      results = await hubSearch(ctx.registryFetch ?? ((u, i) => fetch(u, i)), term, limit);
    } else {
      const repos = await registryClient(ctx, opts).catalog(domain, { pageSize: 100 });
      results = repos.filter((r) => r.includes(term)).map((r) => ({ name: `${domain}/${r}`, description: '', stars: 0, official: false }));
    }
    results = applyFilters(results, opts.filter ?? []).slice(0, limit);
    ctx.stdout.write(searchTable(results, { trunc: opts.trunc }));
  });
}

export function register(program: Command, ctx: CliContext): void {
  configure(program.command('search'), ctx);
}
