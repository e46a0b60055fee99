import type { SigningKeySet } from './signing-keys.js';
import type { FaultInjector } from './faults.js';
import type { EmulatorCredentials, TokenRouteName } from './types.js';

/** Everything a route module may read or change: the state of one running emulator. */
export interface EmulatorContext {
  readonly accountId: string;
  readonly credentials: EmulatorCredentials;
  /** The emulator's bare `host:port`, as CSDS lists it. */
  readonly host: string;
  /** CSDS: service name → bare host. */
  readonly services: ReadonlyMap<string, string>;
  /** Sentinel's keys (AppJWT). */
  readonly sentinelKeys: SigningKeySet;
  /** Sentinel's id_token keys (application authorization, kid `idtoken-DD-MM-YY`), in the same JWKS. */
  readonly idTokenKeys: SigningKeySet;
  /** The Orchestrator's Cognito user pool keys (v2 login tokens). */
  readonly cognitoKeys: SigningKeySet;
  readonly faults: FaultInjector;
  /** Lifetime of tokens issued by `route`, in seconds. */
  tokenLifetime(route: TokenRouteName): number;
  /** Per-module in-memory state, keyed by module (e.g. `'co.v1'`), created on first use. */
  store<T>(key: string, create: () => T): T;
}

/** Default token lifetimes (wire page §4 and §6). */
export const DEFAULT_TOKEN_LIFETIME: Readonly<Record<TokenRouteName, number>> = {
  'sentinel.token': 60 * 60,
  // Not documented; one hour, so that LivePerson's advice to refresh every 30 minutes keeps a session warm.
  'sentinel.userToken': 60 * 60,
  'co.v2.login': 24 * 60 * 60,
};
