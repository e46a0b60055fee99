import { inspect } from 'node:util';
import { ConfigError } from '../errors/index.js';
import type {
  AppAuthorizationOptions,
  ResolvedAppAuthorizationOptions,
} from '../app-authorization/app-authorization.js';
import { resolveAppAuthorizationOptions } from '../app-authorization/app-authorization-options.js';
import {
  resolveCredentialsOptions,
  type CredentialsOptions,
  type ResolvedCredentialsOptions,
} from '../credentials/kinds.js';
import {
  resolveConsumerOptions,
  type ConsumerVerifierOptions,
  type ResolvedConsumerOptions,
} from '../consumer/options.js';
import { DEFAULT_CSDS_URL } from '../domains/csds.js';
import type { FetchFn } from '../http/send.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../http/backoff.js';
import type { TokenStore } from '../tokens/store.js';
import type { Logger } from '../support/logger.js';
import { REDACTED } from '../support/secret.js';
import { nonNegative, positive } from '../support/validate.js';
import { parseBaseUrl } from '../support/url.js';

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
  credentials: ResolvedCredentialsOptions;
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
  resolved.credentials = resolveCredentialsOptions(options.credentials);
  if (options.appAuthorization !== undefined) {
    resolved.appAuthorization = resolveAppAuthorizationOptions(options.appAuthorization);
  }
  if (options.consumer !== undefined)
    resolved.consumer = resolveConsumerOptions(options.consumer, 'consumer');
  return hideSecrets(resolved);
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

export { REDACTED };
