/** Small, dependency-free measuring helpers: ops/s of a function, latency percentiles, heap size. */

export interface Throughput {
  opsPerSec: number;
  ops: number;
  ms: number;
}

/** Runs `fn` repeatedly for about `ms` (after a warm-up of a quarter of that) and reports ops/s. */
export function measureSync(fn: () => unknown, ms = 1500): Throughput {
  const run = (budget: number) => {
    let ops = 0;
    const start = performance.now();
    let now = start;
    while (now - start < budget) {
      // Batches of 64 keep the clock reads out of the measurement.
      for (let i = 0; i < 64; i++) fn();
      ops += 64;
      now = performance.now();
    }
    return { ops, ms: now - start };
  };
  run(ms / 4);
  const { ops, ms: took } = run(ms);
  return { opsPerSec: (ops * 1000) / took, ops, ms: took };
}

/** As {@link measureSync} for an async function, `concurrency` calls in flight. */
export async function measureAsync(
  fn: () => Promise<unknown>,
  ms = 1500,
  concurrency = 1,
): Promise<Throughput> {
  const run = async (budget: number) => {
    let ops = 0;
    const start = performance.now();
    const worker = async () => {
      while (performance.now() - start < budget) {
        await fn();
        ops++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { ops, ms: performance.now() - start };
  };
  await run(ms / 4);
  const { ops, ms: took } = await run(ms);
  return { opsPerSec: (ops * 1000) / took, ops, ms: took };
}

/** Latencies of every call of `fn`, `concurrency` in flight, for about `ms`; returns req/s and p99. */
export async function measureLatency(
  fn: () => Promise<unknown>,
  ms = 2000,
  concurrency = 16,
): Promise<{ reqPerSec: number; p50: number; p99: number }> {
  const samples: number[] = [];
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < ms) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const took = performance.now() - start;
  return {
    reqPerSec: (samples.length * 1000) / took,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
  };
}

/** The `p`-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Heap in MB after a full collection (needs `node --expose-gc`; otherwise without the collection). */
export async function heapMb(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed / 1024 / 1024;
}
