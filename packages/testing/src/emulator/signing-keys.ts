import { generateKeyPair, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateRsaKeyPair = promisify(generateKeyPair);

/** One RS256 key pair with its key id. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A public key as published in a JWKS. */
export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/** A JWT whose signature checked out against one of the set's keys. */
export interface VerifiedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** Why a JWT did not verify, in words for an error body. */
export type JwtFailure = { failure: string };

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * RS256 keys of one issuer (Sentinel, or the Orchestrator's Cognito pool): the current key signs,
 * every key still in the set verifies and is published in the JWKS. Signing and verification use
 * `node:crypto` directly with `KeyObject`s made once per key (the hot path of load tests).
 */
export class SigningKeySet {
  readonly #keys: SigningKey[] = [];
  readonly #newKid: (generation: number) => string;
  #generation = 0;

  private constructor(newKid: (generation: number) => string) {
    this.#newKid = newKid;
  }

  /** A set with one fresh 2048-bit key. `newKid(n)` names the n-th key (1-based). */
  static async create(newKid: (generation: number) => string): Promise<SigningKeySet> {
    const set = new SigningKeySet(newKid);
    await set.rotate(false);
    return set;
  }

  /** The key that signs new tokens. */
  get current(): SigningKey {
    const key = this.#keys[this.#keys.length - 1];
    if (!key) throw new Error('signing key set is empty');
    return key;
  }

  /** Adds a new current key; with `dropOld` the previous keys leave the set. Returns the new kid. */
  async rotate(dropOld: boolean): Promise<string> {
    const { privateKey, publicKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
    this.#generation += 1;
    const key: SigningKey = { kid: this.#newKid(this.#generation), privateKey, publicKey };
    if (dropOld) this.#keys.length = 0;
    this.#keys.push(key);
    return key.kid;
  }

  /** The public keys, as a JWKS document. */
  jwks(): { keys: PublicJwk[] } {
    return {
      keys: this.#keys.map((k) => ({
        ...k.publicKey.export({ format: 'jwk' }),
        kid: k.kid,
        alg: 'RS256',
        use: 'sig',
      })),
    };
  }

  /** Signs `payload` with the current key; the header is `{kid, typ: 'JWT', alg: 'RS256'}`. */
  sign(payload: Record<string, unknown>): string {
    const key = this.current;
    const input = `${b64url({ kid: key.kid, typ: 'JWT', alg: 'RS256' })}.${b64url(payload)}`;
    const signature = sign('sha256', Buffer.from(input), key.privateKey).toString('base64url');
    return `${input}.${signature}`;
  }

  /** Checks the structure, `alg`, `kid` and signature of `token` (claims are the caller's job). */
  verify(token: string): VerifiedJwt | JwtFailure {
    const parts = token.split('.');
    if (parts.length !== 3) return { failure: 'the token is not a JWT' };
    const [head, body, signature] = parts as [string, string, string];
    const header = parseSegment(head);
    const payload = parseSegment(body);
    if (!header || !payload) return { failure: 'the token is not a JWT' };
    if (header.alg !== 'RS256') return { failure: 'unsupported signing algorithm' };
    const key = this.#keys.find((k) => k.kid === header.kid);
    if (!key) return { failure: 'unknown signing key (kid)' };
    const ok = verify(
      'sha256',
      Buffer.from(`${head}.${body}`),
      key.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    return ok ? { header, payload } : { failure: 'invalid signature' };
  }
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** True when the verified JWT carries an `exp` (epoch seconds) still in the future. */
export function notExpired(payload: Record<string, unknown>, nowMs = Date.now()): boolean {
  return typeof payload.exp === 'number' && payload.exp * 1000 > nowMs;
}
