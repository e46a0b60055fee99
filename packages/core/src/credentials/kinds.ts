import { ConfigError } from '../errors.js';
import { resolveAppJwtOptions, type AppJwtOptions, type ResolvedAppJwtOptions } from './app-jwt.js';
import { resolveLoginOptions, type LoginOptions, type ResolvedLoginOptions } from './login.js';
import { resolveOAuth1Options, type OAuth1Options, type ResolvedOAuth1Options } from './oauth1.js';
import {
  resolveOrchestratorV1Options,
  type OrchestratorV1Options,
  type ResolvedOrchestratorV1Options,
} from './orchestrator-v1.js';
import {
  resolveOrchestratorV2Options,
  type OrchestratorV2Options,
  type ResolvedOrchestratorV2Options,
} from './orchestrator-v2.js';

/**
 * Every server credential an `LpAuth` can hold, in the order their clients are built. The one
 * list: `createLpAuth`, the NestJS injection tokens and the CLI read it. A new flow is a file in
 * this folder plus one entry here and in {@link CredentialsOptions}.
 */
export const CREDENTIAL_KINDS = ['appJwt', 'orchestratorV1', 'orchestratorV2', 'oauth1', 'login'] as const;

/** The name of a server credential: `appJwt`, `orchestratorV1`, `orchestratorV2`, `oauth1`, `login`. */
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** The credentials an `LpAuth` builds clients for; each present key becomes `lp.clients.<key>`. */
export interface CredentialsOptions {
  /** OAuth 2.0 client credentials (AppJWT), with ConsumerJWS for the Send API. */
  appJwt?: AppJwtOptions;
  /** Conversation Orchestrator v1 API key. */
  orchestratorV1?: OrchestratorV1Options;
  /** Conversation Orchestrator v2 Basic-to-token login. */
  orchestratorV2?: OrchestratorV2Options;
  /** A LivePerson API key (OAuth 1.0, legacy). */
  oauth1?: OAuth1Options;
  /** Login Service: a user (`password`) or a bot (`appKey` + `secret`). */
  login?: LoginOptions;
}

/** {@link CredentialsOptions} after validation: secrets wrapped, defaults applied. */
export interface ResolvedCredentialsOptions {
  appJwt?: ResolvedAppJwtOptions;
  orchestratorV1?: ResolvedOrchestratorV1Options;
  orchestratorV2?: ResolvedOrchestratorV2Options;
  oauth1?: ResolvedOAuth1Options;
  login?: ResolvedLoginOptions;
}

type Resolvers = {
  [K in CredentialKind]-?: (
    value: NonNullable<CredentialsOptions[K]>,
    field: string,
  ) => NonNullable<ResolvedCredentialsOptions[K]>;
};

/** Each flow's own validator, by kind. */
const RESOLVERS: Resolvers = {
  appJwt: resolveAppJwtOptions,
  orchestratorV1: resolveOrchestratorV1Options,
  orchestratorV2: resolveOrchestratorV2Options,
  oauth1: resolveOAuth1Options,
  login: resolveLoginOptions,
};

/** Validates `credentials` with each flow's resolver; an unknown key is a `ConfigError` listing the kinds. */
export function resolveCredentialsOptions(
  value: CredentialsOptions | undefined,
  field = 'credentials',
): ResolvedCredentialsOptions {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(field, `must be an object with any of ${CREDENTIAL_KINDS.join(', ')}.`);
  }
  for (const key of Object.keys(value)) {
    if (!(CREDENTIAL_KINDS as readonly string[]).includes(key)) {
      throw new ConfigError(
        `${field}.${key}`,
        `unknown credential; use one of ${CREDENTIAL_KINDS.join(', ')}.`,
      );
    }
  }
  const resolved: ResolvedCredentialsOptions = {};
  for (const kind of CREDENTIAL_KINDS) {
    const options = value[kind];
    if (options) resolve(resolved, kind, options, `${field}.${kind}`);
  }
  return resolved;
}

function resolve<K extends CredentialKind>(
  into: ResolvedCredentialsOptions,
  kind: K,
  options: NonNullable<CredentialsOptions[K]>,
  field: string,
): void {
  // One resolver per kind; TypeScript cannot correlate the indexed resolver with its argument.
  const resolver = RESOLVERS[kind] as (value: unknown, field: string) => ResolvedCredentialsOptions[K];
  into[kind] = resolver(options, field);
}
