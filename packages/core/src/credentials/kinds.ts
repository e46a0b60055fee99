import { ConfigError } from '../errors/index.js';
import type { Credential } from '../http/credential.js';
import type { LpClientOptions } from '../http/lp-request.js';
import { ConsumerJwsCache } from './consumer-jws.js';
import type { CredentialRuntime } from './credential.js';
import { SendApiCredential } from './send-api.js';
import {
  AppJwtCredential,
  resolveAppJwtOptions,
  type AppJwtOptions,
  type ResolvedAppJwtOptions,
} from './app-jwt.js';
import {
  LoginCredential,
  resolveLoginOptions,
  type LoginOptions,
  type ResolvedLoginOptions,
} from './login.js';
import {
  OAuth1Credential,
  resolveOAuth1Options,
  type OAuth1Options,
  type ResolvedOAuth1Options,
} from './oauth1.js';
import {
  OrchestratorV1Credential,
  resolveOrchestratorV1Options,
  type OrchestratorV1Options,
  type ResolvedOrchestratorV1Options,
} from './orchestrator-v1.js';
import {
  OrchestratorV2Credential,
  resolveOrchestratorV2Options,
  type OrchestratorV2Options,
  type ResolvedOrchestratorV2Options,
} from './orchestrator-v2.js';

/**
 * Every server credential an `LpAuth` can hold, in the order their clients are built. The one
 * list: `createLpAuth`, the NestJS injection tokens and the CLI read it. A new flow is a file in
 * this folder (its options type, `resolve…Options` and `Credential` class) plus one entry here, in
 * {@link CredentialsOptions}, and in the resolver and builder tables below; nothing outside this
 * folder changes but the typed `LpClients` key.
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

/** What one configured kind adds to an `LpAuth`: its credential and its client's options. */
export interface BuiltCredential {
  credential: Credential;
  clientOptions?: LpClientOptions;
  /** Closes what the kind built besides its credential (which `LpAuth.close()` closes). */
  close?: () => Promise<void>;
}

type Builders = {
  [K in CredentialKind]-?: (
    options: NonNullable<ResolvedCredentialsOptions[K]>,
    runtime: CredentialRuntime,
  ) => BuiltCredential;
};

/** Each flow's credential, by kind. */
const BUILDERS: Builders = {
  appJwt(options, runtime) {
    const appJwt = new AppJwtCredential(options, runtime);
    // Calls with onBehalfOf go to the Send API with the AppJWT and the consumer's ConsumerJWS.
    const sendApi = new SendApiCredential(appJwt, new ConsumerJwsCache(appJwt, runtime));
    return { credential: appJwt, clientOptions: { onBehalfOf: sendApi }, close: () => sendApi.close() };
  },
  orchestratorV1: (options) => ({ credential: new OrchestratorV1Credential(options) }),
  orchestratorV2: (options, runtime) => ({ credential: new OrchestratorV2Credential(options, runtime) }),
  oauth1: (options, runtime) => ({ credential: new OAuth1Credential(options, runtime) }),
  login: (options, runtime) => ({ credential: new LoginCredential(options, runtime) }),
};

/** The credential of every configured kind, in {@link CREDENTIAL_KINDS} order. */
export function buildCredentials(
  resolved: ResolvedCredentialsOptions,
  runtime: CredentialRuntime,
): [CredentialKind, BuiltCredential][] {
  const built: [CredentialKind, BuiltCredential][] = [];
  for (const kind of CREDENTIAL_KINDS) {
    const options = resolved[kind];
    if (!options) continue;
    // One builder per kind; TypeScript cannot correlate the indexed builder with its argument.
    const build = BUILDERS[kind] as (options: unknown, runtime: CredentialRuntime) => BuiltCredential;
    built.push([kind, build(options, runtime)]);
  }
  return built;
}
