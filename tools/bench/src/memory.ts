import { createConsumerVerifier, silentLogger } from '@lp-auth/core';
import type { ConsumerIdp } from '@lp-auth/testing';
import { benchCacheLoad } from './cache-load.js';
import { memoryMb } from './measure.js';
import { fmt, type Row } from './table.js';
import type { TokenBank } from './token-bank.js';

export interface MemoryMetrics {
  identities: number;
  cachedMb: number;
  bytesPerEntry: number;
  cachedRssMb: number;
  afterExpiryMb: number;
  cachedAfterExpiry: number;
}

const HOUR_MS = 3_600_000;

/**
 * Heap held by the verified-token cache: `count` distinct consumer tokens verified (a fresh string
 * each, as from request headers), then the clock (injected through the verifier's runtime) moved
 * past their expiry and one new token verified, as the next request of a live server would be.
 * Heap and RSS are measured after full collections (`node --expose-gc`). With the cache full, the
 * verifier is also loaded with hits (`benchCacheLoad`), `ms` long, so that the cost of a big cache
 * to each request and to the collector shows.
 */
export async function benchMemory(
  idp: ConsumerIdp,
  audience: string,
  bank: TokenBank,
  count: number,
  ms: number,
): Promise<{ rows: Row[]; metrics: MemoryMetrics }> {
  let offsetMs = 0;
  const verifier = createConsumerVerifier(
    { issuer: idp.issuer, jwksUri: idp.jwksUri, audience, cache: { maxEntries: count } },
    { now: () => Date.now() + offsetMs, logger: silentLogger },
  );
  try {
    // The JWKS fetched and the code warm before the baseline; this token is not counted.
    await verifier.verify(await idp.issue());
    verifier.clearCache();
    const baseline = await memoryMb();
    for (let i = 0; i < count; i++) await verifier.verify(bank.at(i));
    if (verifier.cacheSize !== count) throw new Error(`expected ${count} cached, got ${verifier.cacheSize}`);
    const full = await memoryMb();
    const cached = full.heap - baseline.heap;
    const rss = full.rss - baseline.rss;
    const bytesPerEntry = Math.round((cached * 1048576) / count);
    const loadRows = await benchCacheLoad(verifier, bank, count, ms);
    if (verifier.cacheSize !== count) throw new Error(`the load evicted: ${verifier.cacheSize} cached`);

    offsetMs = 2 * HOUR_MS;
    const later = Math.floor((Date.now() + offsetMs) / 1000);
    await verifier.verify(await idp.issue({ claims: { iat: later, exp: later + 3600 } }));
    const afterExpiry = (await memoryMb()).heap - baseline.heap;
    const left = verifier.cacheSize;

    const n = count.toLocaleString('en-US');
    const metrics = {
      identities: count,
      cachedMb: cached,
      bytesPerEntry,
      cachedRssMb: rss,
      afterExpiryMb: afterExpiry,
      cachedAfterExpiry: left,
    };
    return {
      metrics,
      rows: [
        {
          section: 'memory',
          name: `${n} distinct verified tokens cached`,
          value: `${fmt.deltaMb(cached)} heap`,
          ratio: `${bytesPerEntry.toLocaleString('en-US')} bytes each`,
          meaning: `heap over the baseline with ${n} identities in the cache (tokens of ~${bank.at(0).length} chars)`,
        },
        {
          section: 'memory',
          name: `${n} distinct verified tokens cached: resident set`,
          value: `${fmt.deltaMb(rss)} RSS`,
          ratio: `${fmt.mb(full.rss)} in all`,
          meaning: 'RSS over the baseline after the same collections: heap V8 reserved as well as used',
        },
        ...loadRows,
        {
          section: 'memory',
          name: 'after they expire (clock +2 h, one new token verified)',
          value: `${fmt.deltaMb(afterExpiry)} heap`,
          ratio: `${left.toLocaleString('en-US')} entries left`,
          meaning: 'what the cache still holds once every cached token has expired and traffic goes on',
        },
      ],
    };
  } finally {
    verifier.close();
  }
}
