import { ConfigError } from './errors/index.js';
import { createLpAuth, type LpAuth, type LpClients } from './lp-auth.js';
import type { LpAuthOptions } from './config/options.js';
import type { ConsumerIdentity } from './consumer/identity.js';
import type { UserSession } from './credentials/app-authorization-session.js';

/** What every adapter puts on the request (`req.lp`, `ctx.state.lp`, `request.lp`). */
export interface LpRequestContext {
  /** One authorized LivePerson client per configured credential (shared, built once). */
  readonly clients: Readonly<LpClients>;
  /** The wired core, for anything beyond the clients. */
  readonly auth: LpAuth;
  /** The verified consumer, on routes guarded by the adapter's `requireConsumer()` / `optionalConsumer()`. */
  readonly consumer?: ConsumerIdentity;
  /**
   * The LivePerson user logged in through application authorization (the session cookie of the
   * adapter's login routes): who, and a client that calls LivePerson as them.
   */
  readonly user?: UserSession;
}

/** Whether `value` is an already built {@link LpAuth} rather than options. */
export function isLpAuth(value: unknown): value is LpAuth {
  return (
    !!value &&
    typeof value === 'object' &&
    'clients' in value &&
    typeof (value as LpAuth).close === 'function' &&
    typeof (value as LpAuth).client === 'function'
  );
}

/**
 * The one `LpAuth` an adapter works with: the one given, or one built from options (validated now,
 * so a bad field fails at start-up), or from the `LP_*` environment variables when nothing is given.
 * `owned` says whether the adapter built it, and so must close it on shutdown.
 */
export function adapterLpAuth(options?: LpAuthOptions | LpAuth): { lp: LpAuth; owned: boolean } {
  if (isLpAuth(options)) return { lp: options, owned: false };
  return { lp: createLpAuth(options), owned: true };
}

/** The frozen per-request context every adapter hands out (the same object on every request). */
export function lpRequestContext(lp: LpAuth): LpRequestContext {
  return Object.freeze({ clients: lp.clients, auth: lp });
}

/**
 * A per-request copy of the shared context with the verified consumer (the shared one stays
 * untouched). Without a context (a guard given its own verifier, on an app without the adapter's
 * setup) it has no clients, and reading `auth` throws a `ConfigError` that says what to add.
 */
export function withConsumer(
  context: LpRequestContext | undefined,
  consumer: ConsumerIdentity,
  setup = 'lpAuth(options)',
): LpRequestContext {
  if (context) return Object.freeze({ ...context, consumer });
  return Object.freeze(
    Object.defineProperties({} as LpRequestContext, {
      clients: { value: Object.freeze({}), enumerable: true },
      consumer: { value: consumer, enumerable: true },
      auth: {
        enumerable: false,
        get() {
          throw new ConfigError('lpAuth', `The request context's auth needs ${setup} before this route.`);
        },
      },
    }),
  );
}

/**
 * The `LpAuth` of a context, if it has one: a data property only, since the context of a guard
 * used without the adapter's setup has a throwing getter instead.
 */
export function contextAuth(context: LpRequestContext | undefined): LpAuth | undefined {
  return context
    ? (Object.getOwnPropertyDescriptor(context, 'auth')?.value as LpAuth | undefined)
    : undefined;
}
