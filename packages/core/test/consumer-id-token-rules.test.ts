import { beforeAll, describe, expect, test } from '@jest/globals';
import {
  ConfigError,
  createConsumerVerifier,
  optionsFromEnv,
  resolveOptions,
  type LpAuthOptions,
  type ConsumerVerifier,
  type ConsumerVerifierOptions,
} from './core.js';
import { ISSUER, claims, expectRejected, sign, testKey, type TestKey } from './consumer-support.js';

let rsa: TestKey;

beforeAll(async () => {
  rsa = await testKey('RS256', 'rsa-1');
});

const consoleKey = () => rsa.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

function verifierFor(options: Partial<ConsumerVerifierOptions> = {}, now?: () => number): ConsumerVerifier {
  return createConsumerVerifier({ issuer: ISSUER, key: consoleKey(), ...options }, now ? { now } : {});
}

const seconds = () => Math.floor(Date.now() / 1000);

describe('azp (OIDC Core §3.1.3.7)', () => {
  test('with an audience configured, an azp must be one of the audiences', async () => {
    const verifier = verifierFor({ audience: ['orders', 'billing'] });
    await expect(
      verifier.verify(await sign(claims({ aud: 'orders', azp: 'orders' }), rsa)),
    ).resolves.toBeDefined();
    await expect(
      verifier.verify(await sign(claims({ aud: ['orders', 'web'], azp: 'billing' }), rsa)),
    ).resolves.toBeDefined();
    for (const token of [
      await sign(claims({ aud: ['orders', 'web'], azp: 'web' }), rsa),
      await sign(claims({ aud: 'orders', azp: 'someone-else' }), rsa),
    ]) {
      await expectRejected(verifier.verify(token), 'authorized_party_mismatch');
    }
    await expectRejected(
      verifier.verify(await sign(claims({ aud: 'orders', azp: 42 }), rsa)),
      'claim_invalid',
    );
  });

  test('an explicit authorizedParty list wins over the audience rule', async () => {
    const verifier = verifierFor({ audience: 'orders', authorizedParty: 'brand-web' });
    await expect(
      verifier.verify(await sign(claims({ aud: ['orders', 'x'], azp: 'brand-web' }), rsa)),
    ).resolves.toBeDefined();
    await expectRejected(
      verifier.verify(await sign(claims({ aud: 'orders', azp: 'orders' }), rsa)),
      'authorized_party_mismatch',
    );
  });

  test('without an audience configured, azp is not checked (LivePerson does not require aud)', async () => {
    await expect(verifierFor().verify(await sign(claims({ azp: 'anyone' }), rsa))).resolves.toBeDefined();
  });
});

describe('maxTokenAge', () => {
  test('a token issued longer ago than maxTokenAge (plus tolerance) is token_too_old', async () => {
    const verifier = verifierFor({ maxTokenAge: '10m', clockToleranceMs: 5_000 });
    const now = seconds();
    await expect(verifier.verify(await sign(claims({ iat: now - 595 }), rsa))).resolves.toBeDefined();
    // 600 s + 3 s is within the 5 s tolerance; 600 s + 30 s is not.
    await expect(verifier.verify(await sign(claims({ iat: now - 603 }), rsa))).resolves.toBeDefined();
    await expectRejected(verifier.verify(await sign(claims({ iat: now - 630 }), rsa)), 'token_too_old');
    await expectRejected(
      verifierFor({ maxTokenAge: 60 }).verify(await sign(claims({ iat: now - 120 }), rsa)),
      'token_too_old',
    );
  });

  test('a cached verification ends when the token grows too old, long before its exp', async () => {
    let clock = Date.now();
    const verifier = verifierFor({ maxTokenAge: 60, clockToleranceMs: 0 }, () => clock);
    const token = await sign(
      claims({ iat: Math.floor(clock / 1000), exp: Math.floor(clock / 1000) + 3600 }),
      rsa,
    );
    await verifier.verify(token);
    expect(verifier.cacheSize).toBe(1);
    clock += 61_000;
    await expectRejected(verifier.verify(token), 'token_too_old');
  });

  test('iat in the future beyond the tolerance is still refused', async () => {
    await expectRejected(
      verifierFor({ maxTokenAge: '1h' }).verify(await sign(claims({ iat: seconds() + 120 }), rsa)),
      'token_not_yet_valid',
    );
  });

  test.each([0, -5, Number.NaN, '', 'ten minutes', '10 fortnights', '-1m', true, {}])(
    'maxTokenAge %p is a ConfigError naming the field',
    (value) => {
      expect(() => verifierFor({ maxTokenAge: value as never })).toThrow(
        expect.objectContaining({
          code: 'config_invalid',
          field: 'consumer.maxTokenAge',
        }) as unknown as Error,
      );
    },
  );

  test.each([
    [90, 90_000],
    ['90', 90_000],
    ['10m', 600_000],
    ['2 hours', 7_200_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
  ])('maxTokenAge %p is %d ms', (value, ms) => {
    expect(verifierFor({ maxTokenAge: value }).options.maxTokenAgeMs).toBe(ms);
  });
});

test('LP_CONSUMER_MAX_TOKEN_AGE sets consumer.maxTokenAge; a bad value fails at start-up', () => {
  const env = (value: string) =>
    optionsFromEnv({ LP_ACCOUNT_ID: '42', LP_CONSUMER_ISSUER: ISSUER, LP_CONSUMER_MAX_TOKEN_AGE: value });
  const resolved = resolveOptions(env('15m') as LpAuthOptions);
  expect(resolved.consumer?.maxTokenAgeMs).toBe(900_000);
  expect(resolveOptions(env('600') as LpAuthOptions).consumer?.maxTokenAgeMs).toBe(600_000);
  expect(() => resolveOptions(env('soon') as LpAuthOptions)).toThrow(ConfigError);
});

describe('typ (RFC 8725 §3.11 explicit typing)', () => {
  test.each([undefined, 'JWT', 'jwt', 'application/jwt', 'APPLICATION/JWT'])(
    'an id_token with typ %p is accepted by default',
    async (typ) => {
      await expect(verifierFor().verify(await sign(claims(), rsa, { typ }))).resolves.toBeDefined();
    },
  );

  test.each([
    'at+jwt',
    'application/at+jwt',
    'AT+JWT',
    'secevent+jwt',
    'application/logout+jwt',
    'token-introspection+jwt',
    'JOSE',
    'dpop+jwt',
  ])('typ %p names another kind of token and is refused by default', async (typ) => {
    await expectRejected(verifierFor().verify(await sign(claims(), rsa, { typ })), 'token_type_invalid');
  });

  test('a typ that is not a string is malformed', async () => {
    await expectRejected(verifierFor().verify(await sign(claims(), rsa, { typ: 7 })), 'token_malformed');
  });

  test("typ: 'at+jwt' requires RFC 9068 access tokens and refuses id_tokens", async () => {
    const verifier = verifierFor({ typ: 'at+jwt' });
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT']) {
      await expect(verifier.verify(await sign(claims(), rsa, { typ }))).resolves.toBeDefined();
    }
    for (const typ of [undefined, 'JWT', 'secevent+jwt']) {
      await expectRejected(verifier.verify(await sign(claims(), rsa, { typ })), 'token_type_invalid');
    }
  });

  test.each(['', 'text/plain', 'at jwt', 'application/', 42])('typ %p is a ConfigError', (typ) => {
    expect(() => verifierFor({ typ: typ as never })).toThrow(ConfigError);
  });
});
