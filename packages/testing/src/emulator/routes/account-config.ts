import { appAuthorizationState } from '../app-authorization-state.js';
import { bearerToken, json } from '../http.js';
import { lpError } from '../lp-errors.js';
import type { RouteDefinition } from '../router.js';
import { notExpired } from '../signing-keys.js';

/** The skills the sample API returns: a small, fixed list shaped like Account Config's skill objects. */
const SKILLS = [
  {
    id: 1001,
    name: 'Billing',
    description: 'Billing questions',
    deleted: false,
    maxWaitTime: 120,
    skillOrder: 1,
  },
  {
    id: 1002,
    name: 'Support',
    description: 'Technical support',
    deleted: false,
    maxWaitTime: 120,
    skillOrder: 2,
  },
  { id: 1003, name: 'Sales', description: 'New customers', deleted: false, maxWaitTime: 60, skillOrder: 3 },
] as const;

/**
 * A protected sample API for AppJWT (service `accountConfigReadOnly`): requires
 * `Authorization: Bearer <AppJWT>` signed by a key in the current Sentinel JWKS, unexpired, for
 * this account, issued by Sentinel; or a live application-authorization access token (64 hex, wire
 * page §5) of a user of this account.
 */
export const accountConfigRoutes: readonly RouteDefinition[] = [
  {
    name: 'api.skills',
    methods: ['GET'],
    path: '/api/account/{acct}/configuration/le-users/skills',
    handler: (request, context) => {
      const token = bearerToken(request);
      if (!token) return lpError(401, 'Authorization header with a Bearer token is required', 4010);
      if (/^[0-9a-f]{64}$/.test(token)) {
        const user = appAuthorizationState(context).userOfAccessToken(token);
        if (!user || request.params.acct !== context.accountId) {
          return lpError(401, 'Invalid token: unknown, expired or revoked access token', 4015);
        }
        return json(200, SKILLS, { etag: '"1"' });
      }
      const verified = context.sentinelKeys.verify(token);
      if ('failure' in verified) return lpError(401, `Invalid token: ${verified.failure}`, 4011);
      const { payload } = verified;
      if (!notExpired(payload)) return lpError(401, 'Invalid token: expired', 4012);
      if (payload.iss !== 'Sentinel') return lpError(401, 'Invalid token: wrong issuer', 4013);
      if (payload.aud !== request.params.acct || request.params.acct !== context.accountId) {
        return lpError(401, `Invalid token: not valid for account ${request.params.acct ?? ''}`, 4014);
      }
      return json(200, SKILLS, { etag: '"1"' });
    },
  },
];
