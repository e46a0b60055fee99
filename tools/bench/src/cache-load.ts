import { PerformanceObserver } from 'node:perf_hooks';
import type { ConsumerVerifier } from '@lp-auth/core';
import { measureLatencyInTurns } from './measure.js';
import { fmt, type Row } from './table.js';
import type { TokenBank } from './token-bank.js';

const CONCURRENCY = 16;

/**
 * A full verified-token cache under load, without HTTP: `verify()` of the `count` cached tokens in
 * turn (every call a hit, each token a fresh string as from a request header), against the same
 * verifier answering one cached token again and again. Both candidates make the same garbage per
 * call; what differs is how many distinct entries are touched, so the gap is the cost of a big
 * old generation to the collector (and of cache misses in the CPU's caches). The share of wall
 * time spent in GC pauses is measured in a second pass, each candidate alone.
 */
export async function benchCacheLoad(
  verifier: ConsumerVerifier,
  bank: TokenBank,
  count: number,
  ms: number,
): Promise<Row[]> {
  let next = 0;
  const candidates = {
    all: () => verifier.verify(bank.at(next++ % count)),
    one: () => verifier.verify(bank.at(0)),
  };
  const speed = await measureLatencyInTurns(candidates, ms, 8, CONCURRENCY);
  const gc = { all: await gcShare(candidates.all, ms / 2), one: await gcShare(candidates.one, ms / 2) };
  const n = count.toLocaleString('en-US');
  const value = (k: 'all' | 'one') =>
    `${fmt.req(speed[k].reqPerSec)}, p99 ${fmt.ms(speed[k].p99)}, GC ${(gc[k] * 100).toFixed(1)} % of the time`;
  return [
    {
      section: 'memory',
      name: `verify() hits on ${n} cached identities in turn (${CONCURRENCY} in flight)`,
      value: value('all'),
      ratio: `${fmt.x(speed.all.reqPerSec / speed.one.reqPerSec)} one token`,
      meaning: `every call a cache hit among ${n} entries: what a full cache costs each request, GC included`,
    },
    {
      section: 'memory',
      name: `verify() hits on one cached token, ${n} cached (${CONCURRENCY} in flight)`,
      value: value('one'),
      meaning: 'the same verifier and heap, the same token on every call: the baseline of the row above',
    },
  ];
}

/** The share of `ms` of wall time that GC pauses took while `fn` ran, `CONCURRENCY` calls in flight. */
async function gcShare(fn: () => Promise<unknown>, ms: number): Promise<number> {
  let pausedMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pausedMs += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < ms) await fn();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wallMs = performance.now() - start;
  // GC entries are queued from the event loop, which hits (resolved promises only) never reach;
  // one turn of it lets them in.
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (const entry of observer.takeRecords()) pausedMs += entry.duration;
  observer.disconnect();
  return pausedMs / wallMs;
}
