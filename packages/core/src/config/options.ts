import { inspect } from 'node:util';
import { ConfigError } from '../errors/index.js';
import type { AppJwtOptions } from '../credentials/app-jwt.js';
import type {
  AppAuthorizationOptions,
  ResolvedAppAuthorizationOptions,
} from '../credentials/app-authorization.js';
import { resolveAppAuthorizationOptions } from '../credentials/app-authorization-options.js';
import type { LoginOptions } from '../credentials/login.js';
import type { OAuth1Options } from '../credentials/oauth1.js';
import type { OrchestratorV1Options } from '../credentials/orchestrator-v1.js';
import type { OrchestratorV2Options } from '../credentials/orchestrator-v2.js';
import {
  resolveConsumerOptions,
  type ConsumerVerifierOptions,
  type ResolvedConsumerOptions,
} from '../consumer/options.js';
import { DEFAULT_CSDS_URL } from '../domains/csds.js';
import { parseRegion } from '../domains/regions.js';
import type { FetchFn } from '../http/send.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../http/backoff.js';
import type { TokenStore } from '../tokens/store.js';
import type { Logger } from '../support/logger.js';
import { secret, REDACTED, type Secret } from '../support/secret.js';
import { parseBaseUrl } from '../support/url.js';

/** The credentials an `LpAuth` builds clients for; each present key becomes `lp.clients.<key>`. */
export interface CredentialsOptions {
  appJwt?: AppJwtOptions;
  orchestratorV1?: OrchestratorV1Options;
  orchestratorV2?: OrchestratorV2Options;
  /** A LivePerson API key (OAuth 1.0, legacy). */
  oauth1?: OAuth1Options;
  /** Login Service: a user (`password`) or a bot (`appKey` + `secret`). */
  login?: LoginOptions;
}

/**
 * Everything `createLpAuth` takes. Only `accountId` is required; the rest have defaults.
 * Any of it can come from `LP_*` environment variables instead (see `optionsFromEnv`).
 */
export interface LpAuthOptions {
  /** The LivePerson account (site) id. */
  accountId: string;
  credentials?: CredentialsOptions;
  csds?: {
    /** Where CSDS is. Default `https://api.liveperson.net`. http only for loopback hosts. */
    baseUrl?: string;
    /** How long CSDS answers are fresh. Default 600 000 (10 minutes). */
    ttlMs?: number;
    /** How long past the TTL the last good answer serves while CSDS fails. Default 3 600 000. */
    staleIfErrorMs?: number;
  };
  /** Fixed base URLs per service, winning over CSDS and the Orchestrator's regional hosts. */
  domains?: Record<string, string>;
  http?: {
    /**
     * Deadline of one HTTP exchange, headers and body, in ms. Default 10 000. A call's own
     * `timeoutMs` (on `request`/`fetch`) bounds the whole call instead, token fetch and retries included.
     */
    timeoutMs?: number;
    /** The largest API answer `request`/`fetch` read, in bytes. Default 33 554 432 (32 MiB). */
    maxResponseBytes?: number;
    retry?: Partial<RetryPolicy>;
    /** A fetch implementation (for proxies or instrumentation). Default the global fetch. */
    fetch?: FetchFn;
  };
  /** Where tokens are kept. Default: in this process's memory. */
  store?: TokenStore;
  /** Where warnings go. Default: stderr, warnings and errors only. */
  logger?: Logger;
  /**
   * Application authorization: LivePerson users log in to your app (OAuth 2.0 authorization code,
   * `lp.appAuthorization`, and the adapters' login routes). Default: off.
   */
  appAuthorization?: AppAuthorizationOptions;
  /**
   * Verify the id_tokens your identity provider issues to consumers (`lp.consumer`, and
   * `requireConsumer()` in the adapters). Default: no verifier.
   */
  consumer?: ConsumerVerifierOptions;
}

/** Options after validation: URLs parsed, secrets wrapped, defaults applied. Prints no secret. */
export interface ResolvedOptions {
  accountId: string;
  credentials: {
    appJwt?: AppJwtOptions & { clientSecret: Secret };
    orchestratorV1?: OrchestratorV1Options & { apiKey: Secret };
    orchestratorV2?: OrchestratorV2Options & { password: Secret };
    oauth1?: OAuth1Options & { consumerSecret: Secret; tokenSecret: Secret };
    login?: LoginOptions & { keepaliveIntervalMs: number; logoutOnClose: boolean };
  };
  csds: { baseUrl: string; ttlMs: number; staleIfErrorMs: number };
  domains: Record<string, string>;
  http: { timeoutMs: number; maxResponseBytes: number; retry: RetryPolicy; fetch?: FetchFn };
  store?: TokenStore;
  logger?: Logger;
  consumer?: ResolvedConsumerOptions;
  appAuthorization?: ResolvedAppAuthorizationOptions;
}

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Validates options, naming the first bad field. Never echoes a secret value. */
export function resolveOptions(options: LpAuthOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') {
    throw new ConfigError('options', 'expected an object with at least { accountId }.');
  }
  const accountId = options.accountId;
  if (accountId === undefined || accountId === null || accountId === '') {
    throw new ConfigError(
      'accountId',
      'is required: your LivePerson account (site) id, e.g. "12345678" (env LP_ACCOUNT_ID).',
    );
  }
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
    throw new ConfigError('accountId', 'must be a string of letters, digits, "-" or "_", e.g. "12345678".');
  }
  const csds = options.csds ?? {};
  const resolved: ResolvedOptions = {
    accountId,
    credentials: {},
    csds: {
      baseUrl: parseBaseUrl('csds.baseUrl', csds.baseUrl ?? DEFAULT_CSDS_URL),
      ttlMs: positive('csds.ttlMs', csds.ttlMs, 10 * 60_000),
      staleIfErrorMs: nonNegative('csds.staleIfErrorMs', csds.staleIfErrorMs, 60 * 60_000),
    },
    domains: {},
    http: {
      timeoutMs: positive('http.timeoutMs', options.http?.timeoutMs, 10_000),
      maxResponseBytes: positive('http.maxResponseBytes', options.http?.maxResponseBytes, 32 * 1024 * 1024),
      retry: resolveRetry(options.http?.retry),
      ...(options.http?.fetch ? { fetch: options.http.fetch } : {}),
    },
    ...(options.store ? { store: options.store } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  };
  for (const [service, url] of Object.entries(options.domains ?? {})) {
    resolved.domains[service] = parseBaseUrl(`domains.${service}`, url);
  }
  const creds = options.credentials ?? {};
  const known = new Set(['appJwt', 'orchestratorV1', 'orchestratorV2', 'oauth1', 'login']);
  for (const key of Object.keys(creds)) {
    if (!known.has(key)) {
      throw new ConfigError(`credentials.${key}`, `unknown credential; use one of ${[...known].join(', ')}.`);
    }
  }
  if (creds.appJwt) {
    const c = creds.appJwt;
    const tokenPath = c.tokenPath ?? 'v1';
    if (tokenPath !== 'v1' && tokenPath !== 'v2') {
      throw new ConfigError('credentials.appJwt.tokenPath', 'must be "v1" or "v2".');
    }
    resolved.credentials.appJwt = {
      clientId: requiredString('credentials.appJwt.clientId', c.clientId),
      clientSecret: requiredSecret('credentials.appJwt.clientSecret', c.clientSecret),
      tokenPath,
    };
  }
  if (creds.orchestratorV1) {
    const c = creds.orchestratorV1;
    resolved.credentials.orchestratorV1 = {
      apiKey: requiredSecret('credentials.orchestratorV1.apiKey', c.apiKey),
      region: parseRegion('credentials.orchestratorV1.region', c.region ?? 'us'),
    };
  }
  if (creds.orchestratorV2) {
    const c = creds.orchestratorV2;
    const attach = c.attach ?? 'query';
    if (attach !== 'query' && attach !== 'bearer') {
      throw new ConfigError('credentials.orchestratorV2.attach', 'must be "query" or "bearer".');
    }
    const username = requiredString('credentials.orchestratorV2.username', c.username);
    if (username.includes(':')) {
      throw new ConfigError(
        'credentials.orchestratorV2.username',
        'must not contain ":" (HTTP Basic cannot carry it).',
      );
    }
    resolved.credentials.orchestratorV2 = {
      username,
      password: requiredSecret('credentials.orchestratorV2.password', c.password),
      region: parseRegion('credentials.orchestratorV2.region', c.region ?? 'us'),
      attach,
    };
  }
  if (creds.oauth1) {
    const c = creds.oauth1;
    resolved.credentials.oauth1 = {
      consumerKey: requiredString('credentials.oauth1.consumerKey', c.consumerKey),
      consumerSecret: requiredSecret('credentials.oauth1.consumerSecret', c.consumerSecret),
      token: requiredString('credentials.oauth1.token', c.token),
      tokenSecret: requiredSecret('credentials.oauth1.tokenSecret', c.tokenSecret),
    };
  }
  if (creds.login) resolved.credentials.login = resolveLogin(creds.login);
  if (options.appAuthorization !== undefined) {
    resolved.appAuthorization = resolveAppAuthorizationOptions(options.appAuthorization);
  }
  if (options.consumer !== undefined)
    resolved.consumer = resolveConsumerOptions(options.consumer, 'consumer');
  return hideSecrets(resolved);
}

function resolveLogin(c: LoginOptions): NonNullable<ResolvedOptions['credentials']['login']> {
  const f = 'credentials.login';
  const username = requiredString(`${f}.username`, c.username);
  const common = {
    username,
    keepaliveIntervalMs: positive(`${f}.keepaliveIntervalMs`, c.keepaliveIntervalMs, 5 * 60_000),
    logoutOnClose: c.logoutOnClose ?? true,
  };
  if (typeof common.logoutOnClose !== 'boolean')
    throw new ConfigError(`${f}.logoutOnClose`, 'must be a boolean.');
  const bot = c.appKey !== undefined || c.secret !== undefined;
  if (c.password !== undefined && bot) {
    throw new ConfigError(
      `${f}.password`,
      'give either password (user login) or appKey and secret (bot login), not both.',
    );
  }
  if (!bot) {
    if (c.password === undefined) {
      throw new ConfigError(
        `${f}.password`,
        'is required for a user login (or give appKey and secret for a bot login).',
      );
    }
    return { ...common, password: requiredSecret(`${f}.password`, c.password) };
  }
  const login: NonNullable<ResolvedOptions['credentials']['login']> = {
    ...common,
    appKey: requiredString(`${f}.appKey`, c.appKey),
    secret: requiredSecret(`${f}.secret`, c.secret),
  };
  if ((c.accessToken === undefined) !== (c.accessTokenSecret === undefined)) {
    throw new ConfigError(
      c.accessToken === undefined ? `${f}.accessToken` : `${f}.accessTokenSecret`,
      'give accessToken and accessTokenSecret together (an OAuth 1.0 key), or neither (an OAuth 2.0 client id and secret).',
    );
  }
  if (c.accessToken !== undefined) {
    login.accessToken = requiredString(`${f}.accessToken`, c.accessToken);
    login.accessTokenSecret = requiredSecret(`${f}.accessTokenSecret`, c.accessTokenSecret);
  }
  return login;
}

/** Makes `util.inspect` and `JSON.stringify` of resolved options safe even if a secret slipped in. */
function hideSecrets<T extends object>(value: T): T {
  Object.defineProperty(value, inspect.custom, {
    enumerable: false,
    value: (_depth: number, opts: object) => inspect(JSON.parse(JSON.stringify(value)), opts),
  });
  return value;
}

function resolveRetry(retry: Partial<RetryPolicy> | undefined): RetryPolicy {
  return {
    maxAttempts: positive('http.retry.maxAttempts', retry?.maxAttempts, DEFAULT_RETRY_POLICY.maxAttempts),
    baseDelayMs: nonNegative('http.retry.baseDelayMs', retry?.baseDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs),
    maxDelayMs: nonNegative('http.retry.maxDelayMs', retry?.maxDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs),
    maxRetryAfterMs: nonNegative(
      'http.retry.maxRetryAfterMs',
      retry?.maxRetryAfterMs,
      DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    ),
  };
}

function requiredString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ConfigError(field, 'is required and must be a non-empty string.');
  return value;
}

function requiredSecret(field: string, value: unknown): Secret {
  if (value !== null && typeof value === 'object' && typeof (value as Secret).reveal === 'function') {
    if ((value as Secret).reveal() === '') throw new ConfigError(field, 'is required and must not be empty.');
    return value as Secret;
  }
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(
      field,
      `is required: a non-empty string (given: ${value === undefined ? 'nothing' : typeof value}).`,
    );
  }
  return secret(value);
}

function positive(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new ConfigError(field, 'must be a positive number.');
  return value;
}

function nonNegative(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new ConfigError(field, 'must be a number ≥ 0.');
  return value;
}

export { REDACTED };
