import { createHash, randomBytes } from 'node:crypto';

/** A PKCE pair (RFC 7636): the verifier stays with the app, the challenge goes in the authorize URL. */
export interface Pkce {
  /** 43 base64url characters (256 random bits); sent with the code exchange, never in a URL. */
  readonly verifier: string;
  /** `base64url(sha256(verifier))`. */
  readonly challenge: string;
  readonly method: 'S256';
}

/**
 * A fresh PKCE pair, S256 only: `plain` would put the verifier itself in the browser's URL.
 *
 * @example
 * ```ts
 * const pkce = createPkce();
 * const url = await auth.authorizationUrl({ state: randomToken(), pkce });
 * // later: auth.exchangeCode({ code, codeVerifier: pkce.verifier })
 * ```
 */
export function createPkce(): Pkce {
  const verifier = randomToken();
  return { verifier, challenge: pkceChallenge(verifier), method: 'S256' };
}

/** The S256 challenge of `verifier`. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** `bytes` random bytes as base64url (default 32: 256 bits), for `state`, verifiers and session ids. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
