import { createHmac, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { SignJWT } from 'jose';
import { createConsumerVerifier, type ConsumerVerifierOptions } from './core.js';
import { verifySignature } from '../src/consumer/algorithms.js';
import {
  RFC7515_A2_KEY,
  RFC7515_A3_D,
  RFC7515_A3_KEY,
  RFC8037_D,
  RFC8037_KEY,
  RFC_VECTORS,
  type RfcJwk,
} from './fixtures/jose-rfc-vectors.js';
import { expectRejected } from './consumer-support.js';

const verifierFor = (key: RfcJwk, options: Partial<ConsumerVerifierOptions> = {}) =>
  createConsumerVerifier({ issuer: 'joe', key, ...options });

/** A proper id_token signed with an RFC's published private key (its `d`). */
function signWith(key: RfcJwk, d: string, alg: 'ES256' | 'EdDSA'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: 'joe', sub: 'frodo', iat: now, exp: now + 600 })
    .setProtectedHeader({ alg })
    .sign(createPrivateKey({ key: { ...key, d }, format: 'jwk' }));
}

describe('published vectors (RFC 7515, 7520, 8037, 7797)', () => {
  test.each(RFC_VECTORS.map((v) => [v.source, v] as const))('%s', async (_source, vector) => {
    // The fixture first: a signature the RFC says is good must check, or the copy is wrong.
    const [head, body, signature] = vector.token.split('.');
    const input = vector.signingInput ?? `${head}.${body}`;
    if (vector.verifies) {
      const key = createPublicKey({ key: vector.key!, format: 'jwk' });
      expect(verifySignature(vector.alg!, key, input, Buffer.from(signature!, 'base64url'))).toBe(true);
    }
    if (vector.hmacKey) {
      const mac = createHmac('sha256', Buffer.from(vector.hmacKey, 'base64url')).update(input);
      expect(mac.digest('base64url')).toBe(signature);
    }
    await expectRejected(verifierFor(vector.key ?? RFC7515_A2_KEY).verify(vector.token), vector.expected);
  });

  test('a vector whose signature checks is refused for its claims, or for its issuer first', async () => {
    const [a2] = RFC_VECTORS.filter((v) => v.source.startsWith('RFC 7515 A.2'));
    const error = await expectRejected(verifierFor(RFC7515_A2_KEY).verify(a2!.token), 'claim_missing');
    expect(error.message).toMatch(/"sub"/);
    await expectRejected(
      createConsumerVerifier({ issuer: 'https://joe.example', key: RFC7515_A2_KEY }).verify(a2!.token),
      'issuer_mismatch',
    );
  });

  test('the RFC 7515 A.3 key verifies a proper id_token it signs (the key itself is fine)', async () => {
    const token = await signWith(RFC7515_A3_KEY, RFC7515_A3_D, 'ES256');
    expect((await verifierFor(RFC7515_A3_KEY).verify(token)).sub).toBe('frodo');
  });
});

describe('EdDSA with the RFC 8037 key: the algorithm allow-list', () => {
  test('accepted by default with an Ed25519 key (the algorithm the key stands for)', async () => {
    const token = await signWith(RFC8037_KEY, RFC8037_D, 'EdDSA');
    expect((await verifierFor(RFC8037_KEY).verify(token)).sub).toBe('frodo');
    expect((await verifierFor(RFC8037_KEY, { algorithms: ['EdDSA'] }).verify(token)).sub).toBe('frodo');
  });

  test('refused as algorithm_not_allowed when the list leaves it out, or no key can verify it', async () => {
    const token = await signWith(RFC8037_KEY, RFC8037_D, 'EdDSA');
    await expectRejected(
      verifierFor(RFC8037_KEY, { algorithms: ['RS256', 'ES256'] }).verify(token),
      'algorithm_not_allowed',
    );
    await expectRejected(verifierFor(RFC7515_A2_KEY).verify(token), 'algorithm_not_allowed');
  });
});
