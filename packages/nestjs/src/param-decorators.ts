import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ConsumerIdentity, UserSession } from '@lp-auth/core';
import { lpContextOf } from './request-context.js';

const contextOf = (ctx: ExecutionContext) => lpContextOf(ctx.switchToHttp().getRequest<object>());

/**
 * The verified consumer (`req.lp.consumer`) that {@link ConsumerGuard} admitted, or one of its
 * fields; undefined on a route without the guard, or under `@OptionalConsumer()` without a token.
 *
 * @example
 * ```ts
 * @UseGuards(ConsumerGuard)
 * @Get('orders')
 * orders(@Consumer() consumer: ConsumerIdentity, @Consumer('sub') sub: string) {}
 * ```
 */
export const Consumer: (field?: keyof ConsumerIdentity) => ParameterDecorator = createParamDecorator(
  (field: keyof ConsumerIdentity | undefined, ctx: ExecutionContext) => {
    const consumer = contextOf(ctx)?.consumer;
    return field === undefined ? consumer : consumer?.[field];
  },
);

/**
 * The LivePerson user logged in through the module's login routes (application authorization's
 * session cookie): `{ id, user, client, expiresAt }`, or undefined when nobody is logged in.
 *
 * @example
 * ```ts
 * @Get('me')
 * me(@LpUser() user: UserSession | undefined) {
 *   if (!user) throw new UnauthorizedException({ error: 'login_required' });
 *   return user.client.request({ service: 'accountConfigReadOnly', path: '/api/account/{accountId}/configuration/le-users/skills' });
 * }
 * ```
 */
export const LpUser: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): UserSession | undefined => contextOf(ctx)?.user,
);
