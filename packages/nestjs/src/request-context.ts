import { IncomingMessage } from 'node:http';
import { lpContextOf as nodeLpContextOf, type LpRequestContext } from '@lp-auth/core/adapter';

/** The Node request under a platform's request, where `lp` lives on both platforms. */
export type LpNodeRequest = IncomingMessage & { lp?: LpRequestContext; originalUrl?: string };

/**
 * The Node request of what `switchToHttp().getRequest()` returns: Express's request is one itself,
 * Fastify's wraps it as `raw`. The context is kept there because Nest middleware on Fastify only
 * ever sees the raw request; the module makes `request.lp` on Fastify read and write the same.
 */
export function nodeRequestOf(request: object): LpNodeRequest {
  // Express's request is Node's: asking it for `raw` (which it has not) would miss V8's inline
  // cache, as every property read of an Express request does (~2,500 instructions).
  if (request instanceof IncomingMessage) return request as LpNodeRequest;
  const raw = (request as { raw?: unknown }).raw;
  return (isNodeRequest(raw) ? raw : request) as LpNodeRequest;
}

/**
 * The `@lp-auth` request context (`{ clients, auth, consumer?, verifier?, user? }`) of a request on either
 * platform, or undefined when the module's middleware did not run for it.
 *
 * @example
 * ```ts
 * @Get('whoami')
 * whoami(@Req() req: object) {
 *   return { consumer: lpContextOf(req)?.consumer?.sub ?? null };
 * }
 * ```
 */
export function lpContextOf(request: object): LpRequestContext | undefined {
  return nodeLpContextOf(nodeRequestOf(request));
}

function isNodeRequest(value: unknown): value is IncomingMessage {
  return !!value && typeof value === 'object' && Array.isArray((value as IncomingMessage).rawHeaders);
}
