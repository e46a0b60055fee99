import { KeySetUnavailableError } from '../errors/index.js';
import { importStaticKeys, type ConsumerKeyInput, type VerificationKey } from './keys.js';
import type { KeySource } from './remote-key-set.js';

/** The protected header of a token whose key is looked up: `alg` checked, the rest as sent. */
export interface ConsumerTokenHeader {
  alg: string;
  kid?: string;
  [parameter: string]: unknown;
}

/**
 * Your own key lookup, for keys that live neither in the options nor at a JWKS URL (a KMS, a
 * database, a tenant's registry). Given the header of a token that claims this issuer, it returns
 * the public key (a `KeyObject`, a PEM or base64 SPKI, a JWK or a JWKS), or `undefined`/`null` when
 * it knows none (`key_not_found`, 401). A throw is `jwks_unavailable` (503): the token may be fine.
 *
 * Called once per verification that misses the verified-token cache (concurrent requests with one
 * token share it); its answers are not cached by the verifier, so cache in the provider if a lookup
 * is costly. A returned `KeyObject` or JWK object is imported once (remembered by identity).
 *
 * @example
 * ```ts
 * createConsumerVerifier({
 *   issuer: 'https://login.brand.example',
 *   key: async (header) => keysByKid.get(header.kid ?? '') ?? (await kms.publicKey(header.kid)),
 * });
 * ```
 */
export type ConsumerKeyProvider = (
  header: Readonly<ConsumerTokenHeader>,
) => ConsumerKeyInput | null | undefined | Promise<ConsumerKeyInput | null | undefined>;

/** Keys from the application's {@link ConsumerKeyProvider}. */
export class ProviderKeySource implements KeySource {
  readonly #issuer: string;
  readonly #provide: ConsumerKeyProvider;
  // Imports of objects the provider returns again (a KeyObject, a JWK kept in a map): made once.
  readonly #imported = new WeakMap<object, readonly VerificationKey[]>();

  constructor(issuer: string, provide: ConsumerKeyProvider) {
    this.#issuer = issuer;
    this.#provide = provide;
  }

  async keysFor(
    kid: string | undefined,
    header: Readonly<Record<string, unknown>> = kid === undefined ? {} : { kid },
  ): Promise<readonly VerificationKey[]> {
    let given: ConsumerKeyInput | null | undefined;
    try {
      // The verifier calls it after checking `alg` against the supported algorithms.
      given = await this.#provide(header as Readonly<ConsumerTokenHeader>);
    } catch (error) {
      throw new KeySetUnavailableError(this.#issuer, 'the key provider failed', error);
    }
    if (given === null || given === undefined) return [];
    const remembered = typeof given === 'object' ? this.#imported.get(given) : undefined;
    if (remembered) return remembered;
    let keys: readonly VerificationKey[];
    try {
      keys = importStaticKeys(given);
    } catch (error) {
      // A wrong answer of the provider is the server's fault, not the client's.
      throw new KeySetUnavailableError(
        this.#issuer,
        `the key provider returned no usable public key (${(error as Error).message})`,
        error,
      );
    }
    if (typeof given === 'object') this.#imported.set(given, keys);
    return keys;
  }

  /** A verification by a provided key stays cached until the token ends: the provider is not asked again. */
  isCurrent(): boolean {
    return true;
  }

  close(): void {}
}
