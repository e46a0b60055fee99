/**
 * `@lp-auth/fastify`: LivePerson clients (and, with the consumer verifier, the verified consumer) on
 * `request.lp` and `app.lp`, as a Fastify plugin.
 *
 * @packageDocumentation
 */
export { lpAuth, sendLpError, type LpAuthPluginOptions, type LpRequestContext } from './plugin.js';
