import { createPublicKey, generateKeyPairSync, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import { SignJWT, jwtVerify } from 'jose';
import { measureAsync, measureSync } from './measure.js';
import { fmt, type Row } from './table.js';

export interface SigningSetup {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
  issuer: string;
  audience: string;
  kid: string;
  /** A consumer id_token signed RS256 with `privateKey`, valid one hour. */
  token(sub?: string): Promise<string>;
}

/** An RS256 2048-bit key pair and a consumer id_token factory shared by the verification rows. */
export function signingSetup(): SigningSetup {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const issuer = 'https://idp.brand.example';
  const audience = 'lp-consumer';
  const kid = 'bench-1';
  return {
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    issuer,
    audience,
    kid,
    token: (sub = 'consumer-1') =>
      new SignJWT({ lp_sdes: [{ type: 'ctmrinfo', info: { customerId: sub, cstatus: 'gold' } }] })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey),
  };
}

/** The floor: split, decode and `crypto.verify` the RS256 signature, nothing else. */
export function rawVerify(token: string, key: KeyObject): boolean {
  const dot = token.lastIndexOf('.');
  return cryptoVerify(
    'RSA-SHA256',
    Buffer.from(token.slice(0, dot)),
    key,
    Buffer.from(token.slice(dot + 1), 'base64url'),
  );
}

/** Signature + claims verification without HTTP: raw crypto, jose, fast-jwt (cold and cached). */
export async function benchVerify(ms: number, setup: SigningSetup): Promise<{ rows: Row[]; rawOps: number }> {
  const token = await setup.token();
  const publicKey = createPublicKey(setup.publicPem);
  if (!rawVerify(token, publicKey)) throw new Error('raw verify failed on a valid token');
  const raw = measureSync(() => rawVerify(token, publicKey), ms);

  const joseT = await measureAsync(
    () =>
      jwtVerify(token, publicKey, { issuer: setup.issuer, audience: setup.audience, algorithms: ['RS256'] }),
    ms,
  );
  const fastCold = createVerifier({
    key: setup.publicPem,
    algorithms: ['RS256'],
    allowedIss: setup.issuer,
    cache: false,
  });
  fastCold(token);
  const fastColdT = measureSync(() => fastCold(token), ms);
  const fastCached = createVerifier({
    key: setup.publicPem,
    algorithms: ['RS256'],
    allowedIss: setup.issuer,
    cache: true,
  });
  const fastCachedT = measureSync(() => fastCached(token), ms);

  const vsRaw = (n: number) => `${fmt.x(n / raw.opsPerSec)} raw`;
  return {
    rawOps: raw.opsPerSec,
    rows: [
      {
        section: 'verify (RS256, 2048-bit)',
        name: 'raw crypto.verify',
        value: fmt.ops(raw.opsPerSec),
        meaning: 'the floor no library can beat: one RSA signature check, no claims',
      },
      {
        section: 'verify (RS256, 2048-bit)',
        name: 'jose jwtVerify',
        value: fmt.ops(joseT.opsPerSec),
        ratio: vsRaw(joseT.opsPerSec),
        meaning: 'jose with a KeyObject, iss/aud/alg checked',
      },
      {
        section: 'verify (RS256, 2048-bit)',
        name: 'fast-jwt, no cache',
        value: fmt.ops(fastColdT.opsPerSec),
        ratio: vsRaw(fastColdT.opsPerSec),
        meaning: 'fast-jwt verifying every time',
      },
      {
        section: 'verify (RS256, 2048-bit)',
        name: 'fast-jwt, cached',
        value: fmt.ops(fastCachedT.opsPerSec),
        ratio: vsRaw(fastCachedT.opsPerSec),
        meaning: "fast-jwt's verified-token cache, the same token again",
      },
    ],
  };
}
