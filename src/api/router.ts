// The Engine API's router: routes are `METHOD /path/{param}` templates (`{name*}` spans slashes,
// for image names like `localhost:5000/a/b:tag`), matched after the optional `/v1.NN` prefix.
// Each file under routes/ registers its resource; containers and exec add theirs the same way.

import type { Engine } from '../engine/engine.js';

/** What a handler receives. */
export interface RouteContext {
  request: Request;
  params: Record<string, string>;
  query: URLSearchParams;
  engine: Engine;
  /** The API version of the request: its `/v1.NN` prefix, or the newest one. */
  apiVersion: string;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

export type RouteHandler = (ctx: RouteContext) => Promise<Response> | Response;

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

export interface RouteMatch {
  handler: RouteHandler;
  params: Record<string, string>;
}

export class Router {
  readonly #routes: Route[] = [];

  /** Adds a route; earlier routes win, so register fixed paths before `{name*}` ones. */
  add(method: string, template: string, handler: RouteHandler): this {
    const names: string[] = [];
    const source = template
      .split(/(\{\w+\*?\})/)
      .map((part) => {
        const m = /^\{(\w+)(\*?)\}$/.exec(part);
        if (!m) return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return m[2] ? '(.+)' : '([^/]+)';
      })
      .join('');
    this.#routes.push({ method: method.toUpperCase(), template, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  get(template: string, handler: RouteHandler): this {
    return this.add('GET', template, handler);
  }

  post(template: string, handler: RouteHandler): this {
    return this.add('POST', template, handler);
  }

  put(template: string, handler: RouteHandler): this {
    return this.add('PUT', template, handler);
  }

  delete(template: string, handler: RouteHandler): this {
    return this.add('DELETE', template, handler);
  }

  head(template: string, handler: RouteHandler): this {
    return this.add('HEAD', template, handler);
  }

  /** The route for a method and path; `methodNotAllowed` when only another method matches. */
  match(method: string, path: string): RouteMatch | 'methodNotAllowed' | undefined {
    let other = false;
    for (const r of this.#routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      if (r.method !== method.toUpperCase()) {
        other = true;
        continue;
      }
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
      return { handler: r.handler, params };
    }
    return other ? 'methodNotAllowed' : undefined;
  }

  /** Every `METHOD template`, in order (for docs and tests). */
  list(): string[] {
    return this.#routes.map((r) => `${r.method} ${r.template}`);
  }
}
