import { bool, nonNegative, positive } from '../support/validate.js';
import { createPrivateKey, KeyObject, type JsonWebKey } from 'node:crypto';
import { ConfigError } from '../errors/index.js';
import { isLoopbackHost } from '../support/url.js';
import { Secret } from '../support/secret.js';
import { isSupportedAlgorithm, SUPPORTED_ALGORITHMS, type ConsumerAlgorithm } from './algorithms.js';
import { DEFAULT_MAX_TOKEN_LENGTH } from './compact.js';
import type { TokenLocations } from './extract.js';
import type { ConsumerIdentity } from './identity.js';
import type { ConsumerKeyProvider } from './key-provider.js';
import { importStaticKeys, type ConsumerKeyInput, type VerificationKey } from './keys.js';
import { DEFAULT_JWKS_POLICY, type JwksPolicy } from './remote-key-set.js';
import { durationMs } from './duration.js';
import { normalizeTokenType } from './token-type.js';

/**
 * One identity provider whose tokens are accepted. Give `issuer` and at most one of `key` and
 * `jwksUri`; with neither, the keys come from the issuer's OpenID discovery document.
 */
export interface ConsumerIssuerOptions {
  /** The token's `iss`, compared exactly (`https://idp.example.com` ≠ `https://idp.example.com/`). */
  issuer: string;
  /**
   * Static public key(s): the base64 X.509 SubjectPublicKeyInfo string LivePerson's console takes,
   * a PEM, a `KeyObject`, a JWK or a JWKS; an array mixes them. Or a function `(header) => key`
   * that looks the key up ({@link ConsumerKeyProvider}; its answers are not cached by the verifier).
   */
  key?: ConsumerKeyInput | readonly ConsumerKeyInput[] | ConsumerKeyProvider;
  /** Where the issuer publishes its JWKS (https, or http on a loopback host). */
  jwksUri?: string;
  /** Accepted `aud` values. Default: `aud` is not checked (LivePerson does not require it). */
  audience?: string | readonly string[];
  /**
   * Accepted `azp` values. Default: with an `audience`, a token's `azp` (when present) must be one
   * of the audiences (OIDC Core §3.1.3.7: our client id); without one, `azp` is not checked.
   */
  authorizedParty?: string | readonly string[];
  /** Algorithms accepted from this issuer. Default: the verifier's `algorithms`. */
  algorithms?: readonly ConsumerAlgorithm[];
}

/**
 * Options of the consumer verifier (`createConsumerVerifier`, or `consumer` in `createLpAuth`).
 * Give one issuer's fields at the top level, or several issuers in `issuers`.
 */
export interface ConsumerVerifierOptions extends Partial<ConsumerIssuerOptions> {
  /** Several identity providers, each with its own keys and audience. */
  issuers?: readonly ConsumerIssuerOptions[];
  /**
   * Accepted signing algorithms. Default: RS256, plus the algorithm each key stands for (its JWK
   * `alg`, or the curve of an EC key). `none` and symmetric algorithms (`HS*`) are never accepted.
   */
  algorithms?: readonly ConsumerAlgorithm[];
  /** Leeway for `exp`, `nbf`, `iat` and `auth_time`. Default 5 000 ms. */
  clockToleranceMs?: number;
  /** Longest token accepted, in characters, checked before any parsing. Default 8 192. */
  maxTokenLength?: number;
  /** Claims required besides `iss`, `sub`, `iat`, `exp` (e.g. `['email']`). Default none. */
  requiredClaims?: readonly string[];
  /** Longest time since the consumer logged in (`auth_time` then required). Default: not checked. */
  maxAgeMs?: number;
  /**
   * Longest time since the token was issued (`iat`), with `clockToleranceMs`: a number of seconds
   * or a duration string (`'10m'`, `'2 hours'`, `'1d'`). An older token is `token_too_old`, even when
   * its `exp` is far away. Default: not checked. Env `LP_CONSUMER_MAX_TOKEN_AGE`.
   */
  maxTokenAge?: number | string;
  /**
   * The `typ` header the token must carry (RFC 8725 §3.11 explicit typing), compared
   * case-insensitively with `application/` optional: `'at+jwt'` for RFC 9068 access tokens.
   * Default: the token must look like an id_token (no `typ`, `JWT` or `application/jwt`); any
   * other type (`at+jwt`, `secevent+jwt`, `logout+jwt`, …) is `token_type_invalid`.
   */
  typ?: string;
  /** JWKS caching and refresh. */
  jwks?: Partial<JwksPolicy>;
  /**
   * The private key (PEM, PKCS#8, `KeyObject`, private JWK, or a `Secret` of a PEM) that decrypts
   * JWE tokens (`RSA-OAEP-256`, signed then encrypted). Default: JWE tokens are refused.
   */
  decryptionKey?: string | Secret | KeyObject | JsonWebKey;
  /** Refuse tokens that are not encrypted. Default false. */
  requireEncryption?: boolean;
  /** Where tokens are accepted besides `Authorization: Bearer`. Default: nowhere else. */
  tokenLocations?: TokenLocations;
  /** `realm` of the `WWW-Authenticate` challenge. Default `"api"`. */
  realm?: string;
  /** Say in `error_description` exactly why a token was refused. Default false (generic). */
  errorDetail?: boolean;
  /** Cache of verified tokens, or `false` for none. Default `{ maxEntries: 10 000 }`. */
  cache?: { maxEntries?: number } | false;
  /**
   * Asked after every other check, on every request, cached verifications included: `true` refuses
   * the token with `token_revoked` (401 `invalid_token`). A throw refuses the request too, with
   * your error (never admitted). Default: no revocation check.
   *
   * @example
   * ```ts
   * isRevoked: async (consumer) => (await redis.exists(`revoked:${consumer.claims.jti}`)) === 1,
   * ```
   */
  isRevoked?: (consumer: ConsumerIdentity) => boolean | Promise<boolean>;
}

/** One issuer after validation. */
export interface ResolvedIssuer {
  issuer: string;
  /** Static keys, imported once. */
  keys?: readonly VerificationKey[];
  /** The application's key lookup. */
  keyProvider?: ConsumerKeyProvider;
  jwksUri?: string;
  /** Keys come from discovery. */
  discover: boolean;
  audience?: readonly string[];
  authorizedParty?: readonly string[];
  /** Explicit allow-list, or undefined for the default rule. */
  algorithms?: ReadonlySet<ConsumerAlgorithm>;
}

/** Verifier options after validation, defaults applied. Holds no secret that prints. */
export interface ResolvedConsumerOptions {
  issuers: readonly ResolvedIssuer[];
  clockToleranceMs: number;
  maxTokenLength: number;
  requiredClaims: readonly string[];
  maxAgeMs?: number;
  /** `maxTokenAge` in milliseconds. */
  maxTokenAgeMs?: number;
  /** The required `typ`, normalized (lower case, without `application/`). */
  typ?: string;
  jwks: JwksPolicy;
  decryptionKey?: KeyObject;
  requireEncryption: boolean;
  tokenLocations: TokenLocations;
  realm: string;
  errorDetail: boolean;
  cacheEntries: number;
  isRevoked?: (consumer: ConsumerIdentity) => boolean | Promise<boolean>;
}

/** Validates verifier options; a bad field throws a `ConfigError` naming it (under `prefix`). */
export function resolveConsumerOptions(
  options: ConsumerVerifierOptions,
  prefix = 'consumer',
): ResolvedConsumerOptions {
  if (!options || typeof options !== 'object')
    throw new ConfigError(prefix, 'expected an object with an issuer.');
  const f = (name: string) => `${prefix}.${name}`;
  const globalAlgorithms = resolveAlgorithms(f('algorithms'), options.algorithms);
  const given = options.issuers ?? [];
  if (options.issuers !== undefined && !Array.isArray(options.issuers)) {
    throw new ConfigError(f('issuers'), 'must be an array of { issuer, key | jwksUri }.');
  }
  const entries: { field: string; value: ConsumerIssuerOptions }[] = given.map((value, i) => ({
    field: f(`issuers[${i}]`),
    value,
  }));
  if (options.issuer !== undefined)
    entries.unshift({ field: prefix, value: options as ConsumerIssuerOptions });
  if (entries.length === 0) {
    throw new ConfigError(f('issuer'), 'is required: the "iss" of your identity provider\'s tokens.');
  }
  const issuers = entries.map(({ field, value }) => resolveIssuer(field, value, globalAlgorithms));
  const seen = new Set<string>();
  for (const [i, one] of issuers.entries()) {
    if (seen.has(one.issuer))
      throw new ConfigError(`${entries[i]!.field}.issuer`, `"${one.issuer}" is configured twice.`);
    seen.add(one.issuer);
  }
  const cache = options.cache ?? {};
  const locations = options.tokenLocations ?? {};
  if (
    locations.cookie !== undefined &&
    (typeof locations.cookie !== 'string' || !/^[!#-'*+.0-9A-Z^-z|~-]+$/.test(locations.cookie))
  ) {
    throw new ConfigError(f('tokenLocations.cookie'), 'must be a cookie name.');
  }
  const resolved: ResolvedConsumerOptions = {
    issuers,
    clockToleranceMs: nonNegative(f('clockToleranceMs'), options.clockToleranceMs, 5_000),
    maxTokenLength: positive(f('maxTokenLength'), options.maxTokenLength, DEFAULT_MAX_TOKEN_LENGTH),
    requiredClaims: stringList(f('requiredClaims'), options.requiredClaims) ?? [],
    jwks: resolveJwks(f('jwks'), options.jwks),
    requireEncryption: bool(f('requireEncryption'), options.requireEncryption, false),
    tokenLocations: {
      query: bool(f('tokenLocations.query'), locations.query, false),
      body: bool(f('tokenLocations.body'), locations.body, false),
      ...(locations.cookie ? { cookie: locations.cookie } : {}),
    },
    realm: options.realm ?? 'api',
    errorDetail: bool(f('errorDetail'), options.errorDetail, false),
    cacheEntries: cache === false ? 0 : Math.floor(positive(f('cache.maxEntries'), cache.maxEntries, 10_000)),
  };
  if (typeof resolved.realm !== 'string' || !/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/.test(resolved.realm)) {
    throw new ConfigError(f('realm'), 'must be printable ASCII without quotes or backslashes.');
  }
  if (options.maxAgeMs !== undefined) resolved.maxAgeMs = positive(f('maxAgeMs'), options.maxAgeMs, 0);
  if (options.maxTokenAge !== undefined) {
    const ms = durationMs(options.maxTokenAge);
    if (ms === undefined) {
      throw new ConfigError(
        f('maxTokenAge'),
        "must be a positive number of seconds or a duration such as '10m', '2h' or '1d'.",
      );
    }
    resolved.maxTokenAgeMs = ms;
  }
  if (options.isRevoked !== undefined) {
    if (typeof options.isRevoked !== 'function') {
      throw new ConfigError(f('isRevoked'), 'must be a function (consumer) => boolean | Promise<boolean>.');
    }
    resolved.isRevoked = options.isRevoked;
  }
  if (options.typ !== undefined) resolved.typ = tokenType(f('typ'), options.typ);
  if (options.decryptionKey !== undefined)
    resolved.decryptionKey = privateKey(f('decryptionKey'), options.decryptionKey);
  if (resolved.requireEncryption && !resolved.decryptionKey) {
    throw new ConfigError(f('decryptionKey'), 'is required when requireEncryption is true.');
  }
  return resolved;
}

function tokenType(field: string, value: unknown): string {
  // A media type (RFC 6838 names), e.g. "at+jwt" or "application/at+jwt".
  if (typeof value !== 'string' || !/^(application\/)?[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/i.test(value)) {
    throw new ConfigError(field, 'must be a media type such as "at+jwt" or "application/at+jwt".');
  }
  return normalizeTokenType(value);
}

function resolveIssuer(
  field: string,
  value: ConsumerIssuerOptions,
  globalAlgorithms: ReadonlySet<ConsumerAlgorithm> | undefined,
): ResolvedIssuer {
  if (!value || typeof value !== 'object')
    throw new ConfigError(field, 'expected { issuer, key | jwksUri }.');
  const issuer = value.issuer;
  if (typeof issuer !== 'string' || issuer.trim() === '' || issuer !== issuer.trim()) {
    throw new ConfigError(
      `${field}.issuer`,
      'must be the exact "iss" string of your identity provider\'s tokens.',
    );
  }
  if (value.key !== undefined && value.jwksUri !== undefined) {
    throw new ConfigError(`${field}.jwksUri`, 'give either key or jwksUri, not both.');
  }
  const out: ResolvedIssuer = { issuer, discover: value.key === undefined && value.jwksUri === undefined };
  if (typeof value.key === 'function') out.keyProvider = value.key;
  else if (value.key !== undefined) {
    try {
      out.keys = importStaticKeys(value.key as ConsumerKeyInput | readonly ConsumerKeyInput[]);
    } catch (error) {
      throw new ConfigError(`${field}.key`, (error as Error).message);
    }
  }
  if (value.jwksUri !== undefined) out.jwksUri = httpsUrl(`${field}.jwksUri`, value.jwksUri);
  if (out.discover)
    httpsUrl(`${field}.issuer`, issuer, ' (keys are discovered from it; or give key or jwksUri)');
  const audience = stringList(`${field}.audience`, value.audience);
  if (audience) out.audience = audience;
  const azp = stringList(`${field}.authorizedParty`, value.authorizedParty);
  if (azp) out.authorizedParty = azp;
  const algorithms = resolveAlgorithms(`${field}.algorithms`, value.algorithms) ?? globalAlgorithms;
  if (algorithms) out.algorithms = algorithms;
  return out;
}

function resolveAlgorithms(field: string, value: unknown): ReadonlySet<ConsumerAlgorithm> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0)
    throw new ConfigError(field, 'must be a non-empty array, e.g. ["RS256"].');
  for (const alg of value) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
      throw new ConfigError(field, '"none" is never accepted: an unsigned token proves nothing.');
    }
    if (typeof alg === 'string' && /^HS\d+$/i.test(alg)) {
      throw new ConfigError(
        field,
        `"${alg}" is refused: symmetric algorithms would let anyone who knows the public key forge tokens.`,
      );
    }
    if (!isSupportedAlgorithm(alg)) {
      throw new ConfigError(
        field,
        `"${String(alg)}" is not supported; use ${SUPPORTED_ALGORITHMS.join(', ')}.`,
      );
    }
  }
  return new Set(value as ConsumerAlgorithm[]);
}

function resolveJwks(field: string, value: Partial<JwksPolicy> | undefined): JwksPolicy {
  const v = value ?? {};
  const d = DEFAULT_JWKS_POLICY;
  const policy: JwksPolicy = {
    maxAgeMs: positive(`${field}.maxAgeMs`, v.maxAgeMs, d.maxAgeMs),
    refreshAhead: positive(`${field}.refreshAhead`, v.refreshAhead, d.refreshAhead),
    cooldownMs: nonNegative(`${field}.cooldownMs`, v.cooldownMs, d.cooldownMs),
    staleIfErrorMs: nonNegative(`${field}.staleIfErrorMs`, v.staleIfErrorMs, d.staleIfErrorMs),
    timeoutMs: positive(`${field}.timeoutMs`, v.timeoutMs, d.timeoutMs),
    backoffBaseMs: nonNegative(`${field}.backoffBaseMs`, v.backoffBaseMs, d.backoffBaseMs),
    backoffMaxMs: nonNegative(`${field}.backoffMaxMs`, v.backoffMaxMs, d.backoffMaxMs),
  };
  if (policy.refreshAhead > 1)
    throw new ConfigError(`${field}.refreshAhead`, 'must be a share between 0 and 1, e.g. 0.75.');
  return policy;
}

function privateKey(field: string, value: NonNullable<ConsumerVerifierOptions['decryptionKey']>): KeyObject {
  let key: KeyObject;
  try {
    if (value instanceof KeyObject) key = value;
    else if (value instanceof Secret) key = createPrivateKey(value.reveal());
    else if (typeof value === 'string') key = createPrivateKey(value);
    else key = createPrivateKey({ key: value, format: 'jwk' });
  } catch {
    // The parser's message could quote the input; say only what was expected.
    throw new ConfigError(
      field,
      'is not a private key: expected a PEM (PKCS#8 or PKCS#1), a KeyObject or a private JWK.',
    );
  }
  if (key.type !== 'private' || (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss')) {
    throw new ConfigError(field, 'must be an RSA private key (JWE with RSA-OAEP-256).');
  }
  return key;
}

function httpsUrl(field: string, value: unknown, hint = ''): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new ConfigError(field, `must be an absolute URL${hint}.`);
  }
  if (url.username || url.password) throw new ConfigError(field, 'must not contain a user name or password.');
  const loopbackHttp = url.protocol === 'http:' && isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new ConfigError(field, `must be https (http only for a loopback host such as 127.0.0.1)${hint}.`);
  }
  return String(value);
}

function stringList(field: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    throw new ConfigError(field, 'must be a non-empty string or array of non-empty strings.');
  }
  return Object.freeze([...(list as string[])]);
}
