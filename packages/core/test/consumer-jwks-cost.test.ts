import { createECDH, type JsonWebKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createConsumerVerifier, silentLogger, type ConsumerVerifier } from './core.js';
import { MAX_CANDIDATE_KEYS } from '../src/consumer/candidates.js';
import { claims, expectRejected, sign, testKey, ISSUER, type TestKey } from './consumer-support.js';

// A hostile (or careless) IdP: thousands of EC P-256 keys, half without a kid, half sharing one.
const PLAIN_KEYS = 1500;
const SHARED_KEYS = 1500;

let server: Server;
let jwksUri: string;
let real: TestKey;
let forger: TestKey;
let verifier: ConsumerVerifier;

/**
 * A fresh public key of `curve` as a JWK: real points, so every key imports and could verify. Made
 * with ECDH rather than `generateKeyPairSync('ec')` + `export({ format: 'jwk' })`: on Node 20,
 * thousands of EC key-generation jobs left for the collector can deadlock a later EC JWK export
 * (the export holds the key's mutex while it allocates; the collection finalizes a job that takes the
 * same lock). Seen once here as a core test run that hung for good in `ExportJWKEcKey`.
 */
function ecJwk(kid?: string, curve: 'P-256' | 'P-384' = 'P-256'): JsonWebKey & { kid?: string } {
  const ecdh = createECDH(curve === 'P-256' ? 'prime256v1' : 'secp384r1');
  const point = ecdh.generateKeys(); // 0x04 || x || y
  const size = (point.length - 1) / 2;
  return {
    kty: 'EC',
    crv: curve,
    x: point.subarray(1, 1 + size).toString('base64url'),
    y: point.subarray(1 + size).toString('base64url'),
    ...(kid === undefined ? {} : { kid }),
  };
}

beforeAll(async () => {
  [real, forger] = await Promise.all([testKey('ES256', 'real'), testKey('ES256', 'shared')]);
  const keys = [
    ...Array.from({ length: PLAIN_KEYS }, () => ecJwk()),
    ...Array.from({ length: SHARED_KEYS }, () => ecJwk('shared')),
    { ...real.publicKey.export({ format: 'jwk' }), kid: 'real' },
  ];
  const body = JSON.stringify({ keys });
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  verifier = createConsumerVerifier({ issuer: ISSUER, jwksUri }, { logger: silentLogger });
});

afterAll(async () => {
  verifier?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe(`a JWKS of ${PLAIN_KEYS + SHARED_KEYS + 1} EC keys`, () => {
  test('a valid token naming its key verifies with one signature check', async () => {
    const consumer = await verifier.verify(await sign(claims(), real));
    expect(consumer.sub).toBe('consumer-1');
  });

  test('a forged token without kid is refused as key_ambiguous before any signature check', async () => {
    const forged = await sign(claims(), forger, { kid: undefined });
    const error = await expectRejected(verifier.verify(forged), 'key_ambiguous');
    expect(error.keysTried).toBe(0);
    expect(error.message).toMatch(/kid/);
  });

  test('a forged token with a kid shared by 1500 keys is refused as key_ambiguous, no check made', async () => {
    const error = await expectRejected(verifier.verify(await sign(claims(), forger)), 'key_ambiguous');
    expect(error.keysTried).toBe(0);
  });

  test('a forged token naming the real key costs exactly one signature check', async () => {
    const error = await expectRejected(
      verifier.verify(await sign(claims(), forger, { kid: 'real' })),
      'signature_invalid',
    );
    expect(error.keysTried).toBe(1);
  });

  test('refusing 20 forged tokens takes milliseconds of CPU, not seconds', async () => {
    const forged = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sign(claims({ sub: `f-${i}` }), forger, { kid: undefined })),
    );
    const before = process.cpuUsage();
    for (const token of forged) await expectRejected(verifier.verify(token), 'key_ambiguous');
    const { user, system } = process.cpuUsage(before);
    // Trying every key cost ~300 ms of CPU per token (6 s for 20); the bound is generous on purpose.
    expect((user + system) / 1000).toBeLessThan(2000);
  });
});

describe('a kid shared by a few keys', () => {
  test(`up to ${MAX_CANDIDATE_KEYS} keys are tried in turn; a forged token costs that many checks`, async () => {
    const signer = await testKey('ES256', 'rot');
    const others = Array.from({ length: MAX_CANDIDATE_KEYS - 1 }, () => ecJwk('rot'));
    const local = createConsumerVerifier({
      issuer: ISSUER,
      key: { keys: [...others, { ...signer.publicKey.export({ format: 'jwk' }), kid: 'rot' }] },
    });
    // The signing key is the last candidate: every other one is tried first.
    expect((await local.verify(await sign(claims(), signer))).sub).toBe('consumer-1');
    const forgedKey = await testKey('ES256', 'rot');
    const error = await expectRejected(local.verify(await sign(claims(), forgedKey)), 'signature_invalid');
    expect(error.keysTried).toBe(MAX_CANDIDATE_KEYS);
    local.close();
  });

  test('keys of another type or curve do not count as candidates', async () => {
    const signer = await testKey('ES256', 'mixed');
    const rsaKeys = await Promise.all(
      Array.from({ length: MAX_CANDIDATE_KEYS + 2 }, () => testKey('RS256', 'mixed')),
    );
    const p384 = Array.from({ length: MAX_CANDIDATE_KEYS + 2 }, () => ecJwk('mixed', 'P-384'));
    const local = createConsumerVerifier({
      issuer: ISSUER,
      key: {
        keys: [
          ...rsaKeys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: 'mixed' })),
          ...p384,
          { ...signer.publicKey.export({ format: 'jwk' }), kid: 'mixed' },
        ],
      },
    });
    expect((await local.verify(await sign(claims(), signer))).sub).toBe('consumer-1');
    const error = await expectRejected(
      local.verify(await sign(claims(), await testKey('ES256', 'mixed'))),
      'signature_invalid',
    );
    expect(error.keysTried).toBe(1);
    local.close();
  });
});
