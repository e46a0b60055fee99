export type { CredentialRuntime } from './credential.js';
export {
  CREDENTIAL_KINDS,
  resolveCredentialsOptions,
  type CredentialKind,
  type CredentialsOptions,
  type ResolvedCredentialsOptions,
} from './kinds.js';
export { AppJwtCredential, type AppJwtOptions } from './app-jwt.js';
export { OrchestratorV1Credential, type OrchestratorV1Options } from './orchestrator-v1.js';
export { OrchestratorV2Credential, type OrchestratorV2Options } from './orchestrator-v2.js';
export {
  signOAuth1,
  oauthPercentEncode,
  oauthBaseString,
  oauthBaseUrl,
  type OAuth1Request,
  type OAuth1Keys,
  type OAuth1SignOptions,
  type OAuth1Signature,
} from './oauth1-signature.js';
export { OAuth1Credential, type OAuth1Options, type SignableRequest } from './oauth1.js';
export { LoginCredential, DEFAULT_KEEPALIVE_MS, type LoginOptions, type LoginSession } from './login.js';
export {
  ConsumerJwsCache,
  DEFAULT_CONSUMER_JWS_ENTRIES,
  type ConsumerJwsOptions,
  type GetConsumerJwsOptions,
} from './consumer-jws.js';
export { SendApiCredential } from './send-api.js';
