import { createPublicKey, generateKeyPairSync, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import { SignJWT, jwtVerify } from 'jose';
import { createConsumerVerifier } from '@lp-auth/core';
import { measureInTurns } from './measure.js';
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

/**
 * Signature + claims verification without HTTP: raw crypto, ours, jose, fast-jwt (each uncached
 * and cached), measured in turns so that the ratios to raw `crypto.verify` survive a busy machine.
 */
export async function benchVerify(
  ms: number,
  setup: SigningSetup,
): Promise<{ rows: Row[]; rawOps: number; oursColdOps: number }> {
  const token = await setup.token();
  const publicKey = createPublicKey(setup.publicPem);
  if (!rawVerify(token, publicKey)) throw new Error('raw verify failed on a valid token');
  const verifierOptions = { issuer: setup.issuer, audience: setup.audience, key: setup.publicPem };
  const oursCold = createConsumerVerifier({ ...verifierOptions, cache: false });
  const oursCached = createConsumerVerifier(verifierOptions);
  const fastJwt = {
    key: setup.publicPem,
    algorithms: ['RS256' as const],
    allowedIss: setup.issuer,
    allowedAud: setup.audience,
  };
  const fastCold = createVerifier({ ...fastJwt, cache: false });
  const fastCached = createVerifier({ ...fastJwt, cache: true });
  const joseOptions = { issuer: setup.issuer, audience: setup.audience, algorithms: ['RS256'] };
  // Each must accept the token before it is timed: a benchmark of refusals measures nothing.
  await oursCold.verify(token);
  await jwtVerify(token, publicKey, joseOptions);
  fastCold(token);

  const ops = await measureInTurns(
    {
      raw: () => rawVerify(token, publicKey),
      oursCold: () => oursCold.verify(token),
      oursCached: () => oursCached.verify(token),
      jose: () => jwtVerify(token, publicKey, joseOptions),
      fastCold: () => fastCold(token),
      fastCached: () => fastCached(token),
    },
    ms,
  );
  oursCold.close();
  oursCached.close();

  const section = 'verify (RS256, 2048-bit)';
  const vsRaw = (n: number) => `${fmt.x(n / ops.raw)} raw`;
  const row = (name: string, n: number, meaning: string): Row => ({
    section,
    name,
    value: fmt.ops(n),
    ratio: vsRaw(n),
    meaning,
  });
  return {
    rawOps: ops.raw,
    oursColdOps: ops.oursCold,
    rows: [
      {
        section,
        name: 'raw crypto.verify',
        value: fmt.ops(ops.raw),
        meaning: 'the floor no library can beat: one RSA signature check, no claims',
      },
      row(
        '@lp-auth ConsumerVerifier, no cache',
        ops.oursCold,
        'ours verifying every time: size, decode, alg, kid, signature, iss/aud/exp/iat, identity',
      ),
      row(
        '@lp-auth ConsumerVerifier, cached',
        ops.oursCached,
        'ours with its verified-token cache, the same token again (expiry and key still checked)',
      ),
      row('jose jwtVerify', ops.jose, 'jose with a KeyObject, iss/aud/alg checked'),
      row('fast-jwt, no cache', ops.fastCold, 'fast-jwt verifying every time, iss/aud/alg checked'),
      row('fast-jwt, cached', ops.fastCached, "fast-jwt's verified-token cache, the same token again"),
    ],
  };
}
