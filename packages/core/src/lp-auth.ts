import { inspect } from 'node:util';
import { ClosedError, ConfigError } from './errors/index.js';
import { optionsFromEnv } from './config/env.js';
import { adaptLogger, stderrLogger, type Logger } from './support/logger.js';
import { resolveOptions, type LpAuthOptions, type ResolvedOptions } from './config/options.js';
import { AppAuthorization } from './app-authorization/app-authorization.js';
import type { CredentialRuntime } from './credentials/credential.js';
import { buildCredentials, type CredentialKind } from './credentials/kinds.js';
import type { Credential } from './http/credential.js';
import { DomainResolver } from './domains/csds.js';
import { LpClient } from './http/lp-client.js';
import { MemoryTokenStore, type TokenStore } from './tokens/store.js';
import { LpAuthEventBus, type LpAuthEventName, type LpAuthListener } from './support/events.js';
import { ConsumerVerifier } from './consumer/verifier.js';

/** One authorized client per configured credential (a key per {@link CredentialKind}). */
export interface LpClients extends Partial<Record<CredentialKind, LpClient>> {
  appJwt?: LpClient;
  orchestratorV1?: LpClient;
  orchestratorV2?: LpClient;
  /** Requests signed with a LivePerson API key (OAuth 1.0, legacy). */
  oauth1?: LpClient;
  /** Requests with the Login Service bearer (`credential` is a `LoginCredential`: `session()`). */
  login?: LpClient;
}

/**
 * The wired library: clients, domains and store for one account. Build it once per process
 * (adapters do), and `close()` it on shutdown.
 */
export interface LpAuth {
  readonly accountId: string;
  readonly clients: Readonly<LpClients>;
  readonly domains: DomainResolver;
  readonly store: TokenStore;
  readonly logger: Logger;
  /** The validated options, secrets redacted when printed. */
  readonly options: ResolvedOptions;
  /** The consumer id_token verifier, when the `consumer` option is set (`requireConsumer()` uses it). */
  readonly consumer?: ConsumerVerifier;
  /**
   * Application authorization (LivePerson users logging in to your app), when the
   * `appAuthorization` option is set: authorize URL, code exchange, user sessions, revoke.
   */
  readonly appAuthorization?: AppAuthorization;
  /** The client for `kind`, or a `config_invalid` error saying how to configure it. */
  client(kind: keyof LpClients): LpClient;
  /**
   * Subscribes to an event (`token.refreshed`, `token.failed`, `jwks.refreshed`, `jwks.stale`,
   * `consumer.rejected`); returns a function that unsubscribes. Payloads never hold a secret.
   * @example `lp.on('token.failed', (e) => metrics.increment('lp_token_failed', { code: e.code }))`
   */
  on<E extends LpAuthEventName>(event: E, listener: LpAuthListener<E>): () => void;
  off<E extends LpAuthEventName>(event: E, listener: LpAuthListener<E>): void;
  /** The bus the parts of this instance emit on (for adapters and extensions). */
  readonly events: LpAuthEventBus;
  /** Stops timers and retries, logs out of sessions, closes the store if this instance owns it. */
  close(): Promise<void>;
  readonly closed: boolean;
}

/**
 * Builds an {@link LpAuth} from options (validated now; a bad field throws `ConfigError` naming it).
 * Without options it reads the `LP_*` environment variables.
 *
 * @example
 * ```ts
 * const lp = createLpAuth({
 *   accountId: '12345678',
 *   credentials: { appJwt: { clientId: process.env.CLIENT_ID!, clientSecret: process.env.CLIENT_SECRET! } },
 * });
 * const { data } = await lp.clients.appJwt!.request({
 *   service: 'accountConfigReadOnly',
 *   path: '/api/account/{accountId}/configuration/le-users/skills',
 * });
 * await lp.close();
 * ```
 */
export function createLpAuth(options?: LpAuthOptions): LpAuth {
  const resolved = resolveOptions(options ?? (optionsFromEnv() as LpAuthOptions));
  let logger: Logger;
  try {
    logger = resolved.logger ? adaptLogger(resolved.logger) : stderrLogger;
  } catch (error) {
    throw new ConfigError('logger', (error as Error).message);
  }
  const ownsStore = !resolved.store;
  const store = resolved.store ?? new MemoryTokenStore();
  const fetchFn = resolved.http.fetch ?? ((input, init) => fetch(input, init));
  const domains = new DomainResolver({
    accountId: resolved.accountId,
    csdsUrl: resolved.csds.baseUrl,
    overrides: resolved.domains,
    ttlMs: resolved.csds.ttlMs,
    staleIfErrorMs: resolved.csds.staleIfErrorMs,
    timeoutMs: resolved.http.timeoutMs,
    fetch: fetchFn,
    logger,
  });
  const events = new LpAuthEventBus(logger);
  const runtime: CredentialRuntime = {
    events,
    accountId: resolved.accountId,
    domains,
    fetch: fetchFn,
    // request() goes through undici's dispatcher API unless a fetch is configured (a proxy, an
    // instrumentation): then every exchange keeps to that fetch.
    requestTransport: resolved.http.fetch ? 'fetch' : 'undici',
    store,
    logger,
    retry: resolved.http.retry,
    timeoutMs: resolved.http.timeoutMs,
    maxResponseBytes: resolved.http.maxResponseBytes,
    now: Date.now,
  };
  const credentials: Credential[] = [];
  const clients: LpClients = {};
  const closers: (() => void)[] = [];
  for (const [kind, built] of buildCredentials(resolved.credentials, runtime)) {
    credentials.push(built.credential);
    clients[kind] = new LpClient(built.credential, runtime, built.clientOptions);
    if (built.close) closers.push(() => void built.close!());
  }
  const consumer = resolved.consumer
    ? new ConsumerVerifier(resolved.consumer, { fetch: fetchFn, logger, events, now: Date.now })
    : undefined;
  if (consumer) closers.push(() => consumer.close());
  const appAuthorization = resolved.appAuthorization
    ? new AppAuthorization(resolved.appAuthorization, runtime)
    : undefined;
  if (appAuthorization) closers.push(() => void appAuthorization.close());
  Object.freeze(clients);

  let closed = false;
  const lp: LpAuth = {
    accountId: resolved.accountId,
    clients,
    domains,
    store,
    logger,
    options: resolved,
    ...(consumer ? { consumer } : {}),
    ...(appAuthorization ? { appAuthorization } : {}),
    events,
    on: (event, listener) => events.on(event, listener),
    off: (event, listener) => events.off(event, listener),
    client(kind) {
      if (closed) throw new ClosedError('LpAuth');
      const client = clients[kind];
      if (!client) {
        throw new ConfigError(
          `credentials.${kind}`,
          `no ${kind} credential is configured, so lp.clients.${kind} does not exist.`,
        );
      }
      return client;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const close of closers) close();
      await Promise.allSettled(credentials.map((credential) => credential.close()));
      if (ownsStore) await store.close?.();
    },
    get closed() {
      return closed;
    },
  };
  Object.defineProperty(lp, inspect.custom, {
    enumerable: false,
    value: () =>
      `LpAuth { accountId: '${resolved.accountId}', clients: [${Object.keys(clients).join(', ')}] }`,
  });
  return lp;
}
