import { randomBytes } from 'node:crypto';
import { DEFAULT_TOKEN_LIFETIME, type EmulatorContext } from './context.js';
import { makeAccountId, makeCredentials } from './credentials.js';
import { FaultInjector } from './faults.js';
import { Router } from './router.js';
import { COMMON_SERVICES, defaultRoutes } from './routes/index.js';
import { appAuthorizationState } from './app-authorization-state.js';
import { loginSessions } from './routes/login.js';
import { EmulatorServer } from './server.js';
import { SigningKeySet } from './signing-keys.js';
import { RouteStats } from './stats.js';
import type {
  Emulator,
  EmulatorLpAuthOptions,
  EmulatorLpAuthCredentials,
  EmulatorOptions,
  TokenRouteName,
} from './types.js';

/** Sentinel's kid style, `appjwt-DD-MM-YY` (wire page §4), with a generation suffix after a rotation. */
function appJwtKid(generation: number): string {
  const now = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${two(now.getUTCDate())}-${two(now.getUTCMonth() + 1)}-${two(now.getUTCFullYear() % 100)}`;
  return generation === 1 ? `appjwt-${date}` : `appjwt-${date}-${generation}`;
}

/** Sentinel's id_token kid style, `idtoken-DD-MM-YY` (wire page §5). */
const idTokenKid = (generation: number) => appJwtKid(generation).replace('appjwt-', 'idtoken-');

/** Cognito's kid style: base64 of 32 bytes. */
const cognitoKid = () => randomBytes(32).toString('base64');

function checkOptions(options: EmulatorOptions): void {
  const { port, accountId, tokenLifetimeSeconds } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new TypeError(`port must be an integer between 0 and 65535, got ${String(port)}`);
  }
  if (accountId !== undefined && !/^[A-Za-z0-9_]{1,20}$/.test(accountId)) {
    throw new TypeError('accountId must be 1-20 letters, digits or underscores, like "12345678"');
  }
  if (
    tokenLifetimeSeconds !== undefined &&
    !(tokenLifetimeSeconds > 0 && Number.isFinite(tokenLifetimeSeconds))
  ) {
    throw new TypeError(
      `tokenLifetimeSeconds must be a positive number, got ${String(tokenLifetimeSeconds)}`,
    );
  }
}

/**
 * Starts a local emulator of LivePerson's authentication endpoints: CSDS, Sentinel's AppJWT and
 * JWKS, Sentinel's application authorization (login page, codes, rotating refresh tokens), a
 * protected sample API, and the Conversation Orchestrator's v1 and v2 Context Service.
 * Tokens are real RS256 JWTs signed with keys generated at start.
 *
 * @example
 * ```ts
 * const emu = await startEmulator();
 * const lp = createLpAuth({ ...emu.lpAuthOptions(), credentials: emu.lpAuthCredentials() });
 * emu.faults.inject('sentinel.token', { status: 503, retryAfterSeconds: 1 });
 * // …
 * await lp.close();
 * await emu.close();
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  checkOptions(options);
  const host = options.host ?? '127.0.0.1';
  const accountId = options.accountId ?? makeAccountId();
  const credentials = makeCredentials(options.credentials);
  const [sentinelKeys, cognitoKeys, idTokenKeys] = await Promise.all([
    SigningKeySet.create(appJwtKid),
    SigningKeySet.create(cognitoKid),
    SigningKeySet.create(idTokenKid),
  ]);
  const router = new Router(defaultRoutes);
  const routeNames = router.names();
  const stats = new RouteStats();
  const faults = new FaultInjector(() => routeNames);
  const services = new Map<string, string>();
  const stores = new Map<string, unknown>();
  let hostPort = ''; // known once listening; no request arrives before that

  const context: EmulatorContext = {
    accountId,
    credentials,
    get host() {
      return hostPort;
    },
    services,
    sentinelKeys,
    idTokenKeys,
    cognitoKeys,
    faults,
    tokenLifetime: (route: TokenRouteName) => {
      const seconds =
        faults.lifetimeOf(route) ?? options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME[route];
      return Math.max(1, Math.round(seconds));
    },
    store: <T>(key: string, create: () => T): T => {
      if (!stores.has(key)) stores.set(key, create());
      return stores.get(key) as T;
    },
  };

  const sessions = loginSessions(context);
  const userAuthorizations = appAuthorizationState(context);
  for (const uri of credentials.appAuthorization.redirectUris) userAuthorizations.redirectUris.add(uri);
  if (options.loginIdleTimeoutMs !== undefined) {
    if (!(options.loginIdleTimeoutMs > 0 && Number.isFinite(options.loginIdleTimeoutMs))) {
      throw new TypeError(
        `loginIdleTimeoutMs must be a positive number, got ${String(options.loginIdleTimeoutMs)}`,
      );
    }
    sessions.idleTimeoutMs = options.loginIdleTimeoutMs;
  }
  const server = new EmulatorServer({ router, context, stats, faults });
  const port = await server.listen(options.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  hostPort = `${urlHost}:${port}`;
  const url = `http://${hostPort}`;
  for (const service of COMMON_SERVICES) services.set(service, hostPort);
  for (const [service, baseURI] of Object.entries(options.services ?? {})) {
    if (baseURI === null) services.delete(service);
    else services.set(service, baseURI);
  }

  return {
    url,
    port,
    accountId,
    credentials,
    stats,
    faults,
    rotateSigningKey: (rotate = {}) => sentinelKeys.rotate(rotate.dropOld ?? false),
    loginSessions: { count: () => sessions.count(), dropAll: () => sessions.dropAll() },
    appAuthorization: {
      registerRedirectUri: (uri: string) => {
        if (!URL.canParse(uri) || !/^https?:$/.test(new URL(uri).protocol) || uri.includes('#')) {
          throw new TypeError(
            `a redirect URI must be an absolute http(s) URL without a fragment, got "${uri}"`,
          );
        }
        credentials.appAuthorization.redirectUris.push(uri);
        userAuthorizations.redirectUris.add(uri);
      },
      liveSessions: () => userAuthorizations.liveSessions(),
    },
    lpAuthOptions: (): EmulatorLpAuthOptions => ({
      accountId,
      csds: { baseUrl: url },
      domains: { orchestratorContext: url, orchestratorCcs: url, orchestratorAskMaven: url },
    }),
    lpAuthCredentials: (): EmulatorLpAuthCredentials => ({
      appJwt: { ...credentials.appJwt },
      orchestratorV1: { ...credentials.orchestratorV1 },
      orchestratorV2: { ...credentials.orchestratorV2 },
      oauth1: { ...credentials.oauth1 },
      login: { username: credentials.login.username, password: credentials.login.password },
    }),
    close: () => server.close(),
  };
}
