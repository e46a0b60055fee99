/**
 * The consumer IdP check: is the JWKS that consumer tokens are verified with reachable, and is it a
 * JWKS? Found through `LP_CONSUMER_JWKS_URI`, or the `jwks_uri` of `LP_CONSUMER_ISSUER`'s OpenID
 * discovery document. Deliberately independent of core's consumer verifier: this only fetches.
 *
 * @module
 */
import { redactUrl } from '@lp-auth/core';
import { isLoopbackHost } from '@lp-auth/core/adapter';
import { checkResult, type CheckResult } from './check-result.js';

const CHECK = 'consumer jwks';
/** Members that only a private JWK has: a JWKS that publishes them gives the signing key away. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

class JwksProblem extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

/** The check, or undefined when neither variable is set (no consumer verification configured). */
export async function checkConsumerJwks(
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
): Promise<CheckResult | undefined> {
  const jwksUri = env.LP_CONSUMER_JWKS_URI?.trim();
  const issuer = env.LP_CONSUMER_ISSUER?.trim();
  if (!jwksUri && !issuer) return undefined;
  try {
    const uri = jwksUri || (await discoverJwksUri(issuer!, timeoutMs));
    const keys = await fetchJwks(uri, timeoutMs);
    const kids = keys.map((key) => `${String(key.kid ?? '(no kid)')} ${String(key.alg ?? key.kty)}`);
    const shown = kids.slice(0, 3).join(', ') + (kids.length > 3 ? ', …' : '');
    const plain = new URL(uri);
    if (plain.protocol === 'http:' && !isLoopbackHost(plain.hostname)) {
      return checkResult(
        CHECK,
        'warn',
        `${keys.length} key(s) at ${redactUrl(uri)}, but over plain http`,
        'Serve the JWKS over https: over http anyone on the path can swap the keys.',
      );
    }
    return checkResult(CHECK, 'ok', `${keys.length} key(s) at ${redactUrl(uri)}: ${shown}`);
  } catch (error) {
    if (error instanceof JwksProblem) return checkResult(CHECK, 'fail', error.message, error.fix);
    throw error;
  }
}

async function getJson(url: string, what: string, fix: string, timeoutMs: number): Promise<unknown> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new JwksProblem(`${what} is not a URL`, fix);
  }
  let response: Response;
  try {
    response = await fetch(parsed, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (cause ?? 'network error');
    throw new JwksProblem(`cannot fetch ${what} ${redactUrl(parsed)}: ${reason}`, fix);
  }
  if (!response.ok) throw new JwksProblem(`${what} ${redactUrl(parsed)} answered ${response.status}`, fix);
  try {
    return (await response.json()) as unknown;
  } catch {
    throw new JwksProblem(`${what} ${redactUrl(parsed)} did not answer JSON`, fix);
  }
}

async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<string> {
  const fix =
    'Check LP_CONSUMER_ISSUER: it must be the IdP’s issuer, whose /.well-known/openid-configuration lists jwks_uri.';
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const document = await getJson(url, 'the discovery document', fix, timeoutMs);
  const jwksUri = (document as { jwks_uri?: unknown } | null)?.jwks_uri;
  if (typeof jwksUri !== 'string' || jwksUri === '') {
    throw new JwksProblem('the discovery document has no jwks_uri', fix);
  }
  return jwksUri;
}

async function fetchJwks(uri: string, timeoutMs: number): Promise<Record<string, unknown>[]> {
  const fix =
    'Check LP_CONSUMER_JWKS_URI (or the IdP’s jwks_uri): it must answer a JSON Web Key Set, {"keys":[…]}.';
  const body = await getJson(uri, 'the JWKS', fix, timeoutMs);
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new JwksProblem('the answer is JSON but not a JWKS (no "keys" array)', fix);
  if (keys.length === 0) throw new JwksProblem('the JWKS has no keys', fix);
  const bad = keys.findIndex(
    (key) => !key || typeof key !== 'object' || typeof (key as { kty?: unknown }).kty !== 'string',
  );
  if (bad !== -1) throw new JwksProblem(`key #${bad + 1} of the JWKS has no "kty"`, fix);
  if (keys.some((key) => PRIVATE_MEMBERS.some((member) => member in (key as object)))) {
    throw new JwksProblem(
      'the JWKS publishes private or symmetric key material',
      'Publish only public keys in the JWKS, and replace the exposed signing key now.',
    );
  }
  return keys as Record<string, unknown>[];
}
