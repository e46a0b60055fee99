import type { EmulatorContext } from './context.js';
import type { EmulatorRequest, EmulatorResponse } from './http.js';
import type { RouteName } from './types.js';

/** Handles one request on a matched route. */
export type RouteHandler = (
  request: EmulatorRequest,
  context: EmulatorContext,
) => EmulatorResponse | Promise<EmulatorResponse>;

/**
 * One row of the emulator's route table. `path` is a pattern with `{name}` segments
 * (`/api/account/{acct}/service/baseURI.json`); each becomes `request.params.name`.
 */
export interface RouteDefinition {
  name: RouteName;
  methods: readonly string[];
  path: string;
  handler: RouteHandler;
}

/** Result of matching a request against the table. */
export type RouteMatch =
  | { kind: 'route'; route: RouteDefinition; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  names: string[];
}

/** The route table: method + path pattern → handler and route name. */
export class Router {
  readonly #routes: CompiledRoute[] = [];

  constructor(routes: Iterable<RouteDefinition> = []) {
    for (const route of routes) this.add(route);
  }

  /** Adds a route; routes are tried in the order they were added. */
  add(route: RouteDefinition): void {
    const names: string[] = [];
    const source = route.path
      .split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)
      .map((part) => {
        const param = /^\{(.+)\}$/.exec(part);
        if (param) {
          names.push(param[1]!);
          return '([^/]+)';
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
    this.#routes.push({ route, pattern: new RegExp(`^${source}$`), names });
  }

  /** Every route name in the table. */
  names(): Set<string> {
    return new Set(this.#routes.map((r) => r.route.name));
  }

  match(method: string, pathname: string): RouteMatch {
    const allow = new Set<string>();
    for (const { route, pattern, names } of this.#routes) {
      const found = pattern.exec(pathname);
      if (!found) continue;
      if (!route.methods.includes(method)) {
        route.methods.forEach((m) => allow.add(m));
        continue;
      }
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = safeDecode(found[i + 1] ?? '');
      });
      return { kind: 'route', route, params };
    }
    return allow.size > 0 ? { kind: 'method-not-allowed', allow: [...allow] } : { kind: 'not-found' };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
