import { createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import { algorithmsForKey, isSupportedAlgorithm, type ConsumerAlgorithm } from './algorithms.js';

/** A public JWK as an IdP publishes it. */
export interface ConsumerJwk extends JsonWebKey {
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
}

/** A JSON Web Key Set. */
export interface ConsumerJwks {
  keys: ConsumerJwk[];
}

/**
 * A public key the verifier can use: the base64 X.509 SubjectPublicKeyInfo string LivePerson's
 * console takes (a PEM without header, footer and line breaks), a PEM, a `KeyObject`, a JWK, or a
 * JWKS. An array mixes them.
 */
export type ConsumerKeyInput = string | KeyObject | ConsumerJwk | ConsumerJwks;

/** One imported verification key, its `KeyObject` made once. */
export interface VerificationKey {
  readonly kid?: string;
  /** The `alg` the key declares; when set, it is the only algorithm the key verifies. */
  readonly alg?: ConsumerAlgorithm;
  readonly key: KeyObject;
  /** Algorithms this key may verify. */
  readonly algorithms: readonly ConsumerAlgorithm[];
}

/** Why a key could not be imported, in words for a ConfigError or a log line. */
export class KeyImportError extends Error {}

// RFC 7518 §3.3 asks for 2048 bits; shorter RSA keys are factorable in practice.
const MIN_RSA_BITS = 2048;

/** Imports a JWK (public parts only) or throws {@link KeyImportError}. */
export function importJwk(jwk: ConsumerJwk): VerificationKey {
  if (typeof jwk !== 'object' || jwk === null) throw new KeyImportError('a JWK must be an object');
  if (jwk.kty === 'oct') {
    throw new KeyImportError(
      'symmetric keys (kty "oct") are refused: consumer tokens are verified with public keys',
    );
  }
  if (jwk.use !== undefined && jwk.use !== 'sig')
    throw new KeyImportError(`the key is for "${jwk.use}", not "sig"`);
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) {
    throw new KeyImportError('the key\'s key_ops do not include "verify"');
  }
  if (jwk.alg !== undefined && !isSupportedAlgorithm(jwk.alg)) {
    throw new KeyImportError(`the key's alg "${String(jwk.alg)}" is not a supported signing algorithm`);
  }
  // Only the public members go to createPublicKey: a JWK that also carries "d" must not make us
  // hold a private key.
  const { kty, n, e, crv, x, y } = jwk;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty, n, e, crv, x, y } as JsonWebKey, format: 'jwk' });
  } catch (error) {
    throw new KeyImportError(`not a valid public JWK (${(error as Error).message})`);
  }
  return withAlgorithms(key, typeof jwk.kid === 'string' ? jwk.kid : undefined, jwk.alg);
}

/** Imports a PEM, a base64 SubjectPublicKeyInfo string or a KeyObject. */
export function importPublicKey(input: string | KeyObject, kid?: string): VerificationKey {
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) {
      key = input.type === 'private' ? createPublicKey(input) : input;
    } else if (input.includes('-----BEGIN')) {
      key = createPublicKey({ key: input, format: 'pem' });
    } else {
      const der = Buffer.from(input.replace(/\s+/g, ''), 'base64');
      key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    }
  } catch (error) {
    throw new KeyImportError(
      `not a public key: expected a PEM or a base64 X.509 SubjectPublicKeyInfo (${(error as Error).message})`,
    );
  }
  if (key.type === 'secret') throw new KeyImportError('symmetric keys are refused');
  return withAlgorithms(key, kid, undefined);
}

/** Imports every key of a static `key` option (one input or an array of them). */
export function importStaticKeys(input: ConsumerKeyInput | readonly ConsumerKeyInput[]): VerificationKey[] {
  const inputs = Array.isArray(input) ? input : [input];
  const keys: VerificationKey[] = [];
  for (const one of inputs as ConsumerKeyInput[]) {
    if (typeof one === 'string' || one instanceof KeyObject) keys.push(importPublicKey(one));
    else if (one && typeof one === 'object' && Array.isArray((one as ConsumerJwks).keys)) {
      for (const jwk of (one as ConsumerJwks).keys) keys.push(importJwk(jwk));
    } else keys.push(importJwk(one as ConsumerJwk));
  }
  if (keys.length === 0) throw new KeyImportError('no key given');
  return keys;
}

/**
 * Imports the usable keys of a fetched JWKS. Keys that cannot verify signatures (encryption keys,
 * symmetric ones, unknown types) are skipped, not fatal: an IdP may publish them beside its
 * signing keys. Returns the keys and the reasons the others were skipped.
 */
export function importJwks(document: unknown): { keys: VerificationKey[]; skipped: string[] } {
  if (!document || typeof document !== 'object' || !Array.isArray((document as ConsumerJwks).keys)) {
    throw new KeyImportError('the response is not a JWKS (an object with a "keys" array)');
  }
  const keys: VerificationKey[] = [];
  const skipped: string[] = [];
  for (const jwk of (document as ConsumerJwks).keys) {
    try {
      keys.push(importJwk(jwk));
    } catch (error) {
      skipped.push(`${String((jwk as ConsumerJwk)?.kid ?? '(no kid)')}: ${(error as Error).message}`);
    }
  }
  return { keys, skipped };
}

function withAlgorithms(
  key: KeyObject,
  kid: string | undefined,
  declared: string | undefined,
): VerificationKey {
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS)
      throw new KeyImportError(`the RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required`);
  }
  const possible = algorithmsForKey(key);
  if (possible.length === 0) {
    throw new KeyImportError(
      `a ${key.asymmetricKeyType ?? key.type} key cannot verify any supported algorithm`,
    );
  }
  if (declared !== undefined && !possible.includes(declared as ConsumerAlgorithm)) {
    throw new KeyImportError(
      `the key declares alg "${declared}", which a ${key.asymmetricKeyType} key cannot verify`,
    );
  }
  const alg = declared as ConsumerAlgorithm | undefined;
  return Object.freeze({
    ...(kid !== undefined ? { kid } : {}),
    ...(alg ? { alg } : {}),
    key,
    algorithms: alg ? [alg] : possible,
  });
}
