import type { ChaosKind, ChaosOptions, EmulatorFaults, Fault, RouteName, TokenRouteName } from './types.js';

const TOKEN_ROUTES: ReadonlySet<string> = new Set<TokenRouteName>([
  'sentinel.token',
  'sentinel.userToken',
  'co.v2.login',
]);

const CHAOS_KINDS: readonly ChaosKind[] = [
  'status5xx',
  'rateLimited',
  'drop',
  'stall',
  'malformedJson',
  'expiredToken',
];

/** mulberry32: a tiny seeded PRNG, so a chaos run can be replayed from its seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ChaosState {
  rate: number;
  random: () => number;
  kinds: readonly ChaosKind[];
  spare: ReadonlySet<string>;
  stallMs: number;
  counts: Map<string, number>;
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

/** Faults queued per route, consumed in order, and token lifetime overrides. */
export class FaultInjector implements EmulatorFaults {
  readonly #queues = new Map<string, QueuedFault[]>();
  readonly #lifetimes = new Map<string, number>();
  readonly #knownRoutes: () => ReadonlySet<string>;
  #chaos: ChaosState | undefined;

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
    this.#chaos = undefined;
  }

  chaos(options: ChaosOptions | null): void {
    if (options === null) {
      this.#chaos = undefined;
      return;
    }
    if (!(options.rate >= 0 && options.rate <= 1)) {
      throw new TypeError(`chaos.rate must be between 0 and 1, got ${String(options.rate)}`);
    }
    const kinds = options.kinds ?? CHAOS_KINDS;
    for (const kind of kinds) {
      if (!CHAOS_KINDS.includes(kind)) {
        throw new TypeError(`unknown chaos kind "${String(kind)}"; use ${CHAOS_KINDS.join(', ')}`);
      }
    }
    if (kinds.length === 0) throw new TypeError('chaos.kinds must name at least one kind');
    for (const route of options.spare ?? []) this.#checkRoute(route);
    this.#chaos = {
      rate: options.rate,
      random: seededRandom(options.seed ?? 1),
      kinds,
      spare: new Set(options.spare ?? []),
      stallMs: options.stallMs ?? 2000,
      counts: new Map(),
    };
  }

  chaosCounts(route?: RouteName): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const [key, count] of this.#chaos?.counts ?? []) {
      const [at, kind] = key.split(' ') as [string, string];
      if (route === undefined || at === route) totals[kind] = (totals[kind] ?? 0) + count;
    }
    return totals;
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
    if (!queue || !head) return this.#chaosFault(route);
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.fault;
  }

  /** The overridden lifetime of tokens from `route`, in seconds, if one was set. */
  lifetimeOf(route: TokenRouteName): number | undefined {
    return this.#lifetimes.get(route);
  }

  #chaosFault(route: string): Fault | undefined {
    const chaos = this.#chaos;
    if (!chaos || chaos.spare.has(route) || chaos.random() >= chaos.rate) return undefined;
    let kind = chaos.kinds[Math.floor(chaos.random() * chaos.kinds.length)]!;
    if (kind === 'expiredToken' && !TOKEN_ROUTES.has(route)) kind = 'status5xx';
    const key = `${route} ${kind}`;
    chaos.counts.set(key, (chaos.counts.get(key) ?? 0) + 1);
    switch (kind) {
      case 'status5xx':
        return { status: [500, 502, 503][Math.floor(chaos.random() * 3)]! };
      case 'rateLimited':
        return { status: 429, retryAfterSeconds: 1 };
      case 'drop':
        return { drop: true };
      case 'stall':
        return { latencyMs: chaos.stallMs };
      case 'malformedJson':
        // A 200 whose JSON body was cut off in transit.
        return { status: 200, body: '{"truncated": ', headers: { 'content-type': 'application/json' } };
      case 'expiredToken':
        return { expiredToken: true };
    }
  }

  #checkRoute(route: string): void {
    const known = this.#knownRoutes();
    if (!known.has(route)) {
      throw new TypeError(`unknown emulator route "${route}"; known routes: ${[...known].join(', ')}`);
    }
  }
}
