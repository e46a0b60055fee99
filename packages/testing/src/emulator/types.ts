/**
 * Public types of the LivePerson emulator: its options, the handle `startEmulator` resolves to,
 * and the fault descriptions tests use to make it misbehave.
 */

/** Route names of the emulator's first part. Later modules add their own names. */
export type KnownRouteName =
  | 'csds.all'
  | 'csds.one'
  | 'sentinel.token'
  | 'sentinel.jwks'
  | 'sentinel.authorize'
  | 'sentinel.authorize.login'
  | 'sentinel.userToken'
  | 'sentinel.revoke'
  | 'api.skills'
  | 'co.v1.context'
  | 'co.v2.login'
  | 'co.v2.context'
  | 'oauth1.api'
  | 'login.login'
  | 'login.refresh'
  | 'login.logout'
  | 'login.api'
  | 'idp.consumer'
  | 'send.conversation'
  | 'send.message';

/** A route name: one of {@link KnownRouteName}, or a name a later route module registers. */
export type RouteName = KnownRouteName | (string & {});

/** Routes that issue tokens, whose lifetime {@link EmulatorFaults.tokenLifetime} can shorten. */
export type TokenRouteName = 'sentinel.token' | 'sentinel.userToken' | 'co.v2.login';

/** The credentials the emulator accepts, shaped like `@lp-auth/core`'s `credentials` option. */
export interface EmulatorCredentials {
  /** OAuth 2.0 client credentials for Sentinel's AppJWT. */
  appJwt: { clientId: string; clientSecret: string };
  /** Conversation Orchestrator v1 `maven-api-key`. */
  orchestratorV1: { apiKey: string };
  /** Conversation Orchestrator v2 login (HTTP Basic). */
  orchestratorV2: { username: string; password: string };
  /** A LivePerson API key (OAuth 1.0): four parts of 32 lowercase hex characters. */
  oauth1: { consumerKey: string; consumerSecret: string; token: string; tokenSecret: string };
  /** Login Service user login; `userId` is what the login answer's `config.userId` says. */
  login: { username: string; password: string; userId: string };
  /**
   * Login Service bot user. It logs in with the `oauth1` key's four parts (appKey, secret,
   * accessToken, accessTokenSecret), or with the `appJwt` client id and secret and `"dummy"` token parts.
   */
  loginBot: { username: string; userId: string };
  /**
   * Application authorization (authorization code, wire page §5): the client, and the redirect URIs
   * registered for it (compared exactly). Users log in on the emulator's page as the `login` user.
   */
  appAuthorization: { clientId: string; clientSecret: string; redirectUris: string[] };
}

/** Partial overrides of {@link EmulatorCredentials}; anything left out is random. */
export interface EmulatorCredentialOverrides {
  appJwt?: Partial<EmulatorCredentials['appJwt']>;
  orchestratorV1?: Partial<EmulatorCredentials['orchestratorV1']>;
  orchestratorV2?: Partial<EmulatorCredentials['orchestratorV2']>;
  oauth1?: Partial<EmulatorCredentials['oauth1']>;
  login?: Partial<EmulatorCredentials['login']>;
  loginBot?: Partial<EmulatorCredentials['loginBot']>;
  appAuthorization?: Partial<EmulatorCredentials['appAuthorization']>;
}

/** Options of {@link startEmulator}. Every field is optional. */
export interface EmulatorOptions {
  /** TCP port; default a random free port. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** The account (site) id the emulator serves; default a random 8-digit numeric string. */
  accountId?: string;
  /** Credentials to accept instead of random ones (partial overrides). */
  credentials?: EmulatorCredentialOverrides;
  /**
   * CSDS entries to override: a host (`"127.0.0.1:9999"`) replaces a service's baseURI, `null`
   * removes the service (to test an absent service), a new name adds one.
   */
  services?: Record<string, string | null>;
  /**
   * Lifetime in seconds of every token the emulator issues (LivePerson: AppJWT 1 hour, Orchestrator
   * v2 24 hours). {@link EmulatorFaults.tokenLifetime} wins over this per route.
   */
  tokenLifetimeSeconds?: number;
  /** Login Service: a session not refreshed (`/refresh`) for this long ends. Default 600 000 (10 minutes). */
  loginIdleTimeoutMs?: number;
}

/**
 * A fault to inject on a route. With `status` the route answers that status without running;
 * with `drop` the socket is destroyed without a response; with only `latencyMs` the route is
 * delayed, then served normally.
 */
export interface Fault {
  /** HTTP status to answer instead of the route. */
  status?: number;
  /** Body of the faulted response (JSON unless a string); default a LivePerson-style error body. */
  body?: unknown;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Sets `Retry-After` (seconds). */
  retryAfterSeconds?: number;
  /** Delay before answering (or before dropping). */
  latencyMs?: number;
  /** Destroy the socket without a response. */
  drop?: boolean;
  /** How many requests this fault applies to; default 1; `Infinity` allowed. */
  times?: number;
  /**
   * Token routes only: the route answers normally, but the JWT it issues expired a minute ago while
   * `expires_in` still says it is fresh (a clock-skewed or misbehaving token server).
   */
  expiredToken?: boolean;
}

/** The kinds of failure {@link EmulatorFaults.chaos} draws from. */
export type ChaosKind = 'status5xx' | 'rateLimited' | 'drop' | 'stall' | 'malformedJson' | 'expiredToken';

/** Options of {@link EmulatorFaults.chaos}: random faults on every call, reproducible by `seed`. */
export interface ChaosOptions {
  /** Share of calls that fail, 0 to 1. */
  rate: number;
  /** Seed of the pseudo-random sequence; the same seed and call order give the same faults. */
  seed?: number;
  /** Kinds to draw from, equally likely; default all. `expiredToken` applies to token routes only. */
  kinds?: readonly ChaosKind[];
  /** Routes left alone; default none. */
  spare?: readonly RouteName[];
  /** Latency of a `stall`, ms. Default 2000. */
  stallMs?: number;
}

/** Calls per route, counting every request that reached a route (failed and faulted ones too). */
export interface EmulatorStats {
  /** Calls to `route` since start or the last {@link EmulatorStats.reset}. */
  count(route: RouteName): number;
  /** Every route called at least once, with its count. */
  snapshot(): Record<string, number>;
  /** Sets every count back to zero. */
  reset(): void;
}

/** Makes the emulator misbehave. */
export interface EmulatorFaults {
  /**
   * Queues `fault` on `route`; faults on one route are consumed in the order they were injected.
   * @throws TypeError when the route name is unknown or the fault is malformed
   */
  inject(route: RouteName, fault: Fault): void;
  /** Removes every queued fault and every token lifetime override. */
  clear(): void;
  /**
   * Shortens (or lengthens) the lifetime of the tokens `route` issues, `expires_in` included.
   * `null` restores the default.
   */
  tokenLifetime(route: TokenRouteName, seconds: number | null): void;
  /**
   * Random faults on every route (queued faults still come first): 500/502/503, 429 with
   * `Retry-After: 1`, dropped connections, stalls, truncated JSON, expired tokens sold as fresh.
   * `null` stops them. {@link EmulatorFaults.clear} stops them too.
   */
  chaos(options: ChaosOptions | null): void;
  /** How many faults chaos has injected since it was last started, per kind (on `route`, or on all). */
  chaosCounts(route?: RouteName): Record<string, number>;
}

/** Options of {@link Emulator.rotateSigningKey}. */
export interface RotateSigningKeyOptions {
  /** Remove the previous keys from the JWKS, so tokens they signed stop verifying. Default false. */
  dropOld?: boolean;
}

/** The options `@lp-auth/core`'s `createLpAuth` needs to talk to this emulator (credentials aside). */
export interface EmulatorLpAuthOptions {
  accountId: string;
  csds: { baseUrl: string };
  domains: { orchestratorContext: string; orchestratorCcs: string; orchestratorAskMaven: string };
}

/** {@link Emulator.lpAuthCredentials}: every credential, in the shape `createLpAuth` accepts. */
export interface EmulatorLpAuthCredentials {
  appJwt: EmulatorCredentials['appJwt'];
  orchestratorV1: EmulatorCredentials['orchestratorV1'];
  orchestratorV2: EmulatorCredentials['orchestratorV2'];
  oauth1: EmulatorCredentials['oauth1'];
  login: { username: string; password: string };
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly accountId: string;
  readonly credentials: EmulatorCredentials;
  readonly stats: EmulatorStats;
  readonly faults: EmulatorFaults;
  /**
   * Generates a new Sentinel signing key (new `kid`) used for every AppJWT from now on. The old key
   * stays in the JWKS unless `dropOld` is set.
   * @returns the new key's `kid`
   */
  rotateSigningKey(options?: RotateSigningKeyOptions): Promise<string>;
  /** Login Service sessions: how many are live, and a way to end them all (as a server restart would). */
  readonly loginSessions: { count(): number; dropAll(): number };
  /** Application authorization (wire page §5). */
  readonly appAuthorization: EmulatorAppAuthorization;
  /** Plain options for `createLpAuth` pointing CSDS and the Orchestrator hosts at this emulator. */
  lpAuthOptions(): EmulatorLpAuthOptions;
  /**
   * The emulator's credentials as `@lp-auth/core`'s `credentials` option takes them: AppJWT,
   * Orchestrator v1 and v2, the OAuth 1.0 key, and the Login Service user login.
   */
  lpAuthCredentials(): EmulatorLpAuthCredentials;
  /** Closes the server and every open socket (keep-alive ones too). */
  close(): Promise<void>;
}

/** {@link Emulator.appAuthorization}: the authorization-code client's registration and sessions. */
export interface EmulatorAppAuthorization {
  /**
   * Registers one more redirect URI for the client, for apps whose address is known only once they
   * listen. Authorize and token requests compare `redirect_uri` with these exactly.
   */
  registerRedirectUri(uri: string): void;
  /** User sessions (token families) not revoked. */
  liveSessions(): number;
}
