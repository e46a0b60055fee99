import {
  Inject,
  Injectable,
  mixin,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type ConsumerPredicate } from '@lp-auth/core';
import {
  ConsumerGuard as CoreConsumerGuard,
  assertConsumer,
  bearerPartsOf,
  putLpContext,
  lpContextOf,
  type ConsumerGuardBinding,
  type ConsumerGuardOptions as CoreConsumerGuardOptions,
  type LpRequestContext,
} from '@lp-auth/core/adapter';
import { LP_CONSUMER_ACCESS, LP_CONSUMER_CHECKS, type ConsumerAccess } from './consumer-metadata.js';
import { nodeRequestOf } from './request-context.js';

/** The platform's request (Express's or Fastify's), as `getToken` receives it. */
export type LpPlatformRequest = { headers: Record<string, string | string[] | undefined> } & Record<
  string,
  unknown
>;

/** Options of {@link ConsumerGuard.with}; `getToken` receives the platform's request. */
export type ConsumerGuardOptions = CoreConsumerGuardOptions<LpPlatformRequest>;

/** How the core's guard reads a request of either platform. */
const NEST: ConsumerGuardBinding<LpPlatformRequest> = {
  partsOf: (request) =>
    bearerPartsOf(nodeRequestOf(request), {
      query: () => request.query,
      body: () => request.body,
      cookies: () => request.cookies,
    }),
};

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
  /** Handler → controller → its rules (see {@link #routeOf}). */
  readonly #routes = new WeakMap<object, WeakMap<object, RouteRules>>();

  constructor(@Inject(Reflector) private readonly reflector: Reflector) {
    const options = this.ownOptions();
    this.#ownOptions = options !== undefined;
    this.#required = new CoreConsumerGuard<LpPlatformRequest>(true, options, NEST);
    // Both modes share the verifier the first one built from verifier options (one key cache).
    const own =
      options?.verifier === undefined ? options : { ...options, verifier: this.#required.ownVerifier };
    this.#optional = new CoreConsumerGuard<LpPlatformRequest>(false, own, NEST);
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
    const built = new CoreConsumerGuard<LpPlatformRequest>(true, options, NEST).ownVerifier;
    const shared = built === undefined ? options : { ...options, verifier: built };
    @Injectable()
    class ConfiguredConsumerGuard extends ConsumerGuard {
      protected override ownOptions(): ConsumerGuardOptions {
        return shared;
      }
    }
    return mixin(ConfiguredConsumerGuard);
  }

  /**
   * What the route's decorators ask of this guard, read once per handler (and class: a handler
   * inherited by two controllers is read for each). Decorators run when a class is defined, so
   * the metadata a request meets is the one its first request met; reading it on every request
   * (four metadata lookups and a merged array) cost more than the rest of a cached token's check.
   */
  #routeOf(handler: object, controller: object): RouteRules {
    let byController = this.#routes.get(handler);
    let rules = byController?.get(controller);
    if (rules === undefined) {
      const targets = [handler as () => unknown, controller as Type];
      rules = {
        access: this.reflector.getAllAndOverride<ConsumerAccess | undefined>(LP_CONSUMER_ACCESS, targets),
        checks: this.reflector.getAllAndMerge<ConsumerPredicate[]>(LP_CONSUMER_CHECKS, targets),
      };
      if (byController === undefined) this.#routes.set(handler, (byController = new WeakMap()));
      byController.set(controller, rules);
    }
    return rules;
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // Fail closed: this guard cannot read a token from a WebSocket or RPC message.
    if (context.getType() !== 'http') return false;
    const { access, checks } = this.#routeOf(context.getHandler(), context.getClass());
    if (access === 'public') return true;

    const request = context.switchToHttp().getRequest<LpPlatformRequest>();
    const raw = nodeRequestOf(request);
    const guard = access === 'optional' ? this.#optional : this.#required;
    let lp: LpRequestContext | undefined = lpContextOf(raw);
    // A route guarded twice (the global guard and a route's claim decorators) verifies its token
    // once: a consumer the same verifier admitted is kept, unless this guard has options of its own.
    if (this.#ownOptions || !lp?.consumer || lp.verifier !== guard.verifierFor(lp.auth)) {
      // A token the verifier has cached is admitted in the same turn, without a promise.
      const admitted = guard.admitNow(request, lp);
      if (admitted instanceof Promise) {
        return admitted.then((later) => {
          putLpContext(raw, later);
          return checked(later, checks);
        });
      }
      putLpContext(raw, admitted);
      lp = admitted;
    }
    return checked(lp, checks);
  }
}

/** A route's `@Public()` / `@OptionalConsumer()` and its claim checks, class and handler merged. */
interface RouteRules {
  readonly access: ConsumerAccess | undefined;
  readonly checks: readonly ConsumerPredicate[];
}

/** Applies the route's claim checks to the admitted consumer (403 `claim_check_failed` on a miss). */
function checked(lp: LpRequestContext, checks: readonly ConsumerPredicate[]): true {
  for (const check of checks) assertConsumer(lp.consumer, lp.verifier, check);
  return true;
}
