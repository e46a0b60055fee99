import { PENDING_TTL_MS, appAuthorizationState } from '../app-authorization-state.js';
import type { EmulatorContext } from '../context.js';
import { secretEquals } from '../credentials.js';
import { mediaType, type EmulatorRequest, type EmulatorResponse } from '../http.js';
import { lpError } from '../lp-errors.js';
import type { RouteDefinition } from '../router.js';
import { loginPage } from './login-page.js';

/** RFC 7636 §4.2: a code challenge is 43–128 characters of the unreserved set. */
const CODE_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

const redirect = (location: string): EmulatorResponse => ({
  status: 302,
  headers: { location, 'cache-control': 'no-store' },
});

/** `redirectUri` with the given query parameters added (RFC 6749 §4.1.2: keep its own query). */
function withQuery(redirectUri: string, params: Record<string, string>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

const loginPath = (acct: string) => `/sentinel/api/account/${encodeURIComponent(acct)}/authorize/login`;

/**
 * `GET /sentinel/api/account/{acct}/authorize?v=1.0&response_type=code&client_id&redirect_uri&state`
 * (wire page §5). Errors that make the redirect URI untrustworthy are answered here (400, 401);
 * later ones go back to the redirect URI as `error=…`, as RFC 6749 §4.1.2.1 asks. A good request
 * is kept, and the browser sent on to the login page.
 */
function authorize(request: EmulatorRequest, context: EmulatorContext): EmulatorResponse {
  const q = request.url.searchParams;
  if (q.get('v') !== '1.0') return lpError(400, 'query parameter v=1.0 is required');
  if (request.params.acct !== context.accountId) {
    return lpError(401, `Account ${request.params.acct ?? ''} is not valid`);
  }
  const clientId = q.get('client_id');
  if (!clientId) return lpError(400, 'query parameter client_id is required');
  if (!secretEquals(clientId, context.credentials.appAuthorization.clientId)) {
    return lpError(401, 'Unknown client_id');
  }
  const state = appAuthorizationState(context);
  const given = q.get('redirect_uri');
  let redirectUri: string;
  if (given !== null) {
    // Exact string comparison with a registered URI: no prefix, no normalisation (Security BCP §4.1.3).
    if (!state.redirectUris.has(given)) return lpError(400, 'redirect_uri is not registered for this client');
    redirectUri = given;
  } else {
    if (state.redirectUris.size !== 1) {
      return lpError(400, 'redirect_uri is required (the client has no single registered redirect URI)');
    }
    redirectUri = [...state.redirectUris][0]!;
  }
  const back = (error: string, description: string) =>
    redirect(
      withQuery(redirectUri, {
        error,
        error_description: description,
        ...(q.get('state') !== null ? { state: q.get('state')! } : {}),
      }),
    );
  if (q.get('response_type') !== 'code') {
    return back('unsupported_response_type', 'response_type must be "code"');
  }
  const clientState = q.get('state');
  if (!clientState) return back('invalid_request', 'state is required');
  const challenge = q.get('code_challenge');
  const method = q.get('code_challenge_method');
  if (challenge !== null || method !== null) {
    if (method !== 'S256') return back('invalid_request', 'code_challenge_method must be S256');
    if (challenge === null || !CODE_CHALLENGE.test(challenge)) {
      return back('invalid_request', 'code_challenge must be 43-128 base64url characters');
    }
  }
  const scope = q.get('scope');
  const id = state.addPending({
    clientId,
    redirectUri,
    redirectUriGiven: given !== null,
    state: clientState,
    ...(challenge ? { codeChallenge: challenge } : {}),
    ...(scope ? { scope } : {}),
    expiresAt: Date.now() + PENDING_TTL_MS,
  });
  return redirect(`http://${context.host}${loginPath(context.accountId)}?request_id=${id}`);
}

/** `GET …/authorize/login?request_id=…`: the login form of a pending authorize request. */
function showLogin(request: EmulatorRequest, context: EmulatorContext): EmulatorResponse {
  const requestId = request.url.searchParams.get('request_id');
  if (!appAuthorizationState(context).pending(requestId)) {
    return lpError(400, 'The login request is unknown or has expired; start again from the application');
  }
  return loginPage({
    action: loginPath(context.accountId),
    requestId: requestId!,
    accountId: context.accountId,
  });
}

/**
 * `POST …/authorize/login` (form): right user name and password → a code, and the browser back to
 * the redirect URI with `code` and `state`; cancel → `error=access_denied`; wrong → the form again.
 */
async function submitLogin(request: EmulatorRequest, context: EmulatorContext): Promise<EmulatorResponse> {
  if (mediaType(request) !== 'application/x-www-form-urlencoded') {
    return lpError(415, 'The login form must be posted as application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(await request.text());
  const requestId = form.get('request_id') ?? '';
  const state = appAuthorizationState(context);
  const pending = state.pending(requestId);
  if (!pending) {
    return lpError(400, 'The login request is unknown or has expired; start again from the application');
  }
  if (form.get('action') === 'cancel') {
    state.takePending(requestId);
    return redirect(
      withQuery(pending.redirectUri, {
        error: 'access_denied',
        error_description: 'the user cancelled the login',
        state: pending.state,
      }),
    );
  }
  const { login } = context.credentials;
  const ok =
    secretEquals(form.get('username') ?? '', login.username) &&
    secretEquals(form.get('password') ?? '', login.password);
  if (!ok) {
    return loginPage({
      action: loginPath(context.accountId),
      requestId,
      accountId: context.accountId,
      error: 'Wrong user name or password.',
      status: 401,
    });
  }
  state.takePending(requestId);
  const code = state.issueCode(pending, login.userId);
  return redirect(withQuery(pending.redirectUri, { code, state: pending.state }));
}

/** Sentinel's authorize endpoint and the emulator's login page (wire page §5). */
export const sentinelAuthorizeRoutes: readonly RouteDefinition[] = [
  {
    name: 'sentinel.authorize',
    methods: ['GET'],
    path: '/sentinel/api/account/{acct}/authorize',
    handler: authorize,
  },
  {
    name: 'sentinel.authorize.login',
    methods: ['GET'],
    path: '/sentinel/api/account/{acct}/authorize/login',
    handler: showLogin,
  },
  {
    name: 'sentinel.authorize.login',
    methods: ['POST'],
    path: '/sentinel/api/account/{acct}/authorize/login',
    handler: submitLogin,
  },
];
