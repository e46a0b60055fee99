import { describe, expect, test } from '@jest/globals';
import * as adapter from '../src/adapter/index.js';
import * as app from '../src/app.js';
import * as core from '../src/index.js';

// What `@lp-auth/core` hands an application at run time. A change to this list is a change to the
// public API: add a name here only on purpose, and say so in the core README.
const MAIN_VALUES = [
  'AbortedError',
  'AppAuthorizationError',
  'CREDENTIAL_KINDS',
  'ClosedError',
  'ConfigError',
  'ConsumerTokenError',
  'ConsumerVerifier',
  'CredentialsRejectedError',
  'CsdsUnavailableError',
  'DomainNotFoundError',
  'InvalidResponseError',
  'KeySetUnavailableError',
  'LoginBlockedError',
  'LpApiError',
  'LpAuthError',
  'LpClient',
  'MemoryTokenStore',
  'NetworkError',
  'RedirectRefusedError',
  'ResponseTooLargeError',
  'RetryAfterPendingError',
  'RetryBudgetExceededError',
  'Secret',
  'TimeoutError',
  'TokenRequestError',
  'adaptLogger',
  'createConsumerVerifier',
  'createLpAuth',
  'filterSdes',
  'findSde',
  'isKnownSde',
  'isLpAuthError',
  'optionsFromEnv',
  'parseLpSdes',
  'randomToken',
  'redactUrl',
  'secret',
  'signOAuth1',
  'silentLogger',
  'stderrLogger',
];

describe('the public face of @lp-auth/core', () => {
  test('the main entry exports exactly the values an application uses (at most 60)', () => {
    expect(Object.keys(core).sort()).toEqual([...MAIN_VALUES].sort());
    expect(MAIN_VALUES.length).toBeLessThanOrEqual(60);
  });

  test('internals are not exported from the main entry', () => {
    const internals = [
      // OAuth 1.0 base-string helpers
      'oauthBaseString',
      'oauthBaseUrl',
      'oauthPercentEncode',
      // cookie and login-state helpers
      'sealLoginState',
      'openLoginState',
      'serializeCookie',
      'parseCookies',
      'safeReturnTo',
      // retry helpers
      'withRetries',
      'backoffDelay',
      'parseRetryAfter',
      'isRetryableError',
      // option resolvers
      'resolveOptions',
      'resolveConsumerOptions',
      'resolveCredentialsOptions',
      'resolveAppAuthorizationOptions',
      // adapter glue
      'ConsumerGuard',
      'adapterLpAuth',
      'lpRequestContext',
      'bearerPartsOf',
      'AppAuthorizationWeb',
      'httpErrorResponse',
    ];
    for (const name of internals) expect(Object.keys(core)).not.toContain(name);
  });

  test('the adapter entry holds the glue adapters share, and no application API', () => {
    for (const name of [
      'ConsumerGuard',
      'adapterLpAuth',
      'lpRequestContext',
      'bearerPartsOf',
      'consumerClaimChecks',
      'AppAuthorizationWeb',
      'httpErrorResponse',
      'resolveHttpErrorResponseOptions',
    ]) {
      expect(Object.keys(adapter)).toContain(name);
    }
    for (const name of Object.keys(adapter)) expect(MAIN_VALUES).not.toContain(name);
  });

  test('what adapters re-export (`@lp-auth/core/app`) comes from the main entry, same objects', () => {
    for (const [name, value] of Object.entries(app)) {
      expect(MAIN_VALUES).toContain(name);
      expect(value).toBe((core as Record<string, unknown>)[name]);
    }
  });
});
