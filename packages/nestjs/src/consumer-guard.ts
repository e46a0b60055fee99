import {
  Inject,
  Injectable,
  mixin,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ConsumerGuard as CoreConsumerGuard,
  assertConsumer,
  bearerPartsOf,
  contextAuth,
  createConsumerVerifier,
  withConsumer,
  type ConsumerAdmission,
  type ConsumerVerifier,
  type ConsumerVerifierOptions,
  type ConsumerGuardOptions as CoreConsumerGuardOptions,
  type ConsumerPredicate,
} from '@lp-auth/core';
import { LP_CONSUMER_ACCESS, LP_CONSUMER_CHECKS, type ConsumerAccess } from './consumer-metadata.js';
import { nodeRequestOf, type LpNodeRequest } from './request-context.js';

/** The platform's request (Express's or Fastify's), as `getToken` receives it. */
export type LpPlatformRequest = { headers: Record<string, string | string[] | undefined> } & Record<
  string,
  unknown
>;

/** Options of {@link ConsumerGuard.with}; `getToken` receives the platform's request. */
export type ConsumerGuardOptions = CoreConsumerGuardOptions<LpPlatformRequest>;

// The admission of each request, so that a route guarded twice (the global guard and a route's
// claim decorators) verifies its token once.
const admissions = new WeakMap<LpNodeRequest, ConsumerAdmission>();

/**
 * Lets a request through only with a valid consumer id_token (RFC 6750 bearer token, from the
 * brand's identity provider) and puts the verified consumer on `req.lp.consumer` (read it with
 * `@Consumer()`). A request without a token, or with a bad one, is refused with RFC 6750's status,
 * `WWW-Authenticate` challenge and JSON body (by the module's exception filter).
 *
 * Per route or controller with `@UseGuards(ConsumerGuard)`, or for the whole app as `APP_GUARD`;
 * it reads, handler first then class: `@Public()` (no check), `@OptionalConsumer()` (a request
 * without a token passes; a bad token is still refused) and the claim checks
 * (`@ConsumerClaimEquals`, `@ConsumerClaimIncludes`, `@ConsumerCheck`, class and handler both).
 * The verifier is the one of the module's `consumer` option unless the guard was made with
 * {@link ConsumerGuard.with}. It guards HTTP routes only: any other context is refused.
 *
 * @example
 * ```ts
 * @Controller('orders')
 * @UseGuards(ConsumerGuard)
 * class OrdersController {
 *   @Get()
 *   list(@Consumer() consumer: ConsumerIdentity) {
 *     return ordersOf(consumer.sub);
 *   }
 * }
 * // or for every route: providers: [{ provide: APP_GUARD, useClass: ConsumerGuard }]
 * ```
 */
@Injectable()
export class ConsumerGuard implements CanActivate {
  readonly #required: CoreConsumerGuard<LpPlatformRequest>;
  readonly #optional: CoreConsumerGuard<LpPlatformRequest>;
  readonly #ownOptions: boolean;

  constructor(@Inject(Reflector) private readonly reflector: Reflector) {
    const options = this.ownOptions();
    this.#ownOptions = options !== undefined;
    const shared = withOneVerifier(options);
    this.#required = new CoreConsumerGuard<LpPlatformRequest>(true, shared);
    this.#optional = new CoreConsumerGuard<LpPlatformRequest>(false, shared);
  }

  /**
   * The options of a guard made by {@link ConsumerGuard.with}; none for the plain guard. A method
   * rather than a constructor parameter, so that subclasses keep the plain guard's injection.
   */
  protected ownOptions(): ConsumerGuardOptions | undefined {
    return undefined;
  }

  /**
   * A guard class with its own options: `maxAgeMs` (the token's `auth_time` must be this recent),
   * `verifier` (a `ConsumerVerifier`, or verifier options to build one for this guard alone), or
   * `getToken` (read the token from a cookie or a header of your own, given the platform's request).
   * Unlike the plain guard, it always verifies the token itself, even when another guard already did.
   *
   * @throws ConfigError now (at start-up) for invalid verifier options
   * @example
   * ```ts
   * @UseGuards(ConsumerGuard.with({ maxAgeMs: 5 * 60_000 }))
   * @Post('payment-methods')
   * addPaymentMethod(@Consumer('sub') sub: string) {}
   *
   * @UseGuards(ConsumerGuard.with({ getToken: (req) => req.headers['x-consumer-token'] as string }))
   * @Get('cart')
   * cart(@Consumer('sub') sub: string) {}
   * ```
   */
  static with(options: ConsumerGuardOptions): Type<ConsumerGuard> {
    // The verifier is built now, so that bad verifier options fail where they are written.
    const shared = withOneVerifier(options);
    @Injectable()
    class ConfiguredConsumerGuard extends ConsumerGuard {
      protected override ownOptions(): ConsumerGuardOptions {
        return shared;
      }
    }
    return mixin(ConfiguredConsumerGuard);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Fail closed: this guard cannot read a token from a WebSocket or RPC message.
    if (context.getType() !== 'http') return false;
    const targets = [context.getHandler(), context.getClass()];
    const access = this.reflector.getAllAndOverride<ConsumerAccess | undefined>(LP_CONSUMER_ACCESS, targets);
    if (access === 'public') return true;
    const checks = this.reflector.getAllAndMerge<ConsumerPredicate[]>(LP_CONSUMER_CHECKS, targets);

    const request = context.switchToHttp().getRequest<LpPlatformRequest>();
    const raw = nodeRequestOf(request);
    let admission = this.#ownOptions ? undefined : admissions.get(raw);
    if (!admission) {
      const guard = access === 'optional' ? this.#optional : this.#required;
      const parts = () =>
        bearerPartsOf(raw, { query: request.query, body: request.body, cookies: request.cookies });
      admission = await guard.admit(await guard.sourceOf(request, parts), contextAuth(raw.lp)?.consumer);
      admissions.set(raw, admission);
      if (admission.consumer) raw.lp = withConsumer(raw.lp, admission.consumer, 'LpAuthModule.forRoot(…)');
    }
    for (const check of checks) assertConsumer(admission.consumer, admission.verifier, check);
    return true;
  }
}

/** The options with verifier options built into one verifier (one key cache), shared by both modes. */
function withOneVerifier<T extends ConsumerGuardOptions | undefined>(options: T): T {
  const given = options?.verifier;
  // Duck-typed, as in the core: an app may end up with two copies of @lp-auth/core.
  if (given === undefined || typeof (given as ConsumerVerifier).verify === 'function') return options;
  return { ...options, verifier: createConsumerVerifier(given as ConsumerVerifierOptions) } as T;
}
