export {
  ConsumerVerifier,
  createConsumerVerifier,
  type ConsumerVerifierRuntime,
  type VerifyOptions,
} from './verifier.js';
export {
  resolveConsumerOptions,
  type ConsumerVerifierOptions,
  type ConsumerIssuerOptions,
  type ResolvedConsumerOptions,
  type ResolvedIssuer,
} from './options.js';
export type { ConsumerKeyProvider, ConsumerTokenHeader } from './key-provider.js';
export { extractBearerToken, type BearerRequestParts, type TokenLocations } from './extract.js';
export { consumerIdentity, type ConsumerIdentity, type ConsumerClaims } from './identity.js';
export { claimEquals, claimIncludes, claimCheck, type ConsumerPredicate } from './predicates.js';
export { SUPPORTED_ALGORITHMS, type ConsumerAlgorithm } from './algorithms.js';
export { DEFAULT_MAX_TOKEN_LENGTH } from './compact.js';
export { DEFAULT_JWKS_POLICY, type JwksPolicy } from './remote-key-set.js';
export type { ConsumerJwk, ConsumerJwks, ConsumerKeyInput } from './keys.js';
export {
  parseLpSdes,
  findSde,
  filterSdes,
  isKnownSde,
  type EngagementAttribute,
  type KnownSdes,
  type UnknownSde,
  type SdeDate,
  type SdeProduct,
  type CustomerInfoSde,
  type PersonalInfoSde,
  type MarketingSourceSde,
  type LeadSde,
  type ServiceActivitySde,
  type VisitorErrorSde,
  type ViewedProductSde,
  type CartStatusSde,
  type PurchaseSde,
  type SearchContentSde,
} from './sdes.js';
