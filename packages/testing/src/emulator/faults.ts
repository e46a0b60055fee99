import type { EmulatorFaults, Fault, RouteName, TokenRouteName } from './types.js';

const TOKEN_ROUTES: ReadonlySet<string> = new Set<TokenRouteName>(['sentinel.token', 'co.v2.login']);

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

/** Faults queued per route, consumed in order, and token lifetime overrides. */
export class FaultInjector implements EmulatorFaults {
  readonly #queues = new Map<string, QueuedFault[]>();
  readonly #lifetimes = new Map<string, number>();
  readonly #knownRoutes: () => ReadonlySet<string>;

  /** @param knownRoutes the route names faults may target (checked so a typo fails loudly) */
  constructor(knownRoutes: () => ReadonlySet<string>) {
    this.#knownRoutes = knownRoutes;
  }

  inject(route: RouteName, fault: Fault): void {
    this.#checkRoute(route);
    const times = fault.times ?? 1;
    if (!(times >= 1) || (Number.isFinite(times) && !Number.isInteger(times))) {
      throw new TypeError(`fault.times must be a positive integer or Infinity, got ${String(fault.times)}`);
    }
    if (
      fault.status !== undefined &&
      !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)
    ) {
      throw new TypeError(`fault.status must be an HTTP status (100-599), got ${String(fault.status)}`);
    }
    if (fault.latencyMs !== undefined && !(fault.latencyMs >= 0 && Number.isFinite(fault.latencyMs))) {
      throw new TypeError(`fault.latencyMs must be a non-negative number, got ${String(fault.latencyMs)}`);
    }
    const queue = this.#queues.get(route) ?? [];
    queue.push({ fault: { ...fault }, remaining: times });
    this.#queues.set(route, queue);
  }

  clear(): void {
    this.#queues.clear();
    this.#lifetimes.clear();
  }

  tokenLifetime(route: TokenRouteName, seconds: number | null): void {
    if (!TOKEN_ROUTES.has(route)) {
      throw new TypeError(`tokenLifetime applies to ${[...TOKEN_ROUTES].join(' and ')}, not "${route}"`);
    }
    if (seconds === null) {
      this.#lifetimes.delete(route);
      return;
    }
    if (!(Number.isFinite(seconds) && seconds > 0)) {
      throw new TypeError(`token lifetime must be a positive number of seconds, got ${String(seconds)}`);
    }
    this.#lifetimes.set(route, seconds);
  }

  /** Takes the next fault for `route`, if any (one use of it). */
  take(route: RouteName): Fault | undefined {
    const queue = this.#queues.get(route);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.fault;
  }

  /** The overridden lifetime of tokens from `route`, in seconds, if one was set. */
  lifetimeOf(route: TokenRouteName): number | undefined {
    return this.#lifetimes.get(route);
  }

  #checkRoute(route: string): void {
    const known = this.#knownRoutes();
    if (!known.has(route)) {
      throw new TypeError(`unknown emulator route "${route}"; known routes: ${[...known].join(', ')}`);
    }
  }
}
