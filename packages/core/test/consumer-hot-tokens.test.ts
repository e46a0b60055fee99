import { beforeAll, describe, expect, test } from '@jest/globals';
import {
  ConsumerGuard,
  consumerIdentity,
  createConsumerVerifier,
  type BearerRequestParts,
  type LpRequestContext,
} from './core.js';
import { importPublicKey } from '../src/consumer/keys.js';
import { StaticKeySource } from '../src/consumer/remote-key-set.js';
import { VerifiedTokenCache } from '../src/consumer/verified-cache.js';
import {
  ISSUER,
  claims,
  expectRejected,
  sign,
  tamperPayload,
  testKey,
  type TestKey,
} from './consumer-support.js';

// The verified-token cache finds recently hit tokens by their last characters, compared whole
// with the token kept, before it digests the token (verified-cache.ts, HOT_TOKENS). A token on that
// fast path must still be refused for every reason a cached token is: expiry, revocation, and
// another token never borrows its entry, even one that ends the same (the same signature).

let key: TestKey;

beforeAll(async () => {
  key = await testKey('RS256', 'hot-1');
});

/** Verifies `token` three times: the second and third calls are cache hits, the third a hot one. */
async function makeHot(verify: (token: string) => Promise<unknown>, token: string): Promise<void> {
  for (let i = 0; i < 3; i++) await verify(token);
}

/** A verifier with no clock tolerance whose clock is `clock.now`, moved by the test. */
function clockedVerifier(clock: { now: number }) {
  return createConsumerVerifier(
    { issuer: ISSUER, key: key.publicKey, clockToleranceMs: 0 },
    { now: () => clock.now },
  );
}

describe('tokens on the cache fast path', () => {
  test('a hot token is refused once it expires', async () => {
    const clock = { now: Date.now() };
    const verifier = clockedVerifier(clock);
    const token = await sign(claims({ exp: Math.floor(clock.now / 1000) + 60 }), key);
    await makeHot((t) => verifier.verify(t), token);
    clock.now += 61_000;
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

  test('a token that ends like a hot one and is as long is checked, and refused', async () => {
    const verifier = createConsumerVerifier({ issuer: ISSUER, key: key.publicKey });
    const token = await sign(claims({ sub: 'alice' }), key);
    await makeHot((t) => verifier.verify(t), token);
    // Same length, same signature: the hot map finds the hot token under the same key, and only
    // the whole comparison (then the digest and the signature check) tells them apart.
    const forged = tamperPayload(token, (payload) => (payload.sub = 'malic'));
    expect(forged.length).toBe(token.length);
    expect(forged.split('.')[2]).toBe(token.split('.')[2]);
    await expectRejected(verifier.verify(forged), 'signature_invalid');
    expect(verifier.verifyCached(forged)).toBeUndefined();
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

/** The `code` of what `run` throws synchronously (undefined when it returns). */
function codeThrownBy(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('two cached tokens that end the same', () => {
  test('take turns in the hot map, and each is answered with its own identity', () => {
    // Verified tokens cannot be made to share an end, so the cache is filled by hand here: both
    // tokens are as long as each other and share their last 64 characters.
    const end = 'x'.repeat(64);
    const first = `a.${'A'.repeat(800)}.${end}`;
    const second = `a.${'B'.repeat(800)}.${end}`;
    const verificationKey = importPublicKey(key.publicKey);
    const source = new StaticKeySource([verificationKey]);
    const cache = new VerifiedTokenCache(10);
    const expiresAt = Date.now() + 60_000;
    const identity = (sub: string, token: string) =>
      consumerIdentity({ iss: ISSUER, sub, exp: Math.floor(expiresAt / 1000) }, token);
    cache.set(first, identity('first', first), verificationKey, source, expiresAt);
    cache.set(second, identity('second', second), verificationKey, source, expiresAt);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (const token of [first, second, second, first]) {
        const hit = cache.get(token, Date.now(), 0);
        seen.push(`${hit?.sub}:${hit?.token === token}:${cache.isRecent(token)}`);
      }
    }
    expect(new Set(seen)).toEqual(new Set(['first:true:true', 'second:true:true']));
    expect(seen.filter((entry) => entry.startsWith('first'))).toHaveLength(8);
    // Neither stands for a third token with that end, whether or not it is as long.
    expect(cache.get(`a.${'C'.repeat(800)}.${end}`, Date.now(), 0)).toBeUndefined();
    expect(cache.get(`a.${'C'.repeat(801)}.${end}`, Date.now(), 0)).toBeUndefined();
    expect(cache.isRecent(`a.${'C'.repeat(800)}.${end}`)).toBe(false);
  });
});

describe('verifyCached(): a cached token answered without waiting', () => {
  test('undefined until the token is verified, then what verify() answers; undefined once expired', async () => {
    const clock = { now: Date.now() };
    const verifier = clockedVerifier(clock);
    const token = await sign(claims({ sub: 'cached', exp: Math.floor(clock.now / 1000) + 60 }), key);
    expect(verifier.verifyCached(token)).toBeUndefined();
    const verified = await verifier.verify(token);
    const cached = verifier.verifyCached(token);
    expect(cached?.sub).toBe('cached');
    expect(cached?.claims).toBe(verified.claims);
    expect(cached?.token).toBe(token);
    // A tampered payload with the cached token's signature is not the cached token.
    expect(
      verifier.verifyCached(tamperPayload(token, (payload) => (payload.sub = 'mallory'))),
    ).toBeUndefined();
    clock.now += 61_000;
    expect(verifier.verifyCached(token)).toBeUndefined();
    await expectRejected(verifier.verify(token), 'token_expired');
    verifier.close();
  });

  test("checks the call's own maxAgeMs, and leaves revocation checks and a closed verifier to verify()", async () => {
    const token = await sign(claims({ auth_time: Math.floor(Date.now() / 1000) - 600 }), key);
    const verifier = createConsumerVerifier({ issuer: ISSUER, key: key.publicKey });
    await verifier.verify(token);
    expect(verifier.verifyCached(token, { maxAgeMs: 3_600_000 })?.sub).toBe('consumer-1');
    expect(codeThrownBy(() => verifier.verifyCached(token, { maxAgeMs: 60_000 }))).toBe('max_age_exceeded');
    verifier.close();
    expect(verifier.verifyCached(token)).toBeUndefined();

    const revoking = createConsumerVerifier({ issuer: ISSUER, key: key.publicKey, isRevoked: () => false });
    await revoking.verify(token);
    expect(revoking.verifyCached(token)).toBeUndefined();
    revoking.close();
  });
});

describe('ConsumerGuard.admitNow(): the same turn for a cached token', () => {
  type Req = { headers: Record<string, string | undefined> };
  const binding = { partsOf: (req: Req): BearerRequestParts => ({ headers: req.headers }) };

  test('a promise for a new token, the context itself once it is cached, a throw for a malformed header', async () => {
    const verifier = createConsumerVerifier({ issuer: ISSUER, key: key.publicKey });
    const guard = new ConsumerGuard<Req>(true, { verifier }, binding);
    const request = { headers: { authorization: `Bearer ${await sign(claims({ sub: 'now' }), key)}` } };
    const first = guard.admitNow(request, undefined);
    expect(first).toBeInstanceOf(Promise);
    expect((await first).consumer?.sub).toBe('now');
    const second = guard.admitNow(request, undefined);
    expect(second).not.toBeInstanceOf(Promise);
    expect((second as Awaited<typeof first>).consumer?.sub).toBe('now');
    expect(codeThrownBy(() => guard.admitNow({ headers: { authorization: 'Bearer a b' } }, undefined))).toBe(
      'malformed_authorization',
    );
    await expect(guard.admitNow({ headers: {} }, undefined)).rejects.toMatchObject({ code: 'token_missing' });
    verifier.close();
  });

  test("a repeated token's context is made from each request's own context, with its own consumer", async () => {
    const verifier = createConsumerVerifier({ issuer: ISSUER, key: key.publicKey });
    const guard = new ConsumerGuard<Req>(true, { verifier }, binding);
    const alice = { headers: { authorization: `Bearer ${await sign(claims({ sub: 'alice' }), key)}` } };
    const bob = { headers: { authorization: `Bearer ${await sign(claims({ sub: 'bob' }), key)}` } };
    const shared = Object.freeze({ clients: {} }) as unknown as LpRequestContext;
    // A context of its own per request, as a logged-in user's is.
    const withUser = (id: string) =>
      Object.freeze({ ...shared, user: { id } }) as unknown as LpRequestContext;
    await guard.admitNow(alice, shared);
    await guard.admitNow(bob, shared);
    const seen: string[] = [];
    for (const [request, context] of [
      [alice, shared],
      [alice, withUser('u1')],
      [bob, withUser('u2')],
      [alice, shared],
      [bob, shared],
      [alice, withUser('u3')],
    ] as const) {
      const admitted = guard.admitNow(request, context) as LpRequestContext;
      expect(Object.isFrozen(admitted)).toBe(true);
      expect(admitted.clients).toBe(shared.clients);
      expect(admitted.verifier).toBe(verifier);
      seen.push(`${admitted.consumer?.sub}@${admitted.user?.id ?? 'nobody'}`);
    }
    expect(seen).toEqual(['alice@nobody', 'alice@u1', 'bob@u2', 'alice@nobody', 'bob@nobody', 'alice@u3']);
    expect(shared).not.toHaveProperty('consumer');
    verifier.close();
  });
});

describe('the Authorization header of a hot token', () => {
  /** What `extract` makes of a request: the token, or the refusal's code. */
  function extracted(verifier: ReturnType<typeof createConsumerVerifier>, parts: BearerRequestParts): string {
    let result = 'threw without a code';
    const code = codeThrownBy(() => (result = `token ${verifier.extract(parts) ?? '(none)'}`));
    return code === undefined ? result : `refused ${code}`;
  }

  test('reads as it does for a token never seen, in every spelling, alone or beside another token', async () => {
    const token = await sign(claims({ sub: 'hot-header' }), key);
    const warm = createConsumerVerifier({ issuer: ISSUER, key: key.publicKey });
    const cold = createConsumerVerifier({ issuer: ISSUER, key: key.publicKey });
    await makeHot((t) => warm.verify(t), token);
    const headers = [
      `Bearer ${token}`,
      `bearer ${token}`,
      `BEARER ${token}`,
      `Bearer  ${token}`,
      `Bearer ${token} `,
      ` Bearer ${token}`,
      `Bearer\t${token}`,
      `Bearer ${token}=`,
      `Bearer ${token},${token}`,
      `Bearer ${token} ${token}`,
      `Bearer ${token}\u0000`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}x`,
      `Basic ${token}`,
      `Bearer`,
    ];
    const requests: BearerRequestParts[] = [
      ...headers.map((authorization) => ({ headers: { authorization } })),
      { headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] } },
      { headers: { authorization: `Bearer ${token}` }, query: { access_token: token } },
      {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        method: 'POST',
        body: { access_token: token },
      },
    ];
    const seen = requests.map((parts) => extracted(warm, parts));
    expect(seen).toEqual(requests.map((parts) => extracted(cold, parts)));
    // The cases above do reach both outcomes, the hot token among them.
    expect(seen[0]).toBe(`token ${token}`);
    expect(seen).toContain('refused malformed_authorization');
    expect(seen).toContain('refused multiple_tokens');
    expect(seen).toContain('refused token_location_not_allowed');
    warm.close();
    cold.close();
  });
});
