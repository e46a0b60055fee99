import { LpAuthError } from './lp-auth.js';

/** The stable codes of {@link AppAuthorizationError}. */
export type AppAuthorizationErrorCode =
  /** The callback's `state` is missing, differs from the one sent, or its signed cookie is absent, forged or expired. */
  | 'state_mismatch'
  /** LivePerson sent the user back with `error=…` (the user cancelled, or the request was refused). */
  | 'authorization_denied'
  /** The code could not be exchanged: reused, expired, wrong redirect URI or PKCE verifier (`invalid_grant`). */
  | 'authorization_failed'
  /** The user's session is over: logged out, revoked, expired, or its refresh token was refused. */
  | 'session_ended'
  /** The id_token from Sentinel did not verify (signature, audience, issuer, lifetime). */
  | 'id_token_invalid'
  /**
   * A `returnTo` that would leave this site. No longer thrown by the login routes, which fall back
   * to `/` instead; kept so that code switching on it still compiles.
   */
  | 'return_to_refused'
  /** A logout sent from another site (`Sec-Fetch-Site` or `Origin`): refused, the session is kept. */
  | 'forbidden_origin';

const STATUS: Readonly<Record<AppAuthorizationErrorCode, number>> = {
  state_mismatch: 400,
  authorization_denied: 403,
  authorization_failed: 400,
  session_ended: 401,
  id_token_invalid: 502,
  return_to_refused: 400,
  forbidden_origin: 403,
};

/**
 * A failure of application authorization (the authorization-code login of LivePerson users).
 * Messages never contain a code, token, state or verifier.
 *
 * @example
 * ```ts
 * try {
 *   await user.client.request({ service: 'accountConfigReadOnly', path: '/api/account/{accountId}/configuration/le-users/skills' });
 * } catch (e) {
 *   if (isLpAuthError(e, 'session_ended')) return res.redirect('/auth/login');
 *   throw e;
 * }
 * ```
 */
export class AppAuthorizationError extends LpAuthError {
  declare readonly code: AppAuthorizationErrorCode;
  /** The OAuth 2.0 error LivePerson answered (`invalid_grant`, `access_denied`, …), when there was one. */
  readonly oauthError?: string;

  constructor(
    code: AppAuthorizationErrorCode,
    message: string,
    options: { oauthError?: string; cause?: unknown } = {},
  ) {
    super(code, message, { httpStatus: STATUS[code], cause: options.cause });
    if (options.oauthError !== undefined) this.oauthError = options.oauthError;
  }
}
