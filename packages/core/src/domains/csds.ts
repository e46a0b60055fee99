import { CsdsUnavailableError, DomainNotFoundError, LpAuthError } from '../errors/index.js';
import type { Logger } from '../support/logger.js';
import { isLoopbackHost } from '../support/url.js';
import { readErrorBody, sendOnce, type FetchFn } from '../http/send.js';
import { backoffDelay, type RetryPolicy } from '../http/backoff.js';
import { isRegionalService, regionalBaseUrl, type OrchestratorRegion } from './regions.js';

/** LivePerson's domain API host. */
export const DEFAULT_CSDS_URL = 'https://api.liveperson.net';

export interface DomainResolverOptions {
  accountId: string;
  /** CSDS base URL (already validated). Default {@link DEFAULT_CSDS_URL}. */
  csdsUrl?: string;
  /** Fixed base URLs per service (already validated); they win over CSDS. */
  overrides?: Readonly<Record<string, string>>;
  /** How long an answer is fresh. Default 10 minutes. */
  ttlMs?: number;
  /** How long past `ttlMs` the last good answer is still served while CSDS fails. Default 1 hour. */
  staleIfErrorMs?: number;
  timeoutMs?: number;
  fetch?: FetchFn;
  logger: Logger;
  now?: () => number;
}

interface Snapshot {
  domains: Map<string, string>;
  fetchedAt: number;
}

/** Share of the TTL after which a read also starts a refresh in the background. */
const SOFT_TTL_SHARE = 0.8;
/** After a failed background refresh, wait this long before trying again. */
const FAILURE_COOLDOWN_MS = 15_000;
/**
 * How long a failed CSDS answer (non-2xx, a body that is not JSON, no service) is remembered, so a
 * loop of requests makes a few CSDS calls rather than one each: 5–10 s after the first failure in a
 * row, 10–20 s after the second, 15–30 s from the third on (jittered, so processes drift apart).
 */
export const CSDS_NEGATIVE_CACHE: Readonly<Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>> = Object.freeze({
  baseDelayMs: 10_000,
  maxDelayMs: 30_000,
});

interface RememberedCsdsFailure {
  error: unknown;
  until: number;
  /** Consecutive failures; a good answer resets it. */
  count: number;
}

/**
 * Resolves LivePerson service names (`agentVep`, `sentinel`, …) to base URLs through CSDS. One call
 * fetches every service; answers are cached, refreshed in the background before they go stale, fetched
 * once for concurrent callers, and the last good answer keeps serving for a bounded time when CSDS fails.
 */
export class DomainResolver {
  readonly #o: DomainResolverOptions;
  readonly #csdsUrl: string;
  readonly #ttlMs: number;
  readonly #staleMs: number;
  readonly #now: () => number;
  #snapshot: Snapshot | undefined;
  #inflight: Promise<Snapshot> | undefined;
  #retryAfter = 0;
  /** Services the last CSDS answer listed at a URL we refuse (not http or https), with that URL's scheme. */
  #refused = new Map<string, string>();
  #failure: RememberedCsdsFailure | undefined;

  constructor(options: DomainResolverOptions) {
    this.#o = options;
    this.#csdsUrl = options.csdsUrl ?? DEFAULT_CSDS_URL;
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#staleMs = options.staleIfErrorMs ?? 60 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The base URL (`https://host`, no trailing slash) of `service`.
   * @param region for the Conversation Orchestrator's regional services
   */
  async resolve(service: string, region?: OrchestratorRegion): Promise<string> {
    const fixed = this.#o.overrides?.[service];
    if (fixed) return fixed;
    if (isRegionalService(service)) return regionalBaseUrl(service, region ?? 'us');
    const snapshot = await this.#current();
    const found = snapshot.domains.get(service);
    const refused = this.#refused.get(service);
    if (!found && refused) {
      throw new CsdsUnavailableError(
        this.#o.accountId,
        `CSDS listed service "${service}" at ${refused}, which is not an http(s) host; refused.`,
      );
    }
    if (!found) throw new DomainNotFoundError(service, this.#o.accountId, [...snapshot.domains.keys()]);
    return found;
  }

  /** Every service CSDS lists for the account, with overrides applied. */
  async all(): Promise<Record<string, string>> {
    const snapshot = await this.#current();
    return { ...Object.fromEntries(snapshot.domains), ...this.#o.overrides };
  }

  /** Drops the cached answer; the next call asks CSDS again (once a remembered failure has passed). */
  invalidate(): void {
    this.#snapshot = undefined;
  }

  async #current(): Promise<Snapshot> {
    const snapshot = this.#snapshot;
    const now = this.#now();
    if (snapshot) {
      const age = now - snapshot.fetchedAt;
      if (age < this.#ttlMs) {
        if (age >= this.#ttlMs * SOFT_TTL_SHARE && now >= this.#retryAfter) {
          this.#fetch().catch(() => undefined);
        }
        return snapshot;
      }
      // CSDS failed a moment ago: the last good answer while it may serve, else the same failure, at once.
      if (this.#failure && now < this.#failure.until) {
        if (age < this.#ttlMs + this.#staleMs) return snapshot;
        throw this.#failedFast(now);
      }
      try {
        return await this.#fetchRemembering();
      } catch (error) {
        if (age < this.#ttlMs + this.#staleMs) {
          this.#o.logger.warn('CSDS failed; serving the last good domains', {
            accountId: this.#o.accountId,
            ageSeconds: Math.round(age / 1000),
            error: error instanceof Error ? error.message : String(error),
          });
          return snapshot;
        }
        throw error;
      }
    }
    if (this.#failure && now < this.#failure.until) throw this.#failedFast(now);
    return this.#fetchRemembering();
  }

  /** `#fetch`, with its failure remembered for a short, growing, jittered time and a success forgetting it. */
  async #fetchRemembering(): Promise<Snapshot> {
    try {
      const snapshot = await this.#fetch();
      this.#failure = undefined;
      return snapshot;
    } catch (error) {
      // Concurrent callers share one fetch and so one error: count it once.
      if (this.#failure?.error !== error) {
        const count = (this.#failure?.count ?? 0) + 1;
        const wait = backoffDelay(count, { ...CSDS_NEGATIVE_CACHE, maxAttempts: 1, maxRetryAfterMs: 0 });
        this.#failure = { error, count, until: this.#now() + wait };
      }
      throw error;
    }
  }

  /** The remembered failure as a caller gets it: typed, naming the wait before CSDS is asked again. */
  #failedFast(now: number): CsdsUnavailableError {
    const failure = this.#failure!;
    const retryAfterMs = failure.until - now;
    const prefix = `Could not resolve LivePerson domains for account ${this.#o.accountId}: `;
    const { error } = failure;
    const reason =
      error instanceof Error
        ? error.message.startsWith(prefix)
          ? error.message.slice(prefix.length)
          : error.message
        : String(error);
    return new CsdsUnavailableError(
      this.#o.accountId,
      `${reason} (remembered; CSDS is asked again in ${Math.ceil(retryAfterMs / 1000)} s)`,
      error,
      retryAfterMs,
    );
  }

  #fetch(): Promise<Snapshot> {
    this.#inflight ??= this.#load()
      .then(
        (snapshot) => {
          this.#snapshot = snapshot;
          this.#retryAfter = 0;
          return snapshot;
        },
        (error: unknown) => {
          this.#retryAfter = this.#now() + FAILURE_COOLDOWN_MS;
          throw error;
        },
      )
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  async #load(): Promise<Snapshot> {
    const account = encodeURIComponent(this.#o.accountId);
    const url = new URL(`${this.#csdsUrl}/api/account/${account}/service/baseURI.json?version=1.0`);
    let response: Response;
    try {
      response = await sendOnce(this.#o.fetch ?? fetch, url, { method: 'GET' }, this.#o.timeoutMs ?? 10_000);
    } catch (error) {
      throw new CsdsUnavailableError(
        this.#o.accountId,
        error instanceof LpAuthError ? error.message : String(error),
        error,
      );
    }
    if (!response.ok) {
      const body = await readErrorBody(response);
      const hint = response.status === 401 || response.status === 404 ? ' Check the account id.' : '';
      throw new CsdsUnavailableError(this.#o.accountId, `CSDS answered ${response.status}.${hint}`, body);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      // A stall, a reset or a flood while reading is said as such; only a parse failure is "not JSON".
      const why =
        error instanceof LpAuthError ? error.message : 'CSDS answered with a body that is not JSON.';
      throw new CsdsUnavailableError(this.#o.accountId, why, error);
    }
    const domains = this.#parse(body);
    if (domains.size === 0) {
      const [service, refused] = [...this.#refused][0] ?? [];
      const why = refused
        ? `CSDS listed service "${service}" at ${refused}, which is not an http(s) host; refused.`
        : 'CSDS answered without any service.';
      throw new CsdsUnavailableError(this.#o.accountId, why);
    }
    return { domains, fetchedAt: this.#now() };
  }

  /** Accepts `{ baseURIs: [...] }` (all services), a single `{ service, baseURI }`, or a bare array. */
  #parse(body: unknown): Map<string, string> {
    const entries: unknown[] = Array.isArray(body)
      ? body
      : body && typeof body === 'object' && Array.isArray((body as { baseURIs?: unknown }).baseURIs)
        ? (body as { baseURIs: unknown[] }).baseURIs
        : [body];
    const domains = new Map<string, string>();
    this.#refused = new Map();
    for (const entry of entries) {
      if (!entry || typeof entry !== 'object') continue;
      const { service, baseURI } = entry as { service?: unknown; baseURI?: unknown };
      if (typeof service !== 'string' || typeof baseURI !== 'string' || baseURI === '') continue;
      const url = this.#toBaseUrl(service, baseURI);
      if (url) domains.set(service, url);
    }
    return domains;
  }

  /**
   * CSDS gives bare host names and clients prepend https. The emulator runs plain http on loopback,
   * so a loopback host gets http when CSDS itself was reached over http on loopback; any other
   * host always gets https. A baseURI with its own scheme keeps it, under the same rule.
   */
  #toBaseUrl(service: string, baseURI: string): string | undefined {
    const csdsIsLocal = this.#csdsUrl.startsWith('http://');
    const withScheme = /^[a-z]+:\/\//i.test(baseURI) ? baseURI : `https://${baseURI}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      this.#o.logger.warn('CSDS listed a service with an unparseable baseURI; ignored', { baseURI });
      return undefined;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      // file:, data:, ftp: … would be fetched (or fail obscurely) with a credential attached.
      this.#refused.set(service, `a ${url.protocol} URL`);
      this.#o.logger.warn('CSDS listed a service with a baseURI that is not http(s); refused', { service });
      return undefined;
    }
    const local = isLoopbackHost(url.hostname);
    if (local && csdsIsLocal) url.protocol = 'http:';
    else if (url.protocol !== 'https:') url.protocol = 'https:';
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  }
}
