import { afterEach, describe, expect, test } from '@jest/globals';
import { compactDecrypt, createRemoteJWKSet, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { SAMPLE_LP_SDES, startConsumerIdp, type ConsumerIdp } from '../src/index.js';

let idp: ConsumerIdp | undefined;
afterEach(async () => {
  await idp?.close();
  idp = undefined;
});

// Checked with jose, independently of @lp-auth/core (which this package must not import).
describe('startConsumerIdp()', () => {
  test('serves discovery and a JWKS, and issues LivePerson-style id_tokens that verify against them', async () => {
    idp = await startConsumerIdp({ audience: 'orders-api' });
    const discovery = (await (await fetch(idp.discoveryUrl)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({ issuer: idp.issuer, jwks_uri: idp.jwksUri });
    const token = await idp.issue({ claims: { sub: 'consumer-1', email: 'c1@brand.example' } });
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(idp.jwksUri)), {
      issuer: idp.issuer,
      audience: 'orders-api',
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: idp.keys.current.kid, typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'consumer-1', email: 'c1@brand.example', lp_sdes: SAMPLE_LP_SDES });
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);
    expect(idp.stats).toEqual({ discovery: 1, jwks: 1 });
  });

  test('the public key in LivePerson console format (base64 SPKI) verifies its tokens', async () => {
    idp = await startConsumerIdp();
    const pem = `-----BEGIN PUBLIC KEY-----\n${idp.publicKeySpki}\n-----END PUBLIC KEY-----`;
    const { payload } = await jwtVerify(await idp.issue(), await importSPKI(pem, 'RS256'), {
      issuer: idp.issuer,
    });
    expect(payload.sub).toMatch(/^consumer-/);
    expect(idp.publicKeyPem).toContain('BEGIN PUBLIC KEY');
  });

  test('rotation publishes the new key beside the old one, or alone', async () => {
    idp = await startConsumerIdp();
    const first = idp.keys.current.kid;
    const second = await idp.rotateKeys();
    expect(idp.keys.jwks().keys.map((k) => k.kid)).toEqual([first, second]);
    expect(decodeProtectedHeader(await idp.issue()).kid).toBe(second);
    const third = await idp.rotateKeys({ dropPrevious: true });
    expect(idp.keys.jwks().keys.map((k) => k.kid)).toEqual([third]);
  });

  test('encrypt: a nested JWT (RSA-OAEP-256) that its decryption key opens', async () => {
    idp = await startConsumerIdp();
    const jwe = await idp.issue({ encrypt: true });
    expect(decodeProtectedHeader(jwe)).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' });
    const { plaintext } = await compactDecrypt(jwe, await idp.decryptionKey);
    expect(new TextDecoder().decode(plaintext).split('.')).toHaveLength(3);
  });

  test('faults: the JWKS and discovery fail with the given status until healed', async () => {
    idp = await startConsumerIdp();
    idp.setFaults({ status: 503 });
    expect((await fetch(idp.jwksUri)).status).toBe(503);
    idp.setFaults({});
    expect((await fetch(idp.jwksUri)).status).toBe(200);
  });

  test('EC and Ed25519 keys, and a claim left out on purpose', async () => {
    idp = await startConsumerIdp({ algorithm: 'ES256' });
    const token = await idp.issue({ claims: { sub: undefined } });
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(idp.jwksUri)));
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBeUndefined();
    await idp.close();
    idp = await startConsumerIdp({ algorithm: 'EdDSA' });
    expect(decodeProtectedHeader(await idp.issue()).alg).toBe('EdDSA');
  });
});
