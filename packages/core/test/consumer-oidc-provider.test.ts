import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  createLpAuth,
  findSde,
  silentLogger,
  type ConsumerVerifier,
  type LpAuth,
  type LpAuthOptions,
} from './core.js';
import { expectRejected, partsOf, tamperPayload } from './consumer-support.js';
import { startBrandIdp, type BrandIdp } from './consumer-oidc-support.js';
import { sleep } from './helpers.js';

let idp: BrandIdp;
const instances: LpAuth[] = [];

beforeAll(async () => {
  idp = await startBrandIdp();
});
afterAll(async () => {
  await Promise.all(instances.map((lp) => lp.close()));
  await idp.close();
});

function verifier(consumer: Partial<NonNullable<LpAuthOptions['consumer']>> = {}): ConsumerVerifier {
  const lp = createLpAuth({
    accountId: '12345678',
    logger: silentLogger,
    consumer: { issuer: idp.issuer, audience: idp.clientId, ...consumer },
  });
  instances.push(lp);
  return lp.consumer!;
}

describe('id_tokens from a real OpenID provider (oidc-provider, authorization-code flow)', () => {
  test('a real id_token verifies through discovery, with aud, nonce and lp_sdes', async () => {
    const token = await idp.login('consumer-7', { nonce: 'nonce-7', claims: { email: 'c7@brand.example' } });
    const consumer = await verifier().verify(token, { nonce: 'nonce-7' });
    expect(consumer.sub).toBe('consumer-7');
    expect(consumer.issuer).toBe(idp.issuer);
    expect(consumer.claims.aud).toBe(idp.clientId);
    expect(consumer.claims.email).toBe('c7@brand.example');
    expect(findSde(consumer.sdes, 'ctmrinfo')?.info.customerId).toBe('cust-consumer-7');
    expect(findSde(consumer.sdes, 'personal')?.personal.firstname).toBe('John');
  });

  test("the provider's token for another audience, or with another nonce, is refused", async () => {
    const token = await idp.login('consumer-8', { nonce: 'nonce-8' });
    await expectRejected(verifier({ audience: 'someone-else' }).verify(token), 'audience_mismatch');
    await expectRejected(verifier().verify(token, { nonce: 'nonce-other' }), 'nonce_mismatch');
  });

  test('a real token tampered, or with its kid changed to an unknown one, is refused', async () => {
    const token = await idp.login('consumer-9');
    await expectRejected(
      verifier().verify(tamperPayload(token, (p) => (p.sub = 'admin'))),
      'signature_invalid',
    );
    const [, p, s] = token.split('.');
    const header = Buffer.from(JSON.stringify({ ...partsOf(token).header, kid: 'not-a-kid' })).toString(
      'base64url',
    );
    await expectRejected(verifier().verify(`${header}.${p}.${s}`), 'key_not_found');
  });
});

describe('key rotation at the provider while requests are in flight', () => {
  test('no valid request is lost; a key the provider drops stops vouching', async () => {
    // A short cooldown so that the second rotation below may refetch within this test.
    const v = verifier({ cache: false, jwks: { cooldownMs: 200 } });
    const before = await Promise.all(['r1', 'r2', 'r3'].map((sub) => idp.login(sub)));
    await v.verify(before[0]!);
    const oldKid = idp.currentKid;
    const fetchesBefore = idp.jwksRequests;

    // A steady stream of verifications of old and new tokens while the provider rotates.
    const issued = [...before];
    let stop = false;
    const failures: unknown[] = [];
    let verified = 0;
    const stream = (async () => {
      while (!stop) {
        const batch = issued.slice(-6);
        const results = await Promise.allSettled(batch.map((t) => v.verify(t)));
        for (const r of results) {
          if (r.status === 'rejected') failures.push(r.reason);
          else verified += 1;
        }
        await sleep(5);
      }
    })();
    const newKid = await idp.rotateKeys();
    expect(newKid).not.toBe(oldKid);
    for (const sub of ['n1', 'n2', 'n3', 'n4']) issued.push(await idp.login(sub));
    await sleep(50);
    stop = true;
    await stream;
    expect(failures).toEqual([]);
    expect(verified).toBeGreaterThan(20);
    expect(partsOf(issued.at(-1)!).header.kid).toBe(newKid);
    // One refetch for the new kid, however many requests carried it.
    expect(idp.jwksRequests - fetchesBefore).toBe(1);

    // The provider now withdraws the old key: after the refetch its tokens are refused.
    await sleep(250);
    const newest = await idp.rotateKeys({ dropPrevious: true });
    const latest = await idp.login('n5');
    expect(partsOf(latest).header.kid).toBe(newest);
    await v.verify(latest);
    await expectRejected(v.verify(before[1]!), 'key_not_found');
  });
});

describe('provider outage', () => {
  test('tokens signed by known keys keep verifying within staleIfErrorMs, with a jwks.stale event', async () => {
    const lp = createLpAuth({
      accountId: '12345678',
      logger: silentLogger,
      consumer: {
        issuer: idp.issuer,
        cache: false,
        jwks: { maxAgeMs: 150, staleIfErrorMs: 60_000, backoffBaseMs: 20, backoffMaxMs: 50, timeoutMs: 500 },
      },
    });
    instances.push(lp);
    const stale: unknown[] = [];
    lp.on('jwks.stale', (e) => stale.push(e));
    const tokens = await Promise.all(['o1', 'o2'].map((sub) => idp.login(sub)));
    await lp.consumer!.verify(tokens[0]!);
    idp.setDown(true);
    try {
      await sleep(200);
      const results = await Promise.all([...tokens, ...tokens].map((t) => lp.consumer!.verify(t)));
      expect(results.map((r) => r.sub)).toEqual(['o1', 'o2', 'o1', 'o2']);
      expect(stale.length).toBeGreaterThanOrEqual(1);
      expect(stale[0]).toMatchObject({ issuer: idp.issuer, error: expect.any(String) });
    } finally {
      idp.setDown(false);
    }
  });
});
