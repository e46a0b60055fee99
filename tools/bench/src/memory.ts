import { createConsumerVerifier, silentLogger } from '@lp-auth/core';
import type { ConsumerIdp } from '@lp-auth/testing';
import { heapMb } from './measure.js';
import { fmt, type Row } from './table.js';
import type { TokenBank } from './token-bank.js';

export interface MemoryMetrics {
  identities: number;
  cachedMb: number;
  afterExpiryMb: number;
  cachedAfterExpiry: number;
}

const HOUR_MS = 3_600_000;

/**
 * Heap held by the verified-token cache: `count` distinct consumer tokens verified (a fresh string
 * each, as from request headers), then the clock (injected through the verifier's runtime) moved
 * past their expiry and one new token verified, as the next request of a live server would be.
 * Heap is measured after full collections (`node --expose-gc`).
 */
export async function benchMemory(
  idp: ConsumerIdp,
  audience: string,
  bank: TokenBank,
  count: number,
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
    const baseline = await heapMb();
    for (let i = 0; i < count; i++) await verifier.verify(bank.at(i));
    if (verifier.cacheSize !== count) throw new Error(`expected ${count} cached, got ${verifier.cacheSize}`);
    const cached = (await heapMb()) - baseline;

    offsetMs = 2 * HOUR_MS;
    const later = Math.floor((Date.now() + offsetMs) / 1000);
    await verifier.verify(await idp.issue({ claims: { iat: later, exp: later + 3600 } }));
    const afterExpiry = (await heapMb()) - baseline;
    const left = verifier.cacheSize;

    const n = count.toLocaleString('en-US');
    const metrics = {
      identities: count,
      cachedMb: cached,
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
          ratio: `${Math.round((cached * 1048576) / count).toLocaleString('en-US')} bytes each`,
          meaning: `heap over the baseline with ${n} identities in the cache (token strings of ~${bank.at(0).length} chars included)`,
        },
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
