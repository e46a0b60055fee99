import { constants, verify, type KeyObject } from 'node:crypto';

/**
 * The asymmetric JWS algorithms the verifier can check. Symmetric ones (`HS*`) are absent on
 * purpose: an IdP's keys are public, and a verifier that accepted HMAC could be fed a token "signed"
 * with the public key as the secret. `none` is absent for the obvious reason.
 */
export const SUPPORTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

export type ConsumerAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

const SUPPORTED = new Set<string>(SUPPORTED_ALGORITHMS);

export function isSupportedAlgorithm(alg: unknown): alg is ConsumerAlgorithm {
  return typeof alg === 'string' && SUPPORTED.has(alg);
}

const EC_CURVE_ALG: Record<string, ConsumerAlgorithm> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

/**
 * The algorithms a public key can verify: any RS/PS for RSA, the one ES* matching an EC key's
 * curve, EdDSA for Ed25519. Anything else (DSA, X25519, a secret key) can verify nothing.
 */
export function algorithmsForKey(key: KeyObject): readonly ConsumerAlgorithm[] {
  if (key.type !== 'public') return [];
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const alg = EC_CURVE_ALG[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return alg ? [alg] : [];
    }
    case 'ed25519':
      return ['EdDSA'];
    default:
      return [];
  }
}

/** The algorithm a key stands for when nobody says otherwise: RS256 for RSA, the curve's for EC. */
export function impliedAlgorithm(key: KeyObject): ConsumerAlgorithm | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'rsa-pss') return 'PS256';
  return algorithmsForKey(key)[0];
}

const HASH: Record<ConsumerAlgorithm, string | null> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  EdDSA: null,
};

const EC_SIGNATURE_BYTES: Partial<Record<ConsumerAlgorithm, number>> = { ES256: 64, ES384: 96, ES512: 132 };

/**
 * Checks a JWS signature with `node:crypto` directly: one synchronous call on a `KeyObject` made
 * once per key, which is the fastest verification Node has (BENCHMARKS.md measures jose's `jwtVerify`
 * at about 0.15× raw `crypto.verify`).
 * The caller has already checked that `alg` suits `key`.
 */
export function verifySignature(
  alg: ConsumerAlgorithm,
  key: KeyObject,
  signingInput: string,
  signature: Buffer,
): boolean {
  const data = Buffer.from(signingInput, 'latin1');
  try {
    if (alg.startsWith('PS')) {
      return verify(
        HASH[alg],
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        signature,
      );
    }
    if (alg.startsWith('ES')) {
      // JWS carries r||s (IEEE P1363), not DER; a wrong length is a forgery attempt or corruption.
      if (signature.length !== EC_SIGNATURE_BYTES[alg]) return false;
      return verify(HASH[alg], data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    return verify(HASH[alg], data, key, signature);
  } catch {
    return false;
  }
}
