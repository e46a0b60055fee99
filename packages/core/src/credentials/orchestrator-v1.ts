import { reveal, type Secret } from '../support/secret.js';
import { parseRegion, type OrchestratorRegion } from '../domains/regions.js';
import { requiredSecret } from '../support/validate.js';
import type { AuthorizeResult, Credential, OutgoingRequest } from './credential.js';

/** Options of the Conversation Orchestrator v1 API key. */
export interface OrchestratorV1Options {
  apiKey: string | Secret;
  /** Which regional hosts the client talks to. Default `us`. */
  region?: OrchestratorRegion;
}

/** {@link OrchestratorV1Options} after validation. */
export type ResolvedOrchestratorV1Options = OrchestratorV1Options & {
  apiKey: Secret;
  region: OrchestratorRegion;
};

/** Validates `credentials.orchestratorV1` (or the options at `field`), naming the first bad field. */
export function resolveOrchestratorV1Options(
  value: OrchestratorV1Options,
  field = 'credentials.orchestratorV1',
): ResolvedOrchestratorV1Options {
  return {
    apiKey: requiredSecret(`${field}.apiKey`, value.apiKey),
    region: parseRegion(`${field}.region`, value.region ?? 'us'),
  };
}

/**
 * Conversation Orchestrator v1: a static key from the "API Authorization" page, sent as the
 * `maven-api-key` header. Nothing to refresh; a 401 is final.
 */
export class OrchestratorV1Credential implements Credential {
  readonly kind = 'orchestratorV1';
  readonly refreshable = false;
  readonly region: OrchestratorRegion;
  readonly #apiKey: string | Secret;

  constructor(options: OrchestratorV1Options) {
    this.#apiKey = options.apiKey;
    this.region = options.region ?? 'us';
  }

  async authorize(request: OutgoingRequest): Promise<AuthorizeResult> {
    request.headers.set('maven-api-key', reveal(this.#apiKey));
    return {};
  }

  async invalidate(): Promise<void> {}
  async close(): Promise<void> {}
}
