import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import {
  ConfigError,
  ConsumerGuard,
  createConsumerVerifier,
  type ConsumerVerifier,
  type ConsumerVerifierOptions,
  type LpAuth,
} from '@lp-auth/core';
import { admit, type ConsumerGuardOptions } from './consumer.js';
import { refuse } from './error-reply.js';

/** `'required'`: `requireConsumer()`; `'optional'`: `optionalConsumer()`. */
export type ConsumerMode = 'required' | 'optional';

/** The plugin's `consumerGuard` option: the mode, or the mode with the guard's options. */
export type ConsumerGuardSetting = ConsumerMode | ({ mode: ConsumerMode } & ConsumerGuardOptions);

/**
 * A route's `config.lpAuth`.
 *
 * @example
 * ```ts
 * app.get('/health', { config: { lpAuth: { public: true } } }, async () => ({ ok: true }));
 * app.get('/catalog', { config: { lpAuth: { consumer: 'optional' } } }, catalog);
 * ```
 */
export interface LpAuthRouteConfig {
  /** Skips the plugin's `consumerGuard` on this route (a health check, a public page, a webhook). */
  public?: boolean;
  /** This route's guard: overrides the plugin's `consumerGuard`, or guards this route alone without one. */
  consumer?: ConsumerMode;
}

const MODES: readonly ConsumerMode[] = ['required', 'optional'];

/**
 * The consumer guards bound to one app's core: `app.lp.requireConsumer()`, and the guard that
 * the plugin's `consumerGuard` option and the routes' `config.lpAuth` put on routes. Verifiers
 * it builds from options report on the core's events and logger, and close with the app.
 */
export class AppConsumerGuards {
  readonly #lp: LpAuth;
  readonly #built: ConsumerVerifier[] = [];
  readonly #default: ConsumerMode | undefined;
  #routeOptions: ConsumerGuardOptions | undefined;
  readonly #routeGuards = new Map<ConsumerMode, ConsumerGuard<FastifyRequest>>();

  /** @throws ConfigError now, when `setting` is not a mode or no verifier is configured for it */
  constructor(lp: LpAuth, setting: ConsumerGuardSetting | undefined) {
    this.#lp = lp;
    if (setting === undefined) return;
    const { mode, ...options } = typeof setting === 'string' ? { mode: setting } : setting;
    if (!MODES.includes(mode)) {
      throw new ConfigError('consumerGuard', `must be 'required' or 'optional' (or { mode, verifier }).`);
    }
    this.#default = mode;
    this.#routeOptions = this.resolve(options, 'The consumerGuard option');
  }

  /**
   * A guard of this app: its verifier is `options.verifier` (built now from options) or the core's.
   * @throws ConfigError now (at start-up) when there is neither
   */
  guard(required: boolean, options: ConsumerGuardOptions = {}, setup: string): ConsumerGuard<FastifyRequest> {
    return new ConsumerGuard<FastifyRequest>(required, this.resolve(options, setup));
  }

  /** `options` with a built verifier in place of verifier options, or the core's verifier. */
  resolve(options: ConsumerGuardOptions, setup: string): ConsumerGuardOptions {
    const given = options.verifier;
    if (given === undefined) {
      if (!this.#lp.consumer) {
        throw new ConfigError(
          'consumer',
          `${setup} has no verifier: set the "consumer" option of lpAuth, or pass { verifier: { issuer, … } }.`,
        );
      }
      return { ...options, verifier: this.#lp.consumer };
    }
    // Duck-typed like the core's guard: an app may end up with two copies of @lp-auth/core.
    if (typeof (given as ConsumerVerifier).verify === 'function') return options;
    const built = createConsumerVerifier(given as ConsumerVerifierOptions, {
      logger: this.#lp.logger,
      events: this.#lp.events,
    });
    this.#built.push(built);
    return { ...options, verifier: built };
  }

  /**
   * An `onRoute` hook: checks a route's `config.lpAuth` when it is declared, so that a typo or a
   * guard without a verifier fails at start-up instead of on the first request.
   */
  checkRoute(route: RouteOptions): void {
    const mode = this.#modeOf(route.config?.lpAuth, () => `${String(route.method)} ${route.url}`);
    if (mode !== undefined) this.#routeGuard(mode);
  }

  /**
   * A `preValidation` hook (the body is parsed, so a body token can be read; schema validation
   * has not run, so a refused request learns nothing about the schema): runs the route's guard.
   */
  readonly guardRoute = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> => {
    try {
      const { config, url } = request.routeOptions;
      const mode = this.#modeOf(config.lpAuth, () => `${request.method} ${url}`);
      if (mode !== undefined) await admit(this.#routeGuard(mode), request);
    } catch (error) {
      return refuse(error, request, reply);
    }
    return undefined;
  };

  /** Closes the verifiers built here. */
  close(): void {
    for (const verifier of this.#built.splice(0)) verifier.close();
  }

  #modeOf(config: LpAuthRouteConfig | undefined, route: () => string): ConsumerMode | undefined {
    if (config === undefined) return this.#default;
    const invalid = (message: string) => new ConfigError(`config.lpAuth of ${route()}`, message);
    if (typeof config !== 'object' || config === null) throw invalid('must be an object.');
    if (config.public !== undefined && typeof config.public !== 'boolean') {
      throw invalid('"public" must be true or false.');
    }
    if (config.consumer !== undefined && !MODES.includes(config.consumer)) {
      throw invalid(`"consumer" must be 'required' or 'optional'.`);
    }
    if (config.public && config.consumer !== undefined) {
      throw invalid('a public route cannot also have a consumer guard; set one of the two.');
    }
    return config.public ? undefined : (config.consumer ?? this.#default);
  }

  #routeGuard(mode: ConsumerMode): ConsumerGuard<FastifyRequest> {
    let guard = this.#routeGuards.get(mode);
    if (!guard) {
      // One verifier for every route guard: the consumerGuard option's, else the core's.
      this.#routeOptions ??= this.resolve({}, `config.lpAuth.consumer '${mode}'`);
      guard = new ConsumerGuard<FastifyRequest>(mode === 'required', this.#routeOptions);
      this.#routeGuards.set(mode, guard);
    }
    return guard;
  }
}
