/**
 * `@lp-auth/koa`: LivePerson clients (and, with the consumer verifier, the verified consumer) on
 * `ctx.state.lp`, in one line.
 *
 * @packageDocumentation
 */
export { lpAuth, type LpAuthMiddleware, type LpRequestContext } from './middleware.js';
