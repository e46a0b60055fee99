import { appAuthorizationState, type Redeemed } from '../app-authorization-state.js';
import type { EmulatorContext } from '../context.js';
import { secretEquals } from '../credentials.js';
import { json, type EmulatorRequest, type EmulatorResponse } from '../http.js';
import { oauthError } from '../lp-errors.js';
import type { RouteDefinition } from '../router.js';
import { tokenParameters } from './sentinel.js';

/** id_tokens live 600 seconds (wire page §5). */
const ID_TOKEN_LIFETIME_S = 600;

/** The client's form parameters once `client_id` and `client_secret` (in the body, wire page §5) check out. */
async function authenticatedParameters(
  request: EmulatorRequest,
  context: EmulatorContext,
): Promise<URLSearchParams | EmulatorResponse> {
  if (request.url.pathname.endsWith('/token') && request.url.searchParams.get('v') !== '1.0') {
    return oauthError(400, 'invalid_request', 'query parameter v=1.0 is required');
  }
  const params = await tokenParameters(request);
  if (!(params instanceof URLSearchParams)) return params;
  const clientId = params.get('client_id');
  const clientSecret = params.get('client_secret');
  if (!clientId || !clientSecret) {
    const missing = [!clientId && 'client_id', !clientSecret && 'client_secret'].filter(Boolean);
    return oauthError(400, 'invalid_request', `missing ${missing.join(', ')}`);
  }
  const { appAuthorization } = context.credentials;
  const known =
    request.params.acct === context.accountId &&
    secretEquals(clientId, appAuthorization.clientId) &&
    secretEquals(clientSecret, appAuthorization.clientSecret);
  return known ? params : oauthError(401, 'invalid_client');
}

/**
 * `POST /sentinel/api/account/{acct}/token?v=1.0` (wire page §5): `authorization_code` (single-use,
 * bound to client, redirect URI and PKCE challenge) and `refresh_token` (rotating: each use gives a
 * new one and ends the old one; a replay revokes the session). Access and refresh tokens are 64 hex
 * characters; the code grant adds an RS256 id_token signed with the `idtoken-…` key.
 */
async function token(request: EmulatorRequest, context: EmulatorContext): Promise<EmulatorResponse> {
  const params = await authenticatedParameters(request, context);
  if (!(params instanceof URLSearchParams)) return params;
  const clientId = params.get('client_id')!;
  const state = appAuthorizationState(context);
  const grantType = params.get('grant_type');
  let redeemed: Redeemed;
  if (grantType === 'authorization_code') {
    const code = params.get('code');
    if (!code) return oauthError(400, 'invalid_request', 'missing code');
    redeemed = state.redeemCode(code, clientId, params.get('redirect_uri'), params.get('code_verifier'));
  } else if (grantType === 'refresh_token') {
    const refreshToken = params.get('refresh_token');
    if (!refreshToken) return oauthError(400, 'invalid_request', 'missing refresh_token');
    redeemed = state.redeemRefreshToken(refreshToken, clientId);
  } else if (!grantType) {
    return oauthError(400, 'invalid_request', 'missing grant_type');
  } else {
    return oauthError(400, 'unsupported_grant_type');
  }
  if (!redeemed.ok) return oauthError(400, 'invalid_grant', redeemed.description);

  const lifetime = context.tokenLifetime('sentinel.userToken');
  const { accessToken, refreshToken } = state.issueTokens(redeemed.family, lifetime);
  const body: Record<string, unknown> = {
    access_token: accessToken,
    token_type: 'Bearer',
    refresh_token: refreshToken,
    expires_in: String(Math.round(lifetime)),
    ...(redeemed.scope ? { scope: redeemed.scope } : {}),
  };
  if (grantType === 'authorization_code') {
    const iat = Math.floor(Date.now() / 1000);
    body.id_token = context.idTokenKeys.sign({
      sub: redeemed.userId,
      aud: clientId,
      iss: 'Sentinel',
      iat,
      exp: iat + ID_TOKEN_LIFETIME_S,
      is_admin: false,
      is_lpa: false,
    });
  }
  return json(200, body, { 'cache-control': 'no-store', pragma: 'no-cache' });
}

/**
 * `POST /sentinel/api/account/{acct}/token/revoke` with form `token`, `client_id`, `client_secret`
 * (wire page §5): ends the session the access or refresh token belongs to. As RFC 7009 §2.2 says,
 * an unknown token is answered 200 as well, so the endpoint tells nothing about tokens.
 */
async function revoke(request: EmulatorRequest, context: EmulatorContext): Promise<EmulatorResponse> {
  const params = await authenticatedParameters(request, context);
  if (!(params instanceof URLSearchParams)) return params;
  const token = params.get('token');
  if (!token) return oauthError(400, 'invalid_request', 'missing token');
  const state = appAuthorizationState(context);
  const family = state.familyOf(token, params.get('client_id')!);
  if (family !== undefined) state.revokeFamily(family);
  return { status: 200, headers: { 'cache-control': 'no-store' } };
}

/** Sentinel's application-authorization token and revoke endpoints (wire page §5). */
export const sentinelUserTokenRoutes: readonly RouteDefinition[] = [
  {
    name: 'sentinel.userToken',
    methods: ['POST'],
    path: '/sentinel/api/account/{acct}/token',
    handler: token,
  },
  {
    name: 'sentinel.revoke',
    methods: ['POST'],
    path: '/sentinel/api/account/{acct}/token/revoke',
    handler: revoke,
  },
];
