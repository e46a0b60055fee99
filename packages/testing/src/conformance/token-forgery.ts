import {
  constants,
  createCipheriv,
  createHmac,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';

/**
 * The raw material of the attack corpus and the fuzzer: compact tokens built byte by byte with
 * node:crypto, so that a test can produce what no JWT library would (duplicate claims, a payload
 * that is an array, `alg: nOnE`, an unencoded payload, a JWE with RSA1_5). Nothing here is a
 * verifier; everything here is what an attacker can send.
 */

/** Base64url without padding, of text (UTF-8), bytes, or a value as JSON. */
export function b64u(value: string | Buffer | Record<string, unknown> | unknown[]): string {
  if (Buffer.isBuffer(value)) return value.toString('base64url');
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
}

/** A header or payload: an object (serialized as JSON), raw JSON text, or raw bytes. */
export type Segment = Record<string, unknown> | string | Buffer;

const encode = (segment: Segment): string =>
  typeof segment === 'string' || Buffer.isBuffer(segment) ? b64u(segment) : b64u(segment);

/** The asymmetric algorithms {@link signCompact} can sign with. */
export type ForgeryAlgorithm = 'RS256' | 'RS384' | 'PS256';

/** Signs `signingInput` the way a JWS does (RFC 7518 §3.3, §3.5), with node:crypto. */
export function signatureOf(signingInput: string, key: KeyObject, alg: ForgeryAlgorithm = 'RS256'): string {
  const hash = alg === 'RS384' ? 'sha384' : 'sha256';
  const options =
    alg === 'PS256'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : key;
  return sign(hash, Buffer.from(signingInput, 'latin1'), options).toString('base64url');
}

/**
 * A compact JWS over exactly these header and payload bytes, signed with `key` (the IdP's own key
 * when a case tests what the verifier does with a token only the IdP could have made).
 */
export function signCompact(
  header: Segment,
  payload: Segment,
  key: KeyObject,
  alg: ForgeryAlgorithm = 'RS256',
): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${signatureOf(input, key, alg)}`;
}

/** A compact JWS "signed" with HMAC, `secret` as the key: the RS256 → HS256 confusion attack. */
export function hmacCompact(
  header: Segment,
  payload: Segment,
  secret: Buffer | string,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

/** An unsigned compact JWS (`alg: none` style): the header and payload as given, `signature` after the dot. */
export function unsignedCompact(header: Segment, payload: Segment, signature = ''): string {
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

/** The decoded parts of a compact JWS (not verified). */
export function jwsParts(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [h, p] = token.split('.') as [string, string];
  const parse = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: parse(h), payload: parse(p) };
}

let attacker: { publicKey: KeyObject; privateKey: KeyObject } | undefined;

/**
 * An RSA key pair of the attacker's own (2048 bits, like a real IdP's), made once per process:
 * generating it is the slowest step of a case, and the attacker needs no fresh key per attack.
 */
export function attackerKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return (attacker ??= generateKeyPairSync('rsa', { modulusLength: 2048 }));
}

let decryption: { publicKey: KeyObject; privateKey: KeyObject } | undefined;

/** The RSA key pair the JWE cases encrypt to (the app gets its private half), made once per process. */
export function decryptionKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return (decryption ??= generateKeyPairSync('rsa', { modulusLength: 2048 }));
}

/**
 * A real JWE with `alg: RSA1_5` (RSAES-PKCS1-v1_5, the Bleichenbacher-prone key transport) and
 * `enc: A128CBC-HS256` (RFC 7516 appendix A.2), encrypted to `publicKey`. jose no longer makes
 * these; the verifier must refuse the algorithm before it ever decrypts.
 */
export function rsa15Jwe(plaintext: string, publicKey: KeyObject): string {
  const header = b64u({ alg: 'RSA1_5', enc: 'A128CBC-HS256', cty: 'JWT' });
  const cek = randomBytes(32);
  const encryptedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', cek.subarray(16), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const aad = Buffer.from(header, 'ascii');
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length * 8));
  const tag = createHmac('sha256', cek.subarray(0, 16))
    .update(Buffer.concat([aad, iv, ciphertext, al]))
    .digest()
    .subarray(0, 16);
  return [header, b64u(encryptedKey), b64u(iv), b64u(ciphertext), b64u(tag)].join('.');
}

/** A real JWE with `alg: dir`, `enc: A256GCM`: content encrypted directly with `key` (32 bytes). */
export function directJwe(plaintext: string, key: Buffer = randomBytes(32)): string {
  const header = b64u({ alg: 'dir', enc: 'A256GCM', cty: 'JWT' });
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(header, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [header, '', b64u(iv), b64u(ciphertext), b64u(cipher.getAuthTag())].join('.');
}

/** Five JWE-shaped segments under `header`, the rest random bytes (for algorithms refused on sight). */
export function jweWithHeader(header: Record<string, unknown>): string {
  return [
    b64u(header),
    b64u(randomBytes(256)),
    b64u(randomBytes(12)),
    b64u(randomBytes(64)),
    b64u(randomBytes(16)),
  ].join('.');
}

/**
 * `segment` re-encoded so that its last character carries non-zero padding bits: the same bytes
 * to a lenient decoder, a different string to everyone else (token malleability).
 */
export function withDirtyPaddingBits(segment: string): string | undefined {
  const unused = (segment.length * 6) % 8;
  if (unused === 0) return undefined;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(segment[segment.length - 1]!);
  return segment.slice(0, -1) + alphabet[last | 1]!;
}
