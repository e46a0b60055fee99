import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ConfigError, type LpAuth } from '@lp-auth/core';
import { ConsumerGuard } from '@lp-auth/core/adapter';
import { FASTIFY, type ConsumerGuardOptions } from './consumer.js';
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
  readonly #guards: ConsumerGuard<FastifyRequest>[] = [];
  readonly #default: ConsumerMode | undefined;
  readonly #routeOptions: ConsumerGuardOptions = {};
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
    this.#routeOptions = options;
    this.#routeGuard(mode, 'The consumerGuard option');
  }

  /**
   * A guard bound to this app's core: its verifier is `options.verifier` (built now from options,
   * on the core's logger and events) or the core's.
   * @throws ConfigError now (at start-up) when there is neither
   */
  guard(required: boolean, options: ConsumerGuardOptions = {}, setup: string): ConsumerGuard<FastifyRequest> {
    const guard = new ConsumerGuard<FastifyRequest>(required, options, { ...FASTIFY, lp: this.#lp, setup });
    this.#guards.push(guard);
    return guard;
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
      if (mode !== undefined) {
        request.lp = await this.#routeGuard(mode).admit(request, request.lp ?? undefined);
      }
    } catch (error) {
      return refuse(error, request, reply);
    }
    return undefined;
  };

  /** Closes the verifiers the guards built from verifier options. */
  close(): void {
    for (const guard of this.#guards.splice(0)) guard.close();
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

  #routeGuard(mode: ConsumerMode, setup = `config.lpAuth.consumer '${mode}'`): ConsumerGuard<FastifyRequest> {
    let guard = this.#routeGuards.get(mode);
    if (!guard) {
      // One verifier for every route guard (one key cache): the consumerGuard option's, else the core's.
      const first = this.#routeGuards.values().next().value;
      const options = first
        ? { ...this.#routeOptions, verifier: first.verifierFor(this.#lp) }
        : this.#routeOptions;
      guard = this.guard(mode === 'required', options, setup);
      this.#routeGuards.set(mode, guard);
    }
    return guard;
  }
}
