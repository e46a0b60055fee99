export {
  startConsumerIdp,
  SAMPLE_LP_SDES,
  type ConsumerIdp,
  type ConsumerIdpOptions,
  type ConsumerIdpFaults,
  type IssueOptions,
} from './consumer-idp.js';
export {
  ConsumerIdpKeyRing,
  generateSigningKey,
  type ConsumerIdpAlgorithm,
  type ConsumerIdpKey,
} from './key-ring.js';
