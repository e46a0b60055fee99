import { SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { type ConsumerClaims, type ConsumerIdentity, type ConsumerPredicate } from '@lp-auth/core';
import { claimCheck, claimEquals, claimIncludes } from '@lp-auth/core/adapter';
import { ConsumerGuard } from './consumer-guard.js';
import { LP_CONSUMER_ACCESS, LP_CONSUMER_CHECKS, type ConsumerAccess } from './consumer-metadata.js';

type ClaimValue = string | number | boolean | null;

/**
 * Opts a route or a whole controller out of {@link ConsumerGuard} (typically a global `APP_GUARD`):
 * no token is read, and the claim checks of its controller do not apply. On a handler it wins over
 * its class's `@OptionalConsumer()`; `@OptionalConsumer()` on a handler wins over a class's `@Public()`.
 *
 * @example
 * ```ts
 * @Public()
 * @Get('health')
 * health() {
 *   return { ok: true };
 * }
 * ```
 */
export const Public = (): ClassDecorator & MethodDecorator =>
  SetMetadata<string, ConsumerAccess>(LP_CONSUMER_ACCESS, 'public');

/**
 * The route (or controller) is guarded by {@link ConsumerGuard}, but a request without any token
 * passes, with no consumer (`@Consumer()` is undefined). A token that is present must still be
 * valid: a bad one is refused, never ignored.
 *
 * @example
 * ```ts
 * @OptionalConsumer()
 * @Get('catalog')
 * catalog(@Consumer() consumer: ConsumerIdentity | undefined) {
 *   return catalogFor(consumer?.sub);
 * }
 * ```
 */
export const OptionalConsumer = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    SetMetadata<string, ConsumerAccess>(LP_CONSUMER_ACCESS, 'optional'),
    UseGuards(ConsumerGuard),
  );

/**
 * The route (or every route of the controller) needs a consumer whose `claim` equals `value`
 * (strictly); otherwise 403 `insufficient_scope`. It guards the route with {@link ConsumerGuard}
 * itself, so no token is still 401.
 *
 * @example
 * ```ts
 * @ConsumerClaimEquals('tier', 'vip')
 * @Get('lounge')
 * lounge(@Consumer('sub') sub: string) {}
 * ```
 */
export const ConsumerClaimEquals = (claim: string, value: ClaimValue): ClassDecorator & MethodDecorator =>
  ConsumerSatisfies(claimEquals(claim, value));

/**
 * The route needs a consumer whose `claim` (an array, or a space-separated string such as `scope`)
 * contains every one of `values`; otherwise 403 `insufficient_scope`.
 *
 * @example
 * ```ts
 * @ConsumerClaimIncludes('groups', 'customers', 'verified')
 * @Post('returns')
 * createReturn() {}
 * ```
 */
export const ConsumerClaimIncludes = (
  claim: string,
  ...values: ClaimValue[]
): ClassDecorator & MethodDecorator => ConsumerSatisfies(claimIncludes(claim, ...values));

/**
 * The route needs a consumer for whom `test` returns true; otherwise 403 `insufficient_scope`
 * naming `description`.
 *
 * @example
 * ```ts
 * @ConsumerCheck((_claims, c) => findSde(c.sdes, 'ctmrinfo')?.info.ctype === 'vip', 'the VIP check')
 * @Get('offers')
 * offers() {}
 * ```
 */
export const ConsumerCheck = (
  test: (claims: Readonly<ConsumerClaims>, consumer: ConsumerIdentity) => boolean,
  description?: string,
): ClassDecorator & MethodDecorator => ConsumerSatisfies(claimCheck(test, description));

/**
 * Any core {@link ConsumerPredicate} as a route rule. Rules add up: those of the controller and
 * of the handler, each must pass. It guards the route with {@link ConsumerGuard} itself.
 *
 * @example
 * ```ts
 * @ConsumerSatisfies(claimEquals('email_verified', true))
 * ```
 */
export function ConsumerSatisfies(predicate: ConsumerPredicate): ClassDecorator & MethodDecorator {
  if (typeof predicate !== 'function')
    throw new TypeError('ConsumerSatisfies: expected a ConsumerPredicate.');
  return applyDecorators(appendCheck(predicate), UseGuards(ConsumerGuard));
}

/** Adds `predicate` to the checks of the class or method (SetMetadata would replace earlier ones). */
function appendCheck(predicate: ConsumerPredicate): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor ? descriptor.value : target) as object;
    const checks =
      (Reflect.getOwnMetadata(LP_CONSUMER_CHECKS, holder) as ConsumerPredicate[] | undefined) ?? [];
    Reflect.defineMetadata(LP_CONSUMER_CHECKS, [...checks, predicate], holder);
  };
}
