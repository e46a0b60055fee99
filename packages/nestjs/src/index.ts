/**
 * `@lp-auth/nestjs`: `LpAuthModule.forRoot(…)` / `forRootAsync(…)`, injectable LivePerson clients, and
 * `@lp-auth` errors answered with their status and headers on Express and Fastify.
 *
 * @packageDocumentation
 */
export { LpAuthModule, type LpAuthModuleOptions } from './module.js';
export { LpAuthExceptionFilter } from './exception-filter.js';
export {
  InjectLpAuth,
  InjectLpClient,
  LP_AUTH,
  LP_CLIENT_KINDS,
  lpClientToken,
  type LpClientKind,
} from './tokens.js';
