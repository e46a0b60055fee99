/** Small, dependency-free measuring helpers: ops/s of a function, latency percentiles, heap size. */

/** The `p`-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Heap in MB after a full collection (needs `node --expose-gc`; otherwise without the collection). */
export async function heapMb(): Promise<number> {
  return (await memoryMb()).heap;
}

/**
 * Heap used and resident set size in MB, after full collections (needs `node --expose-gc`;
 * otherwise without them). RSS includes what V8 has reserved and not yet given back.
 */
export async function memoryMb(): Promise<{ heap: number; rss: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed / 1024 / 1024, rss: usage.rss / 1024 / 1024 };
}

/**
 * Ops/s of several functions measured in turns: `rounds` rounds, each running every candidate for
 * `ms / rounds`, and each candidate's median round reported. On a machine that other work shares,
 * a slow spell then hits every candidate alike instead of whichever ran during it, so the ratios
 * between candidates hold up better than their absolute numbers.
 */
export async function measureInTurns<K extends string>(
  candidates: Record<K, () => unknown>,
  ms = 1500,
  rounds = 10,
): Promise<Record<K, number>> {
  const names = Object.keys(candidates) as K[];
  const slice = async (fn: () => unknown, budget: number): Promise<number> => {
    let ops = 0;
    const start = performance.now();
    let now = start;
    while (now - start < budget) {
      // Batches of 16 keep the clock reads out of the measurement; promises are awaited one by one.
      for (let i = 0; i < 16; i++) {
        const result = fn();
        if (result instanceof Promise) await result;
      }
      ops += 16;
      now = performance.now();
    }
    return (ops * 1000) / (now - start);
  };
  for (const name of names) await slice(candidates[name], ms / 4 / names.length);
  const rates = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const name of names) rates[name].push(await slice(candidates[name], ms / rounds));
  }
  return Object.fromEntries(names.map((n) => [n, percentile(rates[n], 50)])) as Record<K, number>;
}

/**
 * {@link measureLatency} of several async functions in turns (see {@link measureInTurns}): each
 * candidate's median req/s over the rounds, and the p99 of all its samples. A warm-up round first.
 */
export async function measureLatencyInTurns<K extends string>(
  candidates: Record<K, () => Promise<unknown>>,
  ms = 2000,
  rounds = 8,
  concurrency = 16,
): Promise<Record<K, { reqPerSec: number; p99: number }>> {
  const names = Object.keys(candidates) as K[];
  const slice = async (fn: () => Promise<unknown>, budget: number, samples: number[]) => {
    const start = performance.now();
    let done = 0;
    const worker = async () => {
      while (performance.now() - start < budget) {
        const t = performance.now();
        await fn();
        samples.push(performance.now() - t);
        done++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return (done * 1000) / (performance.now() - start);
  };
  for (const name of names) await slice(candidates[name], ms / 4 / names.length, []);
  const rates = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const name of names) rates[name].push(await slice(candidates[name], ms / rounds, samples[name]));
  }
  return Object.fromEntries(
    names.map((n) => [n, { reqPerSec: percentile(rates[n], 50), p99: percentile(samples[n], 99) }]),
  ) as Record<K, { reqPerSec: number; p99: number }>;
}
