import { secretEquals } from '../credentials.js';
import type { EmulatorContext } from '../context.js';
import { isJsonObject, json, mediaType, type EmulatorRequest, type EmulatorResponse } from '../http.js';
import { lpError } from '../lp-errors.js';
import { NonceCache, verifyOAuth1, type OAuth1VerifyResult } from '../oauth1-verify.js';
import type { RouteDefinition } from '../router.js';

/** Users the sample API lists: shaped like Account Config's `le-users/users` objects. */
const USERS = [
  { id: '1', pid: 'a1b2c3', loginName: 'agent.one', nickname: 'One', fullName: 'Agent One', userTypeId: 1 },
  { id: '2', pid: 'd4e5f6', loginName: 'bot.two', nickname: 'Two', fullName: 'Bot Two', userTypeId: 2 },
];

/** Checks the request's OAuth 1.0 signature with the key the emulator issued. */
export async function checkOAuth1(
  request: EmulatorRequest,
  context: EmulatorContext,
): Promise<OAuth1VerifyResult> {
  const nonces = context.store('oauth1.nonces', () => new NonceCache());
  const issued = context.credentials.oauth1;
  return verifyOAuth1(
    {
      method: request.method,
      origin: `http://${request.headers.host ?? context.host}`,
      target: `${request.url.pathname}${request.url.search}`,
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      body: await request.text(),
    },
    (consumerKey) => (secretEquals(consumerKey, issued.consumerKey) ? issued : undefined),
    nonces,
  );
}

/**
 * How an OAuth 1.0 failure is answered (wire page §3): 401 with a form-encoded `text/plain` body
 * `oauth_problem=…&oauth_problem_advice=…` (OAuth Problem Reporting).
 */
export function oauth1Problem(result: Extract<OAuth1VerifyResult, { ok: false }>): EmulatorResponse {
  const fields: Record<string, string> = {
    oauth_problem: result.problem,
    oauth_problem_advice: result.advice,
  };
  if (result.parameter) fields.oauth_parameters_absent = result.parameter;
  return {
    status: 401,
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'OAuth realm="LivePerson"' },
  };
}

async function users(request: EmulatorRequest, context: EmulatorContext): Promise<EmulatorResponse> {
  const verified = await checkOAuth1(request, context);
  if (!verified.ok) return oauth1Problem(verified);
  if (request.params.acct !== context.accountId) {
    return lpError(401, `Account ${request.params.acct ?? ''} is not valid for this key`);
  }
  if (request.method === 'GET') return json(200, USERS);
  // POST creates a user from a JSON body (the real API) or a form body (to exercise signed bodies).
  const text = await request.text();
  let fields: Record<string, unknown>;
  if (mediaType(request) === 'application/x-www-form-urlencoded') {
    fields = Object.fromEntries(new URLSearchParams(text));
  } else {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!isJsonObject(parsed)) return lpError(400, 'The body must be a JSON object');
      fields = parsed;
    } catch {
      return lpError(400, 'The body must be JSON or form-encoded');
    }
  }
  return json(201, { id: String(USERS.length + 1), ...fields });
}

/**
 * A protected sample API for LivePerson API keys (OAuth 1.0): Account Config's users,
 * `GET|POST {accountConfigReadOnly}/api/account/{acct}/configuration/le-users/users`, every request
 * verified for real (signature recomputed with the issued secrets, ±300 s timestamps, single-use nonces).
 */
export const oauth1Routes: readonly RouteDefinition[] = [
  {
    name: 'oauth1.api',
    methods: ['GET', 'POST'],
    path: '/api/account/{acct}/configuration/le-users/users',
    handler: users,
  },
];
