import { generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

/** Signing algorithms the consumer IdP can sign with. */
export type ConsumerIdpAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

/** One signing key of the IdP. */
export interface ConsumerIdpKey {
  readonly kid: string;
  readonly alg: ConsumerIdpAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** Generates a key pair for `alg` with node:crypto (2048-bit RSA, P-256, Ed25519). */
export async function generateSigningKey(alg: ConsumerIdpAlgorithm, kid: string): Promise<ConsumerIdpKey> {
  const pair =
    alg === 'ES256'
      ? await generate('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? await generate('ed25519')
        : await generate('rsa', { modulusLength: 2048 });
  return Object.freeze({ kid, alg, privateKey: pair.privateKey, publicKey: pair.publicKey });
}

/**
 * The IdP's signing keys: the newest signs, every key in the ring is published. Rotation adds a
 * key (and may drop the others), as a real IdP does when it rolls its keys.
 */
export class ConsumerIdpKeyRing {
  readonly #keys: ConsumerIdpKey[] = [];
  readonly #alg: ConsumerIdpAlgorithm;
  #generation = 0;

  constructor(alg: ConsumerIdpAlgorithm) {
    this.#alg = alg;
  }

  /** The key that signs new tokens. */
  get current(): ConsumerIdpKey {
    const key = this.#keys[this.#keys.length - 1];
    if (!key) throw new Error('the consumer IdP has no signing key');
    return key;
  }

  /** Every key, oldest first. */
  get keys(): readonly ConsumerIdpKey[] {
    return [...this.#keys];
  }

  /** Adds a new current key; with `dropPrevious` the others leave the JWKS. Returns its kid. */
  async rotate(dropPrevious = false): Promise<string> {
    this.#generation += 1;
    const key = await generateSigningKey(
      this.#alg,
      `consumer-idp-${this.#generation}-${Date.now().toString(36)}`,
    );
    if (dropPrevious) this.#keys.length = 0;
    this.#keys.push(key);
    return key.kid;
  }

  /** Removes one key from the JWKS (a retired key); the current key cannot be removed. */
  retire(kid: string): void {
    const index = this.#keys.findIndex((k) => k.kid === kid);
    if (index < 0) return;
    if (this.#keys[index] === this.current)
      throw new Error('the current signing key cannot be retired; rotate first');
    this.#keys.splice(index, 1);
  }

  /** The published JWKS. */
  jwks(): { keys: (JsonWebKey & { kid: string; alg: string; use: 'sig' })[] } {
    return {
      keys: this.#keys.map((k) => ({
        ...k.publicKey.export({ format: 'jwk' }),
        kid: k.kid,
        alg: k.alg,
        use: 'sig',
      })),
    };
  }
}
