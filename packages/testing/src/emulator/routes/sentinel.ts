import { randomUUID } from 'node:crypto';
import { secretEquals } from '../credentials.js';
import type { EmulatorContext } from '../context.js';
import { json, mediaType, type EmulatorRequest, type EmulatorResponse } from '../http.js';
import { oauthError } from '../lp-errors.js';
import type { RouteDefinition } from '../router.js';

/**
 * Reads the token request's parameters from every place wire page §4 has seen them: the
 * form-encoded body (documented), the query (`grant_type` in the Send API doc, everything in demo
 * code). A body parameter wins over the same query parameter.
 */
export async function tokenParameters(request: EmulatorRequest): Promise<URLSearchParams | EmulatorResponse> {
  const params = new URLSearchParams(request.url.searchParams);
  params.delete('v');
  const text = await request.text();
  if (text.trim() !== '') {
    if (mediaType(request) !== 'application/x-www-form-urlencoded') {
      return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    for (const [key, value] of new URLSearchParams(text)) params.set(key, value);
  }
  return params;
}

async function issueAppJwt(request: EmulatorRequest, context: EmulatorContext): Promise<EmulatorResponse> {
  const v1 = !request.url.pathname.includes('/api/v2/');
  if (v1 && request.url.searchParams.get('v') !== '1.0') {
    return oauthError(400, 'invalid_request', 'query parameter v=1.0 is required');
  }
  const params = await tokenParameters(request);
  if (!(params instanceof URLSearchParams)) return params;
  const clientId = params.get('client_id');
  const clientSecret = params.get('client_secret');
  const grantType = params.get('grant_type');
  if (!clientId || !clientSecret || !grantType) {
    const missing = [!clientId && 'client_id', !clientSecret && 'client_secret', !grantType && 'grant_type'];
    return oauthError(400, 'invalid_request', `missing ${missing.filter(Boolean).join(', ')}`);
  }
  if (grantType !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
  const { appJwt } = context.credentials;
  const known =
    request.params.acct === context.accountId &&
    secretEquals(clientId, appJwt.clientId) &&
    secretEquals(clientSecret, appJwt.clientSecret);
  if (!known) return oauthError(401, 'invalid_client');

  const lifetime = context.tokenLifetime('sentinel.token');
  const iat = Math.floor(Date.now() / 1000);
  const accessToken = context.sentinelKeys.sign({
    aud: context.accountId,
    azp: clientId,
    scope: 'msg.consumer',
    iss: 'Sentinel',
    exp: iat + Math.round(lifetime),
    iat,
    jti: randomUUID(),
  });
  return json(
    200,
    { access_token: accessToken, token_type: 'Bearer', expires_in: String(Math.round(lifetime)) },
    { 'cache-control': 'no-store', pragma: 'no-cache' },
  );
}

/** Sentinel, wire page §4: AppJWT (client credentials) on the v1 and v2 paths, and the JWKS (§4, §5). */
export const sentinelRoutes: readonly RouteDefinition[] = [
  {
    name: 'sentinel.token',
    methods: ['POST'],
    path: '/sentinel/api/account/{acct}/app/token',
    handler: issueAppJwt,
  },
  {
    name: 'sentinel.token',
    methods: ['POST'],
    path: '/sentinel/api/v2/account/{acct}/app/token',
    handler: issueAppJwt,
  },
  {
    name: 'sentinel.jwks',
    methods: ['GET'],
    path: '/sentinel/well-known/jwks',
    // One document for both kinds of Sentinel token: AppJWTs and application-authorization id_tokens.
    handler: (_request, context) =>
      json(200, { keys: [...context.sentinelKeys.jwks().keys, ...context.idTokenKeys.jwks().keys] }),
  },
];
