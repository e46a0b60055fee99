/**
 * Type-level test (compiled by `npm run typecheck:types`, never run): custom claims declared once
 * through declaration merging are typed on `req.lp.consumer.claims`, in route handlers and checks.
 */
import express from 'express';
import type { ConsumerClaims } from '@lp-auth/core';
import { consumerCheck, consumerOf, requireConsumer } from '../../src/index.js';

declare module '@lp-auth/core' {
  interface ConsumerClaims {
    tier: 'basic' | 'vip';
    loyalty_points?: number;
  }
}

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(value: T): T => value;

const app = express();
app.get('/vip', requireConsumer(), (req, res) => {
  const claims = consumerOf(req).claims;
  expectType<Equals<typeof claims.tier, 'basic' | 'vip'>>(true);
  expectType<Equals<typeof claims.loyalty_points, number | undefined>>(true);
  // The standard claims keep their types; unknown ones stay unknown.
  expectType<Equals<typeof claims.sub, string>>(true);
  expectType<Equals<typeof claims.anything_else, unknown>>(true);
  // @ts-expect-error: a tier is not a number
  const wrong: number = claims.tier;
  res.json({ tier: claims.tier, wrong });
});
app.get(
  '/gold',
  requireConsumer(),
  consumerCheck((claims) => claims.tier === 'vip'),
);

// @ts-expect-error: "gold" is not a tier
const claimsOf: Pick<ConsumerClaims, 'tier'> = { tier: 'gold' };
export { claimsOf };
