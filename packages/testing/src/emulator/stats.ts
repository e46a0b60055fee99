import type { EmulatorStats, RouteName } from './types.js';

/** Counts calls per route name. */
export class RouteStats implements EmulatorStats {
  readonly #counts = new Map<string, number>();

  /** Records one call to `route`. */
  record(route: RouteName): void {
    this.#counts.set(route, (this.#counts.get(route) ?? 0) + 1);
  }

  count(route: RouteName): number {
    return this.#counts.get(route) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  reset(): void {
    this.#counts.clear();
  }
}
