/** A running app built by an adapter for the conformance cases. */
export interface ConformanceApp {
  /** Base URL, `http://127.0.0.1:PORT`. */
  url: string;
  /** Closes the server and the adapter (which closes the core it built: timers, sessions). */
  close(): Promise<void>;
}

/**
 * What an adapter's test supplies so that the shared cases can run against it. `start` builds an app
 * with the adapter set up from `options` (the core's options, as a plain object, passed to the
 * adapter's one-line setup), plus these routes, each written the way a user of that framework would:
 *
 * - `GET /account` → 200 `{ accountId, clients }`: the account id from the request context's `auth`,
 *   and the sorted names of the clients on the request context.
 * - `GET /skills` → 200 with the data of `clients.appJwt.request({ service: 'accountConfigReadOnly',
 *   path: CONFORMANCE_SKILLS_PATH })`; errors go to the framework (and the adapter).
 * - `POST /agent-session` → 200 with the data of `clients.login.request({ service: 'agentVep',
 *   path: CONFORMANCE_AGENT_SESSION_PATH, method: 'POST', query: { v: 1, NC: true } })`.
 * - `GET /not-ours` → throws `new Error('not ours')` (left to the framework's own handling).
 *
 * Consumer identity (the cases pass a `consumer` option; errors go to the adapter, never handled here):
 *
 * - `GET /consumer` → the adapter's `requireConsumer()` → 200 `{ sub, issuer }` of the verified consumer.
 * - `GET /consumer/optional` → `optionalConsumer()` → 200 `{ sub }`, `sub: null` without a consumer.
 * - `GET /consumer/vip` → `requireConsumer()` then `consumerClaimEquals('tier', 'vip')` → 200 `{ sub }`.
 * - `GET /consumer/beta` → `requireConsumer()` then `consumerClaimIncludes('groups', 'beta')` → 200 `{ sub }`.
 * - `GET /consumer/header` → `requireConsumer({ getToken })` reading the `x-consumer-token` header
 *   (`CONFORMANCE_TOKEN_HEADER`) → 200 `{ sub, issuer }`.
 *
 * Application authorization (the cases pass an `appAuthorization` option whose redirect URI is
 * `http://127.0.0.1:{port}/auth/callback`): the adapter's own login routes (`GET /auth/login`, the
 * callback, `POST /auth/logout`) and these:
 *
 * - `GET /me` → 200 `{ user }`: the logged-in user's id (`user.user.id`), or `null`.
 * - `GET /me/skills` → 200 with the data of `user.client.request({ service: 'accountConfigReadOnly',
 *   path: CONFORMANCE_SKILLS_PATH })`, or 401 `{ error: 'login_required' }` without a user.
 *
 * Error handling: `options.errorResponse`, when present, is not a core option: it goes to the
 * adapter's error handling (`lpErrorHandler(errorResponse)`, Koa's `lpAuth(options, { errorResponse })`,
 * the Fastify plugin's and the Nest module's `errorResponse` option).
 *
 * `start` rejects when the adapter refuses the options (it must, at start-up, for invalid ones).
 */
export interface ConformanceHarness {
  /** The setup's name in test titles: `express`, `koa`, `nestjs (fastify)`, … */
  name: string;
  /**
   * Builds and starts the app. `listen.port`, when given, is the loopback port the app must listen
   * on (it is in the redirect URI the cases register); otherwise any free port. When it throws (a
   * taken port's `EADDRINUSE`, which the cases answer by trying another port), it has closed what it
   * built.
   */
  start(options: Record<string, unknown>, listen?: { port?: number }): Promise<ConformanceApp>;
}

export const CONFORMANCE_SKILLS_PATH = '/api/account/{accountId}/configuration/le-users/skills';
export const CONFORMANCE_AGENT_SESSION_PATH = '/api/account/{accountId}/agentSession';

/** One shared case: a title and a body that throws (node:assert) when the adapter diverges. */
export interface ConformanceCase {
  title: string;
  run(harness: ConformanceHarness): Promise<void>;
}
