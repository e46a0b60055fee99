import { reveal, type Secret } from '../support/secret.js';
import { ConfigError } from '../errors/index.js';
import { parseRegion, type OrchestratorRegion } from '../domains/regions.js';
import { oneOf, requiredSecret, requiredString } from '../support/validate.js';
import type { TokenManager } from '../tokens/token-manager.js';
import {
  type AuthorizeContext,
  type AuthorizeResult,
  type Credential,
  type CredentialRuntime,
  type OutgoingRequest,
  tokenForRequest,
  tokenManagerFor,
} from './credential.js';
import { callTokenEndpoint, malformedTokenResponse, tokenExpiry } from './token-endpoint.js';

/** Options of the Conversation Orchestrator v2 login. */
export interface OrchestratorV2Options {
  username: string;
  password: string | Secret;
  region?: OrchestratorRegion;
  /** Where the token goes: the `access_token` query parameter (every documented example, default) or `Authorization: Bearer`. */
  attach?: 'query' | 'bearer';
}

/** {@link OrchestratorV2Options} after validation. */
export type ResolvedOrchestratorV2Options = OrchestratorV2Options & {
  password: Secret;
  region: OrchestratorRegion;
  attach: 'query' | 'bearer';
};

/** Validates `credentials.orchestratorV2` (or the options at `field`), naming the first bad field. */
export function resolveOrchestratorV2Options(
  value: OrchestratorV2Options,
  field = 'credentials.orchestratorV2',
): ResolvedOrchestratorV2Options {
  const attach = oneOf(`${field}.attach`, value.attach, ['query', 'bearer'] as const, 'query');
  const username = requiredString(`${field}.username`, value.username);
  if (username.includes(':')) {
    throw new ConfigError(`${field}.username`, 'must not contain ":" (HTTP Basic cannot carry it).');
  }
  return {
    username,
    password: requiredSecret(`${field}.password`, value.password),
    region: parseRegion(`${field}.region`, value.region ?? 'us'),
    attach,
  };
}

const TOKEN_FIELDS = ['token', 'access_token', 'accessToken', 'id_token'] as const;
const ONE_DAY_MS = 24 * 60 * 60_000;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Conversation Orchestrator v2: `Basic` login on the regional context host for a 24-hour JWT,
 * logged in again before it expires, attached as `?access_token=` (or a Bearer header). Every URL
 * that reaches a log or an error has that parameter redacted.
 */
export class OrchestratorV2Credential implements Credential {
  readonly kind = 'orchestratorV2';
  readonly refreshable = true;
  readonly region: OrchestratorRegion;
  readonly tokens: TokenManager;
  readonly #options: OrchestratorV2Options;
  readonly #runtime: CredentialRuntime;

  constructor(options: OrchestratorV2Options, runtime: CredentialRuntime) {
    this.#options = options;
    this.#runtime = runtime;
    this.region = options.region ?? 'us';
    this.tokens = tokenManagerFor(runtime, {
      name: this.kind,
      key: `lp:${runtime.accountId}:orchestratorV2:${this.region}:${options.username}`,
      fetchToken: (signal) => this.#login(signal),
    });
  }

  async authorize(request: OutgoingRequest, context: AuthorizeContext): Promise<AuthorizeResult> {
    const token = await tokenForRequest(this.tokens, context);
    if (this.#options.attach === 'bearer') request.headers.set('authorization', `Bearer ${token.value}`);
    else request.url.searchParams.set('access_token', token.value);
    return { token: token.value };
  }

  invalidate(): Promise<void> {
    return this.tokens.invalidate();
  }

  async close(): Promise<void> {
    this.tokens.close();
  }

  async #login(signal: AbortSignal) {
    const base = await this.#runtime.domains.resolve('orchestratorContext', this.region);
    const url = new URL(`${base}/v2/authenticate/login`);
    const basic = Buffer.from(`${this.#options.username}:${reveal(this.#options.password)}`, 'utf8').toString(
      'base64',
    );
    const { body } = await callTokenEndpoint(
      this.#runtime,
      this.kind,
      url,
      {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, accept: 'application/json, text/plain' },
      },
      signal,
    );
    const value = pickToken(body);
    if (!value) malformedTokenResponse(this.kind, url, `a token (one of ${TOKEN_FIELDS.join(', ')})`);
    // The login answer states no lifetime: the JWT's exp, else the documented 24 hours.
    return {
      value,
      expiresAt: tokenExpiry(this.#runtime, this.kind, {
        unit: 'seconds',
        token: value,
        defaultMs: ONE_DAY_MS,
      }),
    };
  }
}

/** The token from a v2 login body: the first known field of a JSON object, or a body that is a JWT. */
function pickToken(body: unknown): string | undefined {
  if (typeof body === 'string') {
    const text = body.trim().replace(/^"|"$/g, '');
    return JWT_SHAPE.test(text) ? text : undefined;
  }
  if (body && typeof body === 'object') {
    for (const field of TOKEN_FIELDS) {
      const value = (body as Record<string, unknown>)[field];
      if (typeof value === 'string' && value !== '') return value;
    }
  }
  return undefined;
}
