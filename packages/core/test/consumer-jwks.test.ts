import { afterEach, describe, expect, test } from '@jest/globals';
import { startConsumerIdp, type ConsumerIdp } from '@lp-auth/testing';
import {
  KeySetUnavailableError,
  createConsumerVerifier,
  silentLogger,
  type ConsumerVerifier,
  type ConsumerVerifierOptions,
  type LpAuthEvents,
} from './core.js';
import { expectRejected } from './consumer-support.js';
import { sleep, waitFor } from './helpers.js';

let idp: ConsumerIdp | undefined;
let verifier: ConsumerVerifier | undefined;
afterEach(async () => {
  verifier?.close();
  await idp?.close();
  idp = verifier = undefined;
});

async function setUp(options: Partial<ConsumerVerifierOptions> = {}, discover = false, now?: () => number) {
  idp = await startConsumerIdp();
  verifier = createConsumerVerifier(
    { issuer: idp.issuer, ...(discover ? {} : { jwksUri: idp.jwksUri }), ...options },
    { logger: silentLogger, ...(now ? { now } : {}) },
  );
  const events: { name: string; payload: unknown }[] = [];
  for (const name of ['jwks.refreshed', 'jwks.stale', 'consumer.rejected'] as (keyof LpAuthEvents)[]) {
    verifier.events.on(name, (payload) => events.push({ name, payload }));
  }
  return { idp, verifier, events };
}

const count = (events: { name: string }[], name: string) => events.filter((e) => e.name === name).length;

describe('keys from a jwksUri', () => {
  test('200 concurrent verifications on a cold cache fetch the JWKS once', async () => {
    const { idp, verifier } = await setUp({ cache: false });
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => idp.issue({ claims: { sub: `c-${i}` } })),
    );
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => verifier.verify(tokens[i % 20]!)),
    );
    expect(results.map((r) => r.sub)).toContain('c-19');
    expect(idp.stats.jwks).toBe(1);
  });

  test('concurrent requests with the same token share one verification, then hit the cache', async () => {
    const { idp, verifier } = await setUp();
    const token = await idp.issue();
    const [a, b] = await Promise.all([verifier.verify(token), verifier.verify(token)]);
    expect(a).toBe(b);
    // A hit is a new identity around the caller's token (the cache keeps no token), with the
    // cached claims: the very object, so it was not verified again.
    const hit = await verifier.verify(token);
    expect(hit).toEqual(a);
    expect(hit.claims).toBe(a.claims);
    expect(hit.token).toBe(token);
    expect(verifier.cacheSize).toBe(1);
  });

  test('the verified-token cache is a bounded LRU', async () => {
    const { idp, verifier } = await setUp({ cache: { maxEntries: 2 } });
    const tokens = await Promise.all([idp.issue(), idp.issue(), idp.issue()]);
    for (const token of tokens) await verifier.verify(token);
    expect(verifier.cacheSize).toBe(2);
  });

  test('expired tokens that nobody presents again leave the cache at a later verification', async () => {
    idp = await startConsumerIdp();
    let clock = Date.now();
    verifier = createConsumerVerifier(
      { issuer: idp.issuer, jwksUri: idp.jwksUri },
      { logger: silentLogger, now: () => clock },
    );
    const shortLived = await Promise.all(
      Array.from({ length: 5 }, (_, i) => idp!.issue({ claims: { sub: `c-${i}` }, expiresInSeconds: 60 })),
    );
    for (const token of shortLived) await verifier.verify(token);
    const longLived = await idp.issue({ expiresInSeconds: 3600 });
    await verifier.verify(longLived);
    expect(verifier.cacheSize).toBe(6);

    clock += 10 * 60_000;
    await verifier.verify(longLived);
    // The five expired entries are gone although none of their tokens came back.
    expect(verifier.cacheSize).toBe(1);
  });

  test("a token that shares a cached token's signature but not its payload is verified, and refused", async () => {
    const { idp, verifier } = await setUp();
    const token = await idp.issue({ claims: { sub: 'consumer-1' } });
    await verifier.verify(token);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'consumer-2' })).toString('base64url')}.${signature}`;
    await expectRejected(verifier.verify(forged), 'signature_invalid');
    expect((await verifier.verify(token)).sub).toBe('consumer-1');
  });

  test('a token that differs from a cached one only outside its last 43 characters is verified', async () => {
    const { idp, verifier } = await setUp();
    const token = await idp.issue({ claims: { sub: 'consumer-1' } });
    const genuine = await verifier.verify(token);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    // The same signature (so the same tail) under another payload, and the same header.payload
    // under a signature changed only in its first character: both differ from the cached token
    // where the former lookup key did not look, and both are refused, not served from the cache.
    const forgedPayload = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'consumer-2' })).toString('base64url')}.${signature}`;
    const first = signature![0] === 'A' ? 'B' : 'A';
    const forgedSignature = `${header}.${payload}.${first}${signature!.slice(1)}`;
    expect(forgedPayload.slice(-43)).toBe(token.slice(-43));
    expect(forgedSignature.slice(-43)).toBe(token.slice(-43));
    const rejected: string[] = [];
    verifier.events.on('consumer.rejected', ({ code }) => rejected.push(code));
    await expectRejected(verifier.verify(forgedPayload), 'signature_invalid');
    await expectRejected(verifier.verify(forgedSignature), 'signature_invalid');
    expect(rejected).toEqual(['signature_invalid', 'signature_invalid']);
    // A genuine token that is not cached yet, sharing the cached one's header: a miss, verified.
    const other = await idp.issue({ claims: { sub: 'consumer-3' } });
    expect((await verifier.verify(other)).claims).not.toBe(genuine.claims);
    expect(verifier.cacheSize).toBe(2);
    expect((await verifier.verify(token)).claims).toBe(genuine.claims);
  });

  test('a cached token ends with its exp', async () => {
    // The verifier's clock, moved by hand: a 1 s token (exp is the issuing second plus one) could
    // lapse before the first verification on a loaded machine, with no tolerance.
    let clock = 0;
    const { idp, verifier } = await setUp({ clockToleranceMs: 0 }, false, () => clock);
    const token = await idp.issue({ expiresInSeconds: 1 });
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    clock = exp * 1000 - 1;
    await verifier.verify(token);
    clock = exp * 1000;
    await expectRejected(verifier.verify(token), 'token_expired');
  });

  test('an unknown kid refetches once, then waits out the cooldown', async () => {
    const { idp, verifier } = await setUp({ jwks: { cooldownMs: 60_000 } });
    await verifier.verify(await idp.issue());
    expect(idp.stats.jwks).toBe(1);
    await expectRejected(verifier.verify(await idp.issue({ header: { kid: 'forged-1' } })), 'key_not_found');
    expect(idp.stats.jwks).toBe(2);
    await expectRejected(verifier.verify(await idp.issue({ header: { kid: 'forged-2' } })), 'key_not_found');
    expect(idp.stats.jwks).toBe(2);
  });
});

describe('key rotation at the IdP', () => {
  test('tokens of the new key verify after one refetch; tokens of the kept old key keep verifying', async () => {
    const { idp, verifier } = await setUp();
    const old = await idp.issue();
    await verifier.verify(old);
    await idp.rotateKeys();
    const fresh = await Promise.all(Array.from({ length: 50 }, () => idp.issue()));
    const results = await Promise.all([...fresh, old].map((t) => verifier.verify(t)));
    expect(results).toHaveLength(51);
    expect(idp.stats.jwks).toBe(2);
  });

  test('a key dropped from the JWKS stops vouching, cached verifications included', async () => {
    const { idp, verifier } = await setUp();
    const old = await idp.issue();
    // Three times: the later ones are cache hits, the last found by the token string (hot tokens).
    for (let i = 0; i < 3; i++) await verifier.verify(old);
    await idp.rotateKeys({ dropPrevious: true });
    await verifier.verify(await idp.issue()); // the new kid makes the verifier refetch
    await expectRejected(verifier.verify(old), 'key_not_found');
  });

  test('a refresh runs in the background before the keys age out; the request does not wait', async () => {
    // The keys' age moved by hand, past refreshAhead and short of maxAgeMs however slow the machine.
    let clock = Date.now();
    const { idp, verifier, events } = await setUp(
      { jwks: { maxAgeMs: 400, refreshAhead: 0.5 } },
      false,
      () => clock,
    );
    await verifier.verify(await idp.issue());
    clock += 250;
    idp.setFaults({ latencyMs: 500 });
    const token = await idp.issue();
    await verifier.verify(token);
    // The verification finished while the slow refresh was still under way.
    expect(count(events, 'jwks.refreshed')).toBe(1);
    await waitFor(() => count(events, 'jwks.refreshed') === 2, 'the background JWKS refresh');
    expect(idp.stats.jwks).toBe(2);
  });
});

describe('IdP outage', () => {
  test('keys already known keep verifying within staleIfErrorMs, with jwks.stale; then 503', async () => {
    const { idp, verifier, events } = await setUp({
      cache: false,
      jwks: { maxAgeMs: 200, staleIfErrorMs: 600, backoffBaseMs: 10, backoffMaxMs: 20 },
    });
    await verifier.verify(await idp.issue());
    const token = await idp.issue({ expiresInSeconds: 600 });
    idp.setFaults({ status: 503 });
    await sleep(250);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(count(events, 'jwks.stale')).toBeGreaterThanOrEqual(1);
    await sleep(600);
    const error = await verifier.verify(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeySetUnavailableError);
    expect((error as KeySetUnavailableError).httpStatus).toBe(503);
    expect((error as KeySetUnavailableError).code).toBe('jwks_unavailable');
  });

  test('a failed first fetch backs off instead of hammering the IdP, and recovers', async () => {
    // The verifier's clock, moved by hand: the second try falls within the backoff (100 to 200 ms,
    // jittered) however slow the machine, and the last one past it.
    let clock = Date.now();
    const { idp, verifier } = await setUp(
      { jwks: { backoffBaseMs: 200, backoffMaxMs: 200 } },
      false,
      () => clock,
    );
    const token = await idp.issue();
    idp.setFaults({ status: 500 });
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(KeySetUnavailableError);
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(KeySetUnavailableError);
    expect(idp.stats.jwks).toBe(1);
    idp.setFaults({});
    clock += 250;
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(idp.stats.jwks).toBe(2);
  });
});

describe('keys from OpenID discovery', () => {
  test('the issuer alone is enough: discovery once, JWKS once, for concurrent callers', async () => {
    const { idp, verifier } = await setUp({}, true);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => idp.issue()));
    await Promise.all(tokens.map((t) => verifier.verify(t)));
    expect(idp.stats.discovery).toBe(1);
    expect(idp.stats.jwks).toBe(1);
  });

  test('an unreachable issuer is a 503 jwks_unavailable, not a 401', async () => {
    const { idp } = await setUp();
    const token = await idp.issue();
    await idp.close();
    const down = createConsumerVerifier({ issuer: idp.issuer }, { logger: silentLogger });
    try {
      const error = await down.verify(token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeySetUnavailableError);
      expect((error as KeySetUnavailableError).message).toContain('discovery');
    } finally {
      down.close();
    }
  });
});

describe('encrypted tokens (nested JWT, RSA-OAEP-256)', () => {
  test('a JWE is decrypted with the configured key, then verified', async () => {
    idp = await startConsumerIdp();
    const token = await idp.issue({ encrypt: true, claims: { sub: 'secret-consumer' } });
    expect(token.split('.')).toHaveLength(5);
    verifier = createConsumerVerifier({
      issuer: idp.issuer,
      jwksUri: idp.jwksUri,
      decryptionKey: await idp.decryptionKey,
    });
    const consumer = await verifier.verify(token);
    expect(consumer.sub).toBe('secret-consumer');
    expect(consumer.token).toBe(token);
  });

  test('without a decryption key, with the wrong key, or tampered: decryption_failed', async () => {
    idp = await startConsumerIdp();
    const token = await idp.issue({ encrypt: true });
    const plain = createConsumerVerifier({ issuer: idp.issuer, jwksUri: idp.jwksUri });
    await expectRejected(plain.verify(token), 'decryption_failed');
    const other = await startConsumerIdp();
    try {
      const wrong = createConsumerVerifier({
        issuer: idp.issuer,
        jwksUri: idp.jwksUri,
        decryptionKey: await other.decryptionKey,
      });
      await expectRejected(wrong.verify(token), 'decryption_failed');
    } finally {
      await other.close();
    }
    const right = createConsumerVerifier({
      issuer: idp.issuer,
      jwksUri: idp.jwksUri,
      decryptionKey: await idp.decryptionKey,
    });
    const parts = token.split('.');
    // Another character in the ciphertext's second-to-last place (the last may be padding bits).
    const ciphertext = parts[3]!;
    const flipped = ciphertext.at(-2) === 'A' ? 'B' : 'A';
    parts[3] = `${ciphertext.slice(0, -2)}${flipped}${ciphertext.slice(-1)}`;
    expect(parts[3]).not.toBe(ciphertext);
    await expectRejected(right.verify(parts.join('.')), 'decryption_failed');
  });

  test('requireEncryption refuses a token that is only signed', async () => {
    idp = await startConsumerIdp();
    verifier = createConsumerVerifier({
      issuer: idp.issuer,
      jwksUri: idp.jwksUri,
      decryptionKey: await idp.decryptionKey,
      requireEncryption: true,
    });
    await expectRejected(verifier.verify(await idp.issue()), 'encryption_required');
    await expect(verifier.verify(await idp.issue({ encrypt: true }))).resolves.toBeDefined();
  });
});
