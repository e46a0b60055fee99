import { reveal, type Secret } from '../support/secret.js';
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

/** Options of the OAuth 2.0 client-credentials flow (AppJWT). */
export interface AppJwtOptions {
  clientId: string;
  clientSecret: string | Secret;
  /** Sentinel's token path: `v1` (documented, default) or `v2`. */
  tokenPath?: 'v1' | 'v2';
}

/** {@link AppJwtOptions} after validation: the secret wrapped, the token path chosen. */
export type ResolvedAppJwtOptions = AppJwtOptions & { clientSecret: Secret; tokenPath: 'v1' | 'v2' };

/** Validates `credentials.appJwt` (or the options at `field`), naming the first bad field. */
export function resolveAppJwtOptions(
  value: AppJwtOptions,
  field = 'credentials.appJwt',
): ResolvedAppJwtOptions {
  const tokenPath = oneOf(`${field}.tokenPath`, value.tokenPath, ['v1', 'v2'] as const, 'v1');
  return {
    clientId: requiredString(`${field}.clientId`, value.clientId),
    clientSecret: requiredSecret(`${field}.clientSecret`, value.clientSecret),
    tokenPath,
  };
}

/** Services that take the AppJWT raw in `Authorization`, without `Bearer` (LivePerson's own clients). */
const RAW_AUTHORIZATION_SERVICES = new Set(['asyncMessagingEnt', 'idp']);

const ONE_HOUR_MS = 60 * 60_000;

/**
 * AppJWT: an application's OAuth 2.0 client-credentials token from Sentinel, valid one hour,
 * cached and refreshed by the token engine. Sent as `Authorization: Bearer <jwt>`, or raw to the
 * Send API (`asyncMessagingEnt`) and the IdP (`idp`) as LivePerson's own code does.
 */
export class AppJwtCredential implements Credential {
  readonly kind = 'appJwt';
  readonly refreshable = true;
  readonly tokens: TokenManager;
  readonly #runtime: CredentialRuntime;
  readonly #options: AppJwtOptions;

  constructor(options: AppJwtOptions, runtime: CredentialRuntime) {
    this.#options = options;
    this.#runtime = runtime;
    this.tokens = tokenManagerFor(runtime, {
      name: this.kind,
      key: `lp:${runtime.accountId}:appJwt:${options.clientId}`,
      fetchToken: (signal) => this.#fetchToken(signal),
    });
  }

  async authorize(request: OutgoingRequest, context: AuthorizeContext): Promise<AuthorizeResult> {
    const token = await tokenForRequest(this.tokens, context);
    const raw = context.service !== undefined && RAW_AUTHORIZATION_SERVICES.has(context.service);
    request.headers.set('authorization', raw ? token.value : `Bearer ${token.value}`);
    return { token: token.value };
  }

  invalidate(): Promise<void> {
    return this.tokens.invalidate();
  }

  async close(): Promise<void> {
    this.tokens.close();
  }

  async #fetchToken(signal: AbortSignal) {
    const { accountId, domains } = this.#runtime;
    const base = await domains.resolve('sentinel');
    const account = encodeURIComponent(accountId);
    const url =
      this.#options.tokenPath === 'v2'
        ? new URL(`${base}/sentinel/api/v2/account/${account}/app/token`)
        : new URL(`${base}/sentinel/api/account/${account}/app/token?v=1.0`);
    const form = new URLSearchParams({
      client_id: this.#options.clientId,
      client_secret: reveal(this.#options.clientSecret),
      grant_type: 'client_credentials',
    });
    const { body } = await callTokenEndpoint(
      this.#runtime,
      this.kind,
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
      },
      signal,
    );
    const fields = (body ?? {}) as { access_token?: unknown; expires_in?: unknown };
    if (typeof fields.access_token !== 'string' || fields.access_token === '') {
      malformedTokenResponse(this.kind, url, 'an access_token');
    }
    const value = fields.access_token;
    const expiresAt = tokenExpiry(this.#runtime, this.kind, {
      stated: fields.expires_in,
      unit: 'seconds',
      token: value,
      defaultMs: ONE_HOUR_MS,
    });
    return { value, expiresAt };
  }
}
