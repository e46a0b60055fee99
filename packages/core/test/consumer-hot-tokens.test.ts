import { beforeAll, describe, expect, test } from '@jest/globals';
import { createConsumerVerifier } from './core.js';
import {
  ISSUER,
  claims,
  expectRejected,
  sign,
  tamperPayload,
  testKey,
  type TestKey,
} from './consumer-support.js';

// The verified-token cache finds recently hit tokens by the token string itself before it digests
// the token (verified-cache.ts, HOT_TOKENS). A token on that fast path must still be refused for
// every reason a cached token is: expiry, revocation, and another token never borrows its entry.

let key: TestKey;

beforeAll(async () => {
  key = await testKey('RS256', 'hot-1');
});

/** Verifies `token` three times: the second and third calls are cache hits, the third a hot one. */
async function makeHot(verify: (token: string) => Promise<unknown>, token: string): Promise<void> {
  for (let i = 0; i < 3; i++) await verify(token);
}

describe('tokens on the cache fast path', () => {
  test('a hot token is refused once it expires', async () => {
    let now = Date.now();
    const verifier = createConsumerVerifier(
      { issuer: ISSUER, key: key.publicKey, clockToleranceMs: 0 },
      { now: () => now },
    );
    const token = await sign(claims({ exp: Math.floor(now / 1000) + 60 }), key);
    await makeHot((t) => verifier.verify(t), token);
    now += 61_000;
    await expectRejected(verifier.verify(token), 'token_expired');
    verifier.close();
  });

  test('a hot token is refused once revoked, and other consumers still pass', async () => {
    const revoked = new Set<string>();
    const verifier = createConsumerVerifier({
      issuer: ISSUER,
      key: key.publicKey,
      isRevoked: (consumer) => revoked.has(consumer.sub),
    });
    const token = await sign(claims({ sub: 'revoke-me' }), key);
    const other = await sign(claims({ sub: 'keep-me' }), key);
    await makeHot((t) => verifier.verify(t), token);
    await makeHot((t) => verifier.verify(t), other);
    revoked.add('revoke-me');
    await expectRejected(verifier.verify(token), 'token_revoked');
    expect((await verifier.verify(other)).sub).toBe('keep-me');
    verifier.close();
  });

  test('a token that differs from a hot one by its payload alone is checked, and refused', async () => {
    const verifier = createConsumerVerifier({ issuer: ISSUER, key: key.publicKey });
    const token = await sign(claims({ sub: 'alice' }), key);
    await makeHot((t) => verifier.verify(t), token);
    // The same header and signature, another subject: only a signature check can tell.
    const forged = tamperPayload(token, (payload) => (payload.sub = 'mallory'));
    await expectRejected(verifier.verify(forged), 'signature_invalid');
    expect((await verifier.verify(token)).sub).toBe('alice');
    verifier.close();
  });

  test('clearing the cache clears the fast path too: the next call checks the signature again', async () => {
    let checks = 0;
    const verifier = createConsumerVerifier({
      issuer: ISSUER,
      key: async () => {
        checks++;
        return key.publicKey;
      },
    });
    const token = await sign(claims(), key);
    await makeHot((t) => verifier.verify(t), token);
    expect(checks).toBe(1);
    verifier.clearCache();
    await verifier.verify(token);
    expect(checks).toBe(2);
    verifier.close();
  });
});
