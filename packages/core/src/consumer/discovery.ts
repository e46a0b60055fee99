import type { Configuration } from 'openid-client';
import { isLoopbackHost } from '../support/url.js';
import { sendOnce, type FetchFn } from '../http/send.js';

/** A discovery document is a few KiB; this stops a flood long before it costs memory. */
const MAX_DISCOVERY_BYTES = 256 * 1024;

// openid-client's discovery needs a client id; the verifier is no client, and the id is never sent.
const NO_CLIENT = 'lp-auth-consumer-verifier';

/**
 * Finds an issuer's `jwks_uri` through OpenID Connect Discovery
 * (`{issuer}/.well-known/openid-configuration`), with openid-client, which also checks that the
 * document's `issuer` is the one asked for (a mix-up defence). The answer is kept once found;
 * a failure is not, so the next verification tries again (the key set backs off between tries).
 */
export function discoverJwksUri(
  issuer: string,
  options: { fetch: FetchFn; timeoutMs: number },
): () => Promise<string> {
  let found: string | undefined;
  let inflight: Promise<string> | undefined;
  return () => {
    if (found) return Promise.resolve(found);
    inflight ??= discover(issuer, options)
      .then((uri) => (found = uri))
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };
}

async function discover(issuer: string, options: { fetch: FetchFn; timeoutMs: number }): Promise<string> {
  const url = new URL(issuer);
  let config: Configuration;
  try {
    // Loaded on the first discovery: a verifier given its keys or its jwks_uri never loads it.
    const oidc = await import('openid-client');
    config = await oidc.discovery(url, NO_CLIENT, undefined, undefined, {
      // Plain http only for loopback issuers (a local IdP in tests), as for every other URL option.
      execute: url.protocol === 'http:' && isLoopbackHost(url.hostname) ? [oidc.allowInsecureRequests] : [],
      // Through our own exchange: a deadline that covers the body, a size limit, and no redirect
      // that leaves the issuer's origin or drops to http.
      [oidc.customFetch]: (input, init) => {
        const { signal, ...rest } = init as RequestInit;
        return sendOnce(options.fetch, new URL(input), rest, options.timeoutMs, signal, {
          maxBodyBytes: MAX_DISCOVERY_BYTES,
          redirects: 'same-origin',
        });
      },
      timeout: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
    });
  } catch (error) {
    throw new Error(`OpenID discovery of ${issuer} failed: ${(error as Error).message}`, { cause: error });
  }
  const jwksUri = config.serverMetadata().jwks_uri;
  if (!jwksUri) throw new Error(`the discovery document of ${issuer} has no jwks_uri`);
  const parsed = new URL(jwksUri);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname))) {
    throw new Error(`the jwks_uri of ${issuer} is not https`);
  }
  return jwksUri;
}
