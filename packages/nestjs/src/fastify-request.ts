/** The part of a Fastify instance the module uses (no dependency on fastify's types). */
interface FastifyLike {
  hasRequestDecorator(name: string): boolean;
  decorateRequest(name: string, value: { getter(): unknown; setter(value: unknown): void }): unknown;
}

/**
 * Makes `request.lp` of Fastify's requests the `lp` of their raw Node request, where the module's
 * middleware and guard keep it (Nest middleware on Fastify only sees the raw request), so that
 * `@Req() req: FastifyRequest` reads `req.lp` as on Express. Left alone when something else, such
 * as the `@lp-auth/fastify` plugin, already decorates `lp`.
 */
export function decorateFastifyRequests(fastify: FastifyLike): void {
  if (fastify.hasRequestDecorator('lp')) return;
  fastify.decorateRequest('lp', {
    getter(this: { raw: { lp?: unknown } }) {
      return this.raw.lp;
    },
    setter(this: { raw: { lp?: unknown } }, value: unknown) {
      this.raw.lp = value;
    },
  });
}
