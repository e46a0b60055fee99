import type { KeyObject } from 'node:crypto';
import { isStrictBase64url } from './compact.js';
import { ConsumerTokenError } from '../errors/index.js';

// docs/liveperson-wire.md ("Consumer id_tokens"): LivePerson encrypts consumer tokens with RSA-OAEP-256 only.
const KEY_MANAGEMENT = ['RSA-OAEP-256'];
const CONTENT_ENCRYPTION = [
  'A128GCM',
  'A192GCM',
  'A256GCM',
  'A128CBC-HS256',
  'A192CBC-HS384',
  'A256CBC-HS512',
];

/**
 * Decrypts a nested JWT (signed, then encrypted as a compact JWE) and returns the inner JWS, which
 * the caller then verifies like any other token. jose does the decryption: it is not on the hot
 * path (verified tokens are cached by their JWE string) and JWE has many ways to go subtly wrong.
 */
export async function decryptNestedJwt(jwe: string, key: KeyObject | undefined): Promise<string> {
  if (!key) {
    throw new ConsumerTokenError(
      'decryption_failed',
      'The token is encrypted (JWE) but no decryption key is configured (option consumer.decryptionKey).',
    );
  }
  if (!jwe.split('.').every(isStrictBase64url)) {
    // jose's decoder skips characters outside the alphabet: "a b" and "ab" would both decrypt.
    throw new ConsumerTokenError(
      'token_malformed',
      'The encrypted token is not made of canonical base64url segments.',
    );
  }
  // Loaded on the first encrypted token: a server whose consumers send signed tokens never loads it.
  const { compactDecrypt, decodeProtectedHeader } = await import('jose');
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jwe);
  } catch {
    throw new ConsumerTokenError('token_malformed', "The encrypted token's header is not valid.");
  }
  if (typeof header.alg !== 'string' || !KEY_MANAGEMENT.includes(header.alg)) {
    throw new ConsumerTokenError(
      'algorithm_not_allowed',
      `The token is encrypted with "${String(header.alg)}"; only RSA-OAEP-256 is accepted.`,
    );
  }
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(jwe, key, {
      keyManagementAlgorithms: KEY_MANAGEMENT,
      contentEncryptionAlgorithms: CONTENT_ENCRYPTION,
    }));
  } catch {
    // jose's reason (wrong key, tampered ciphertext) is deliberately not passed on: a padding or
    // tag oracle is exactly what an attacker would probe for.
    throw new ConsumerTokenError('decryption_failed', 'The encrypted token could not be decrypted.');
  }
  const inner = Buffer.from(plaintext).toString('utf8');
  if (inner.split('.').length !== 3) {
    throw new ConsumerTokenError('token_malformed', 'The encrypted token does not contain a signed JWT.');
  }
  return inner;
}
