export { adapterLpAuth, isLpAuth, lpRequestContext, type LpRequestContext } from './context.js';
export {
  ConsumerGuard,
  admittedConsumer,
  assertConsumer,
  bearerPartsOf,
  type ConsumerGuardOptions,
  type ConsumerGuardBinding,
  type ExtractedToken,
  type NodeRequestLike,
} from './guard.js';
export { consumerClaimChecks, type ConsumerClaimChecks, type ConsumerCheckRunner } from './claim-checks.js';
