import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  KeyObject,
  randomBytes,
} from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError, LpAuthError, Secret } from '@lp-auth/core';

/** An AES-256 key as the options take it: 32 bytes, or 64 hex / 44 base64 characters. */
export type EncryptionKeyInput = string | Secret | Uint8Array | KeyObject;

/** Why a stored value could not be read. */
export type UnreadableReason = 'malformed' | 'unknown_key' | 'authentication_failed';

/**
 * A value in Redis that this process cannot decrypt: written with a key it does not have, moved
 * from another Redis key, or altered. The store never throws it to callers; it treats the value as
 * absent and logs the message, which names the key id and the Redis key but never a key or a value.
 */
export class StoreValueUnreadableError extends LpAuthError {
  readonly reason: UnreadableReason;
  constructor(reason: UnreadableReason, message: string) {
    super('store_value_unreadable', message, { httpStatus: 500 });
    this.reason = reason;
  }
}

const FORMAT = 'lpa1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_LABEL = 'lp-auth/redis key id';

interface Key {
  id: string;
  key: KeyObject;
}

/**
 * Seals values for Redis with AES-256-GCM: a random 96-bit IV per value, and the Redis key as
 * additional authenticated data, so a value copied under another key fails to open. The first key
 * encrypts; every key decrypts (rotation). Sealed text is `lpa1.<key id>.<iv>.<ciphertext>.<tag>`
 * in base64url, where the key id is a short HMAC of the key that tells which key to try without
 * revealing it.
 *
 * @example
 * ```ts
 * const cipher = new ValueCipher([parseEncryptionKey('encryptionKey', process.env.LP_REDIS_KEY!)]);
 * const sealed = cipher.seal('lp-auth:lp:123:appJwt:id', JSON.stringify(token));
 * const json = cipher.open('lp-auth:lp:123:appJwt:id', sealed);
 * ```
 */
export class ValueCipher {
  readonly #keys: readonly Key[];

  constructor(keys: readonly KeyObject[]) {
    if (keys.length === 0) throw new ConfigError('encryptionKey', 'at least one key is required.');
    this.#keys = keys.map((key) => ({ key, id: keyId(key) }));
  }

  /** How many keys can decrypt (the first also encrypts). */
  get keyCount(): number {
    return this.#keys.length;
  }

  seal(redisKey: string, plaintext: string): string {
    const { id, key } = this.#keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(redisKey));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url'));
    return [FORMAT, id, ...parts].join('.');
  }

  /** The plaintext of `sealed`, read from `redisKey`. @throws StoreValueUnreadableError */
  open(redisKey: string, sealed: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== FORMAT) {
      throw new StoreValueUnreadableError('malformed', `the value at "${redisKey}" is not an @lp-auth value`);
    }
    const [, id, ivText, ciphertextText, tagText] = parts as [string, string, string, string, string];
    const entry = this.#keys.find((k) => k.id === id);
    if (!entry) {
      throw new StoreValueUnreadableError(
        'unknown_key',
        `the value at "${redisKey}" was encrypted with key id ${id}, which is not among this process's ` +
          `encryptionKey ids (${this.#keys.map((k) => k.id).join(', ')}). Add that key to encryptionKey to read it.`,
      );
    }
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new StoreValueUnreadableError('malformed', `the value at "${redisKey}" is truncated`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(redisKey));
      decipher.setAuthTag(tag);
      const ciphertext = Buffer.from(ciphertextText, 'base64url');
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new StoreValueUnreadableError(
        'authentication_failed',
        `the value at "${redisKey}" failed authentication: it was altered, or copied from another key`,
      );
    }
  }

  [inspect.custom](): string {
    return `ValueCipher { keyIds: [${this.#keys.map((k) => `'${k.id}'`).join(', ')}] }`;
  }
}

/**
 * An AES-256 key from an option: a 32-byte `Uint8Array` or secret `KeyObject`, or a string (or
 * {@link Secret}) of 64 hex or 43–44 base64/base64url characters, e.g. from `openssl rand -base64 32`.
 * @throws ConfigError naming `field`, without echoing the value
 *
 * @example
 * ```ts
 * const key = parseEncryptionKey('encryptionKey', secret(process.env.LP_REDIS_ENCRYPTION_KEY!));
 * ```
 */
export function parseEncryptionKey(field: string, input: unknown): KeyObject {
  let bytes: Buffer | undefined;
  if (input instanceof KeyObject) {
    if (input.type === 'secret' && input.symmetricKeySize === KEY_BYTES) return input;
  } else if (input instanceof Uint8Array) {
    bytes = Buffer.from(input);
  } else if (typeof input === 'string' || input instanceof Secret) {
    const text = (input instanceof Secret ? input.reveal() : input).trim();
    if (/^[0-9a-f]{64}$/i.test(text)) bytes = Buffer.from(text, 'hex');
    else if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) bytes = Buffer.from(text, 'base64');
  }
  if (!bytes || bytes.length !== KEY_BYTES) {
    throw new ConfigError(
      field,
      'expected a 32-byte AES-256 key: 64 hex characters, 44 base64 characters ' +
        '(generate one with `openssl rand -base64 32`), a 32-byte Buffer, or a secret KeyObject.',
    );
  }
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return key;
}

function keyId(key: KeyObject): string {
  return createHmac('sha256', key).update(KEY_ID_LABEL).digest('hex').slice(0, 8);
}

/** The Redis key, bound to the ciphertext so a value cannot be replayed under another key. */
function aad(redisKey: string): Buffer {
  return Buffer.from(`${FORMAT}\n${redisKey}`, 'utf8');
}
