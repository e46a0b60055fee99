import { impliedAlgorithm, type ConsumerAlgorithm } from './algorithms.js';
import { ConsumerTokenError } from '../errors/index.js';
import type { VerificationKey } from './keys.js';

/**
 * The most keys whose signature check one token may cost. An IdP names the key with `kid`; a few
 * keys without one (a rotation: previous, current, next) are tried in turn, but a JWKS of thousands
 * of keys sharing a `kid`, or none, would make every forged token cost thousands of checks on the
 * event loop (about 300 ms of CPU for 3 000 EC keys).
 */
export const MAX_CANDIDATE_KEYS = 4;

/**
 * The keys that may verify a token signed with `alg`: of the keys its `kid` selected, those whose
 * type and curve suit `alg` and, without an explicit allow-list, only RS256 or the algorithm the key
 * stands for. Throws `algorithm_not_allowed` when none suits, and `key_ambiguous` (before any
 * signature check) when more than {@link MAX_CANDIDATE_KEYS} do: LivePerson's own IdP refuses such a
 * token too (1042 MULTIPLE_JWK_WITHOUT_KID_HEADER).
 */
export function candidateKeys(
  keys: readonly VerificationKey[],
  alg: ConsumerAlgorithm,
  explicit: ReadonlySet<ConsumerAlgorithm> | undefined,
  kid: string | undefined,
  issuer: string,
): readonly VerificationKey[] {
  // No RSA key as an HMAC secret, no RS256 with an EC key, no ES256 with a P-384 key.
  const candidates = keys.filter(
    (k) =>
      k.algorithms.includes(alg) &&
      (explicit !== undefined || alg === 'RS256' || alg === k.alg || alg === impliedAlgorithm(k.key)),
  );
  if (candidates.length === 0) {
    throw new ConsumerTokenError('algorithm_not_allowed', `The issuer's key cannot verify "${alg}" tokens.`, {
      issuer,
    });
  }
  if (candidates.length > MAX_CANDIDATE_KEYS) {
    throw new ConsumerTokenError(
      'key_ambiguous',
      kid === undefined
        ? `The token has no "kid" and ${candidates.length} of the issuer's keys could verify it; at most ${MAX_CANDIDATE_KEYS} are tried. The identity provider must put a "kid" in its tokens.`
        : `${candidates.length} of the issuer's keys share the kid "${kid}"; at most ${MAX_CANDIDATE_KEYS} are tried.`,
      { issuer, keysTried: 0 },
    );
  }
  return candidates;
}
