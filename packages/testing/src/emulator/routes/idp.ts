import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { isJsonObject, json, readJson, type EmulatorRequest, type EmulatorResponse } from '../http.js';
import { lpError } from '../lp-errors.js';
import type { RouteDefinition } from '../router.js';
import { SigningKeySet, notExpired } from '../signing-keys.js';

/** The IdP's state: its own signing key for ConsumerJWS, and a stable `lp_consumer_id` per consumer. */
interface IdpState {
  keys: Promise<SigningKeySet>;
  consumers: Map<string, string>;
}

export const idpState = (context: EmulatorContext): IdpState =>
  context.store('idp', () => ({
    keys: SigningKeySet.create((n) => `consumerjws-${n}`),
    consumers: new Map<string, string>(),
  }));

/**
 * Checks an AppJWT presented raw in `Authorization` (no `Bearer`, as LivePerson's Send API and IdP
 * clients send it): signed by Sentinel's current keys, unexpired, issued by Sentinel, for this account.
 * Returns the token's claims, or why it failed.
 */
export function verifyRawAppJwt(
  authorization: string | undefined,
  context: EmulatorContext,
): { claims: Record<string, unknown> } | { failure: string } {
  if (!authorization) return { failure: 'missing' };
  if (/^Bearer\s/i.test(authorization)) return { failure: 'the AppJWT must be sent raw, without "Bearer"' };
  const verified = context.sentinelKeys.verify(authorization.trim());
  if ('failure' in verified) return verified;
  const { payload } = verified;
  if (!notExpired(payload)) return { failure: 'expired' };
  if (typeof payload.iss !== 'string' || payload.iss.toLowerCase() !== 'sentinel')
    return { failure: 'wrong issuer' };
  if (payload.aud !== context.accountId) return { failure: 'not for this account' };
  return { claims: payload };
}

async function issueConsumerJws(
  request: EmulatorRequest,
  context: EmulatorContext,
): Promise<EmulatorResponse> {
  if (request.url.searchParams.get('v') !== '1.0') return lpError(400, 'query parameter v=1.0 is required');
  if (request.params.acct !== context.accountId)
    return lpError(401, `Account ${request.params.acct ?? ''} is not valid`);
  const app = verifyRawAppJwt(request.headers.authorization, context);
  if ('failure' in app) return lpError(401, `Invalid AppJWT: ${app.failure}`);
  const body = await readJson(request);
  const extConsumerId = isJsonObject(body) ? body.ext_consumer_id : undefined;
  if (typeof extConsumerId !== 'string' || extConsumerId === '') {
    return lpError(400, 'The body must be {"ext_consumer_id":"…"}');
  }
  const state = idpState(context);
  let lpConsumerId = state.consumers.get(extConsumerId);
  if (!lpConsumerId) state.consumers.set(extConsumerId, (lpConsumerId = randomUUID()));
  // LivePerson's sample payload; no exp (a ConsumerJWS does not expire by itself).
  const token = (await state.keys).sign({
    account_id: context.accountId,
    ext_consumer_id: extConsumerId,
    lp_consumer_id: lpConsumerId,
    iat: Math.floor(Date.now() / 1000),
  });
  return json(201, { token });
}

/** LivePerson's IdP, wire page §4 (service `idp`): a ConsumerJWS for a consumer, for an AppJWT. */
export const idpRoutes: readonly RouteDefinition[] = [
  {
    name: 'idp.consumer',
    methods: ['POST'],
    path: '/api/account/{acct}/consumer',
    handler: issueConsumerJws,
  },
];
