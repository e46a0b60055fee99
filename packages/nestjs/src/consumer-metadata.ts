/** Metadata key of `@Public()` / `@OptionalConsumer()`: how the consumer guard treats a route. */
export const LP_CONSUMER_ACCESS = '@lp-auth/nestjs:consumer-access';
/** Metadata key of the claim checks (`ConsumerPredicate[]`) a route's consumer must pass. */
export const LP_CONSUMER_CHECKS = '@lp-auth/nestjs:consumer-checks';

/** `public`: no consumer needed; `optional`: a request without a token passes. Unset: required. */
export type ConsumerAccess = 'public' | 'optional';
