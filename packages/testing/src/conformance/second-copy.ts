import assert from 'node:assert/strict';

/**
 * Checks an adapter's answers to errors thrown by a second copy of the core's classes (an app with
 * two versions of `@lp-auth/core` in node_modules). The app under test serves:
 *
 * - `GET /expired` → throws that copy's `ConsumerTokenError('token_expired', …)`;
 * - `GET /config` → throws that copy's `ConfigError(…)`;
 *
 * and must answer them by brand and code as it answers its own: 401 with the RFC 6750 challenge,
 * and 500 `config_invalid`.
 */
export async function expectSecondCopyAnswered(baseUrl: string): Promise<void> {
  const refused = await fetch(`${baseUrl}/expired`);
  assert.equal(refused.status, 401, "a second copy's token_expired is a 401");
  assert.match(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  const refusal = (await refused.json()) as Record<string, unknown>;
  assert.equal(refusal.error, 'invalid_token');
  assert.equal(refusal.code, 'token_expired');

  const config = await fetch(`${baseUrl}/config`);
  assert.equal(config.status, 500, "a second copy's ConfigError is a 500");
  assert.equal(((await config.json()) as Record<string, unknown>).error, 'config_invalid');
}
