import type { Logger } from '../support/logger.js';
import type { Secret } from '../support/secret.js';
import { LpAuthError } from '../errors/index.js';
import { requiredSecret, requiredString } from '../support/validate.js';
import type { AuthorizeResult, Credential, CredentialRuntime, OutgoingRequest } from './credential.js';
import { isFormContentType, signOAuth1, type OAuth1Keys, type OAuth1Request } from './oauth1-signature.js';

/** Options of a LivePerson API key (OAuth 1.0, legacy: LivePerson ended the protocol on 2026-05-31). */
export interface OAuth1Options {
  /** "App key" (`oauth_consumer_key`). */
  consumerKey: string;
  /** "Secret". */
  consumerSecret: string | Secret;
  /** "Access token" (`oauth_token`). */
  token: string;
  /** "Access token secret". */
  tokenSecret: string | Secret;
}

/** {@link OAuth1Options} after validation: both secrets wrapped. */
export type ResolvedOAuth1Options = OAuth1Options & { consumerSecret: Secret; tokenSecret: Secret };

/** Validates `credentials.oauth1` (or the options at `field`), naming the first bad field. */
export function resolveOAuth1Options(
  value: OAuth1Options,
  field = 'credentials.oauth1',
): ResolvedOAuth1Options {
  return {
    consumerKey: requiredString(`${field}.consumerKey`, value.consumerKey),
    consumerSecret: requiredSecret(`${field}.consumerSecret`, value.consumerSecret),
    token: requiredString(`${field}.token`, value.token),
    tokenSecret: requiredSecret(`${field}.tokenSecret`, value.tokenSecret),
  };
}

/**
 * A request as `LpClient` hands it to a credential, with the body it will send (needed to sign a
 * form-encoded body).
 */
export interface SignableRequest extends OutgoingRequest {
  body?: unknown;
}

const HEX32 = /^[0-9a-f]{32}$/;
const WARNED = Symbol.for('@lp-auth/core:oauth1-deprecation-warned');

/**
 * Logs LivePerson's OAuth 1.0 deprecation once per process, whichever credential uses it first. The
 * mark lives on `globalThis`, so that two copies of this module (ESM and CJS) still warn once.
 */
export function warnOAuth1Deprecated(logger: Logger, what: string): void {
  const global = globalThis as { [WARNED]?: boolean };
  if (global[WARNED]) return;
  global[WARNED] = true;
  logger.warn(
    `${what} uses OAuth 1.0, which LivePerson made read-only on 2025-09-30 and ended on 2026-05-31 ` +
      '(bot login with OAuth 1.0 keys ended 2026-04-30). Move to an OAuth 2.0 application (appJwt) ' +
      'or, for bots, log in with an OAuth 2.0 client id and secret.',
  );
}

/**
 * LivePerson API key: every request signed with OAuth 1.0 HMAC-SHA1 (RFC 5849), with a fresh nonce
 * and timestamp per attempt, so that a retried request is signed again rather than replayed. A 401 is
 * final: there is no token to refresh.
 *
 * Keys and tokens issued by LivePerson are 32 lower-case hex characters; other shapes (an on-premise
 * mirror, a test double) are accepted with a warning that names the field, never its value.
 */
export class OAuth1Credential implements Credential {
  readonly kind = 'oauth1';
  readonly refreshable = false;
  readonly #keys: OAuth1Keys;
  readonly #logger: Logger;

  constructor(options: OAuth1Options, runtime: Pick<CredentialRuntime, 'logger'>) {
    this.#keys = {
      consumerKey: options.consumerKey,
      consumerSecret: options.consumerSecret,
      token: options.token,
      tokenSecret: options.tokenSecret,
    };
    this.#logger = runtime.logger;
    const { consumerKey, token } = options;
    const odd = [
      ['consumerKey', consumerKey],
      ['token', token],
    ].filter(([, value]) => !HEX32.test(value!));
    if (odd.length) {
      this.#logger.warn(
        `oauth1: ${odd.map(([n]) => n).join(' and ')} do not look like LivePerson keys (32 lower-case hex characters); using them anyway`,
      );
    }
  }

  async authorize(request: SignableRequest): Promise<AuthorizeResult> {
    warnOAuth1Deprecated(this.#logger, 'The oauth1 credential');
    const contentType = request.headers.get('content-type');
    const signable: OAuth1Request = { method: request.method, url: request.url, contentType };
    if (request.body !== undefined && request.body !== null) {
      const body = request.body;
      const readable =
        typeof body === 'string' ||
        body instanceof URLSearchParams ||
        body instanceof ArrayBuffer ||
        ArrayBuffer.isView(body);
      if (readable) signable.body = body;
      else if (isFormContentType(contentType)) {
        throw new LpAuthError(
          'oauth1_unsignable_body',
          'oauth1: a form-encoded body must be a string, URLSearchParams or bytes to be signed; ' +
            'a stream or Blob cannot be read before sending.',
          { httpStatus: 500 },
        );
      }
    }
    request.headers.set('authorization', signOAuth1(signable, this.#keys).authorization);
    return {};
  }

  async invalidate(): Promise<void> {}
  async close(): Promise<void> {}
}
