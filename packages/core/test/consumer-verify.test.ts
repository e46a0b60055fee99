import { inspect } from 'node:util';
import { beforeAll, describe, expect, test } from '@jest/globals';
import {
  createConsumerVerifier,
  findSde,
  filterSdes,
  httpErrorResponse,
  type ConsumerVerifier,
  type ConsumerVerifierOptions,
} from './core.js';
import {
  ISSUER,
  asAlgNone,
  asHs256WithPublicKey,
  claims,
  expectRejected,
  partsOf,
  sign,
  tamperPayload,
  testKey,
  withHeader,
  type TestKey,
} from './consumer-support.js';

let rsa: TestKey;
let other: TestKey;
let ec: TestKey;
let ed: TestKey;
let ps: TestKey;

beforeAll(async () => {
  [rsa, other, ec, ed, ps] = await Promise.all([
    testKey('RS256', 'rsa-1'),
    testKey('RS256', 'rsa-1'),
    testKey('ES256', 'ec-1'),
    testKey('EdDSA', 'ed-1'),
    testKey('PS256', 'ps-1'),
  ]);
});

/** The key as LivePerson's console takes it: base64 SPKI, no PEM armour. */
const consoleKey = (key: TestKey) => key.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

const verifierFor = (options: Partial<ConsumerVerifierOptions> = {}): ConsumerVerifier =>
  createConsumerVerifier({ issuer: ISSUER, key: consoleKey(rsa), ...options });

describe('a valid consumer token', () => {
  test('verifies with the console key and gives the identity, claims and typed lp_sdes', async () => {
    const token = await sign(claims({ email: 'john@brand.example' }), rsa);
    const consumer = await verifierFor().verify(token);
    expect(consumer.sub).toBe('consumer-1');
    expect(consumer.issuer).toBe(ISSUER);
    expect(consumer.claims.given_name).toBe('John');
    expect(consumer.claims.email).toBe('john@brand.example');
    expect(consumer.expiresAt).toBe((consumer.claims.exp as number) * 1000);
    expect(consumer.token).toBe(token);
    expect(findSde(consumer.sdes, 'ctmrinfo')?.info.customerId).toBe('138766AC');
    expect(findSde(consumer.sdes, 'personal')?.personal.lastname).toBe('Doe');
    expect(filterSdes(consumer.sdes, 'purchase')).toEqual([]);
    // A type LivePerson does not define is kept as sent.
    expect(consumer.sdes).toContainEqual({ type: 'loyalty', tier: 'gold' });
    // The token is a credential: logging the identity does not print it.
    expect(inspect(consumer, { depth: 5 })).not.toContain(token);
    expect(JSON.stringify(consumer)).not.toContain(token);
  });

  test.each([
    ['a PEM', () => String(rsa.publicKey.export({ format: 'pem', type: 'spki' }))],
    ['a KeyObject', () => rsa.publicKey],
    ['a JWK', () => ({ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' })],
    [
      'a JWKS',
      () => ({
        keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256', use: 'sig' }],
      }),
    ],
  ])('verifies with the key given as %s', async (_name, key) => {
    const token = await sign(claims(), rsa);
    await expect(verifierFor({ key: key() as never }).verify(token)).resolves.toMatchObject({
      sub: 'consumer-1',
    });
  });

  test('EC (ES256) and Ed25519 (EdDSA) keys verify their own algorithm by default', async () => {
    const verifier = createConsumerVerifier({
      issuer: ISSUER,
      key: [
        { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1' },
        { ...ed.publicKey.export({ format: 'jwk' }), kid: 'ed-1' },
      ],
    });
    await expect(verifier.verify(await sign(claims(), ec))).resolves.toMatchObject({ sub: 'consumer-1' });
    await expect(verifier.verify(await sign(claims(), ed))).resolves.toMatchObject({ sub: 'consumer-1' });
  });

  test('PS256 verifies when the JWK declares it, or when it is allowed explicitly', async () => {
    const token = await sign(claims(), ps);
    const jwk = { ...ps.publicKey.export({ format: 'jwk' }), kid: 'ps-1' };
    await expect(
      createConsumerVerifier({ issuer: ISSUER, key: { ...jwk, alg: 'PS256' } }).verify(token),
    ).resolves.toBeDefined();
    await expect(
      createConsumerVerifier({ issuer: ISSUER, key: jwk, algorithms: ['PS256'] }).verify(token),
    ).resolves.toBeDefined();
  });

  test("several issuers: each token is checked with its own issuer's key and audience", async () => {
    const verifier = createConsumerVerifier({
      issuers: [
        { issuer: ISSUER, key: consoleKey(rsa) },
        { issuer: 'https://second.example', key: consoleKey(other), audience: 'orders' },
      ],
    });
    await expect(verifier.verify(await sign(claims(), rsa))).resolves.toMatchObject({ issuer: ISSUER });
    const second = await sign(claims({ iss: 'https://second.example', aud: 'orders' }), other);
    await expect(verifier.verify(second)).resolves.toMatchObject({ issuer: 'https://second.example' });
    // The first issuer's key does not vouch for the second issuer.
    await expectRejected(
      verifier.verify(await sign(claims({ iss: 'https://second.example', aud: 'orders' }), rsa)),
      'signature_invalid',
    );
  });

  test('a token within the clock tolerance of its exp still passes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await sign(claims({ exp: now - 2 }), rsa);
    await expect(verifierFor({ clockToleranceMs: 5000 }).verify(token)).resolves.toBeDefined();
  });
});

describe('attacks and broken rules, one per token', () => {
  test('alg "none" is refused', async () => {
    const token = asAlgNone(await sign(claims(), rsa));
    await expectRejected(verifierFor().verify(token), 'algorithm_not_allowed');
  });

  test('HS256 signed with the RSA public key as HMAC secret is refused', async () => {
    const token = asHs256WithPublicKey(await sign(claims(), rsa), rsa.publicKey);
    await expectRejected(verifierFor().verify(token), 'algorithm_not_allowed');
    await expectRejected(verifierFor({ key: rsa.publicKey }).verify(token), 'algorithm_not_allowed');
  });

  test('an algorithm outside the allow-list is refused even with a valid signature', async () => {
    const jwk = { ...ps.publicKey.export({ format: 'jwk' }), kid: 'ps-1' };
    // PS256 with an RSA key that declares nothing: only RS256 is accepted by default.
    await expectRejected(
      createConsumerVerifier({ issuer: ISSUER, key: jwk }).verify(await sign(claims(), ps)),
      'algorithm_not_allowed',
    );
    // RS256 when only PS256 is listed.
    await expectRejected(
      verifierFor({ algorithms: ['PS256'] }).verify(await sign(claims(), rsa)),
      'algorithm_not_allowed',
    );
  });

  test('an RS256 token is refused against an EC key (no algorithm confusion across key types)', async () => {
    const verifier = createConsumerVerifier({
      issuer: ISSUER,
      key: { ...ec.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' },
    });
    await expectRejected(verifier.verify(await sign(claims(), rsa)), 'algorithm_not_allowed');
  });

  test('a kid that no key has is refused', async () => {
    const verifier = verifierFor({
      key: { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' }] },
    });
    await expectRejected(verifier.verify(await sign(claims(), rsa, { kid: 'unknown-kid' })), 'key_not_found');
  });

  test('a tampered payload fails the signature check', async () => {
    const token = tamperPayload(await sign(claims(), rsa), (p) => (p.sub = 'admin'));
    await expectRejected(verifierFor().verify(token), 'signature_invalid');
  });

  test('a token signed by another key with the same kid fails the signature check', async () => {
    await expectRejected(verifierFor().verify(await sign(claims(), other)), 'signature_invalid');
  });

  test('a changed header fails the signature check', async () => {
    const verifier = verifierFor({ key: [consoleKey(rsa)] });
    await expectRejected(
      verifier.verify(withHeader(await sign(claims(), rsa), { typ: 'at+jwt' })),
      'signature_invalid',
    );
  });

  test('a wrong issuer, or the right one with a trailing slash, is refused', async () => {
    await expectRejected(
      verifierFor().verify(await sign(claims({ iss: 'https://evil.example' }), rsa)),
      'issuer_mismatch',
    );
    await expectRejected(
      verifierFor().verify(await sign(claims({ iss: `${ISSUER}/` }), rsa)),
      'issuer_mismatch',
    );
  });

  test.each(['sub', 'iat', 'exp'])('a token without "%s" is refused', async (name) => {
    await expectRejected(
      verifierFor().verify(await sign(claims({ [name]: undefined }), rsa)),
      'claim_missing',
    );
  });

  test('a token without iss is refused', async () => {
    await expectRejected(verifierFor().verify(await sign(claims({ iss: undefined }), rsa)), 'claim_missing');
  });

  test('a non-string sub is refused', async () => {
    await expectRejected(verifierFor().verify(await sign(claims({ sub: 42 }), rsa)), 'claim_invalid');
  });

  test('an expired token is refused, and told so', async () => {
    const now = Math.floor(Date.now() / 1000);
    const error = await expectRejected(
      verifierFor().verify(await sign(claims({ exp: now - 60 }), rsa)),
      'token_expired',
    );
    const { headers, body } = httpErrorResponse(error);
    expect(headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
    );
    expect(body).toEqual({
      error: 'invalid_token',
      error_description: 'The access token expired',
      code: 'token_expired',
    });
  });

  test('exp in milliseconds is refused with a message that says so', async () => {
    const error = await expectRejected(
      verifierFor().verify(await sign(claims({ exp: Date.now() + 600_000 }), rsa)),
      'time_in_milliseconds',
    );
    expect(error.message).toMatch(/milliseconds/);
    expect(error.message).toMatch(/"exp"/);
  });

  test('nbf in the future is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(
      verifierFor().verify(await sign(claims({ nbf: now + 120 }), rsa)),
      'token_not_yet_valid',
    );
  });

  test('iat in the future is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(
      verifierFor().verify(await sign(claims({ iat: now + 120 }), rsa)),
      'token_not_yet_valid',
    );
  });

  test('a wrong or missing audience is refused when an audience is configured', async () => {
    const verifier = verifierFor({ audience: ['orders', 'billing'] });
    await expect(
      verifier.verify(await sign(claims({ aud: ['other', 'billing'], azp: 'billing' }), rsa)),
    ).resolves.toBeDefined();
    // Several audiences need an azp, and it must be ours (OIDC Core §3.1.3.7).
    await expectRejected(
      verifier.verify(await sign(claims({ aud: ['other', 'billing'], azp: 'brand-web' }), rsa)),
      'authorized_party_mismatch',
    );
    await expectRejected(
      verifier.verify(await sign(claims({ aud: ['other', 'billing'] }), rsa)),
      'claim_missing',
    );
    await expectRejected(verifier.verify(await sign(claims({ aud: 'other' }), rsa)), 'audience_mismatch');
    await expectRejected(verifier.verify(await sign(claims(), rsa)), 'claim_missing');
  });

  test('a wrong authorized party (azp) is refused when configured', async () => {
    const verifier = verifierFor({ authorizedParty: 'brand-web' });
    await expect(verifier.verify(await sign(claims({ azp: 'brand-web' }), rsa))).resolves.toBeDefined();
    await expectRejected(
      verifier.verify(await sign(claims({ azp: 'someone-else' }), rsa)),
      'authorized_party_mismatch',
    );
  });

  test('a wrong nonce is refused when the call asks for one', async () => {
    const token = await sign(claims({ nonce: 'n-123' }), rsa);
    const verifier = verifierFor();
    await expect(verifier.verify(token, { nonce: 'n-123' })).resolves.toBeDefined();
    await expectRejected(verifier.verify(token, { nonce: 'n-456' }), 'nonce_mismatch');
  });

  test('maxAge: auth_time is required and must be recent enough', async () => {
    const now = Math.floor(Date.now() / 1000);
    const verifier = verifierFor({ maxAgeMs: 60_000 });
    await expect(verifier.verify(await sign(claims({ auth_time: now - 10 }), rsa))).resolves.toBeDefined();
    await expectRejected(verifier.verify(await sign(claims(), rsa)), 'claim_missing');
    await expectRejected(
      verifier.verify(await sign(claims({ auth_time: now - 3600 }), rsa)),
      'max_age_exceeded',
    );
    await expectRejected(
      verifierFor().verify(await sign(claims({ auth_time: now - 3600 }), rsa), { maxAgeMs: 60_000 }),
      'max_age_exceeded',
    );
  });

  test('a configured required claim must be present', async () => {
    await expectRejected(
      verifierFor({ requiredClaims: ['email'] }).verify(await sign(claims(), rsa)),
      'claim_missing',
    );
  });

  test('an oversized token is refused before any parsing', async () => {
    const huge = 'x'.repeat(9000); // not even a JWT: parsing it would fail differently
    await expectRejected(verifierFor().verify(huge), 'token_too_large');
    const big = await sign(claims({ padding: 'p'.repeat(3000) }), rsa);
    await expectRejected(verifierFor({ maxTokenLength: 2048 }).verify(big), 'token_too_large');
  });

  test('malformed tokens are refused as such', async () => {
    const token = await sign(claims(), rsa);
    const [h, p, s] = token.split('.') as [string, string, string];
    await expectRejected(verifierFor().verify(`${h}.${p}`), 'token_malformed');
    await expectRejected(verifierFor().verify(`${h}.${p}!.${s}`), 'token_malformed');
    await expectRejected(
      verifierFor().verify(`${h}.${Buffer.from('[1]').toString('base64url')}.${s}`),
      'token_malformed',
    );
    await expectRejected(verifierFor().verify(withHeader(token, { crit: ['exp'] })), 'token_malformed');
  });

  test('error_description stays generic unless errorDetail is on', async () => {
    const token = tamperPayload(await sign(claims(), rsa), (p) => (p.sub = 'admin'));
    const generic = httpErrorResponse(await expectRejected(verifierFor().verify(token), 'signature_invalid'));
    expect(generic.body).toEqual({
      error: 'invalid_token',
      error_description: 'The access token is invalid',
      code: 'invalid_token',
    });
    const detailed = httpErrorResponse(
      await expectRejected(
        verifierFor({ errorDetail: true, realm: 'orders' }).verify(token),
        'signature_invalid',
      ),
    );
    expect(detailed.headers['WWW-Authenticate']).toBe(
      'Bearer realm="orders", error="invalid_token", error_description="The token\'s signature is invalid."',
    );
    expect(detailed.body).toMatchObject({ code: 'signature_invalid' });
    expect(JSON.stringify(detailed)).not.toContain(token);
  });

  test('an attacker-sized kid does not bloat the message or the challenge', async () => {
    const verifier = verifierFor({
      errorDetail: true,
      key: { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' }] },
    });
    const error = await expectRejected(
      verifier.verify(await sign(claims(), rsa, { kid: 'k'.repeat(5000) })),
      'key_not_found',
    );
    expect(error.message.length).toBeLessThanOrEqual(301);
    expect(httpErrorResponse(error).headers['WWW-Authenticate']!.length).toBeLessThan(400);
  });

  test('a refusal emits consumer.rejected with its code', async () => {
    const verifier = verifierFor();
    const seen: unknown[] = [];
    verifier.events.on('consumer.rejected', (e) => seen.push(e));
    await verifier.verify(await sign(claims({ iss: 'https://evil.example' }), rsa)).catch(() => undefined);
    expect(seen).toEqual([{ code: 'issuer_mismatch', issuer: 'https://evil.example' }]);
  });

  test('the payload is not trusted before the signature: a forged iss selecting another issuer fails', async () => {
    const token = tamperPayload(await sign(claims(), rsa), (p) => (p.exp = (p.exp as number) + 86_400));
    expect(partsOf(token).payload.iss).toBe(ISSUER);
    await expectRejected(verifierFor().verify(token), 'signature_invalid');
  });
});
