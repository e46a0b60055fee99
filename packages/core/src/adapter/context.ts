import { IncomingMessage } from 'node:http';
import { ConfigError } from '../errors/index.js';
import { createLpAuth, type LpAuth, type LpClients } from '../lp-auth.js';
import type { LpAuthOptions } from '../config/options.js';
import type { ConsumerIdentity } from '../consumer/identity.js';
import type { ConsumerVerifier } from '../consumer/verifier.js';
import type { UserSession } from '../app-authorization/app-authorization-session.js';

/**
 * What every adapter puts on the request (`req.lp`, `ctx.state.lp`, `request.lp`): one frozen
 * object, shared by every request until a guard admits a consumer, which puts its own copy (with
 * `consumer` and `verifier`) in its place.
 */
export interface LpRequestContext {
  /** One authorized LivePerson client per configured credential (shared, built once). */
  readonly clients: Readonly<LpClients>;
  /**
   * The wired core, for anything beyond the clients. Set by the adapter's setup (`lpAuth()`, the
   * plugin, the module); absent only on the context of a guard given its own verifier and used
   * without that setup.
   */
  readonly auth?: LpAuth;
  /** The verified consumer, on routes guarded by the adapter's `requireConsumer()` / `optionalConsumer()`. */
  readonly consumer?: ConsumerIdentity;
  /**
   * The consumer verifier of this request: the one that judged it (set by a guard, also when an
   * optional guard let a request without a token through), else the `LpAuth`'s (its `consumer`
   * option). Claim checks and `token_missing` answers use its realm and events.
   */
  readonly verifier?: ConsumerVerifier;
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
  return Object.freeze({ clients: lp.clients, auth: lp, ...(lp.consumer ? { verifier: lp.consumer } : {}) });
}

/**
 * The context an adapter put on a request, for typed accessors (`lpOf(req)`): a request that
 * reached the handler without one (the adapter's setup is not in front of this route) is a
 * `ConfigError` that says which `setup` to add, never a `TypeError` on `undefined`.
 */
export function requireLpContext(context: LpRequestContext | undefined, setup: string): LpRequestContext {
  if (context) return context;
  throw new ConfigError('lpAuth', `the request has no LivePerson context: ${setup} before this route.`);
}

/** The contexts of requests whose `lp` is an accessor on their framework's prototype (see {@link putLpContext}). */
const accessorContexts = new WeakMap<object, LpRequestContext | undefined>();
/**
 * Request prototypes already looked at by {@link putLpContext}: `true` when this copy of the core
 * put the `lp` accessor on their chain, so that a request's context can go to
 * {@link accessorContexts} directly.
 */
const preparedPrototypes = new WeakMap<object, boolean>();

/**
 * Sets `req.lp`, for adapters whose request is Node's `IncomingMessage` (Express, NestJS on Express,
 * Fastify's `raw`). Same result as `req.lp = context`, cheaper on Express.
 *
 * Express gives every request its app's prototype (`Object.setPrototypeOf(req, app.request)`), and
 * after that V8 (Node 20) builds a new hidden class for each property then added to the request: an
 * own `req.lp` cost each request about 35,000 instructions (~3.5 µs, more than the rest of a cached
 * consumer check). So where a framework has put a prototype of its own between the request and
 * `IncomingMessage.prototype`, `lp` becomes an accessor on the topmost such prototype (Express's
 * `express.request`, which every app's and mounted app's `app.request` inherits), its values kept
 * in a `WeakMap` by request; Express documents that prototype as the place to extend requests.
 * Elsewhere `lp` stays an own property. Either way `req.lp` reads and writes as before, a request
 * `lpAuth()` did not see reads `undefined`, and a second copy of the core uses the accessor the
 * first one defined.
 */
export function putLpContext(req: { lp?: LpRequestContext | undefined }, context: LpRequestContext): void {
  const prototype = Object.getPrototypeOf(req) as object | null;
  if (prototype !== null) {
    const ours = preparedPrototypes.get(prototype) ?? prepareRequestPrototype(prototype);
    // What `req.lp = context` would do through the accessor, without the property access: on a
    // request whose hidden class is new (Express's), every property access misses V8's inline
    // cache, ~2,500 instructions each.
    if (ours) {
      accessorContexts.set(req, context);
      return;
    }
  }
  req.lp = context;
}

/**
 * `req.lp`, as {@link putLpContext} left it: the same value, read without the property access on an
 * Express request (see there).
 */
export function lpContextOf(req: { lp?: LpRequestContext | undefined }): LpRequestContext | undefined {
  // A context put through this copy's accessor is found without the prototype (on Express,
  // `Object.getPrototypeOf` of a request goes to V8's runtime).
  const put = accessorContexts.get(req);
  if (put !== undefined) return put;
  // Not put through the accessor: undefined under this copy's accessor, else what `req.lp` holds.
  const prototype = Object.getPrototypeOf(req) as object | null;
  return prototype !== null && preparedPrototypes.get(prototype) === true ? undefined : req.lp;
}

/** Puts the `lp` accessor on `prototype`'s chain where it belongs; whether this copy of the core did. */
function prepareRequestPrototype(prototype: object): boolean {
  let ours: boolean;
  try {
    ours = defineAccessor(prototype);
  } catch {
    ours = false; // a frozen prototype: `lp` stays an own property of each request
  }
  preparedPrototypes.set(prototype, ours);
  return ours;
}

function defineAccessor(prototype: object): boolean {
  if (prototype === IncomingMessage.prototype) return false;
  let top = prototype;
  for (;;) {
    const above = Object.getPrototypeOf(top) as object | null;
    if (above === IncomingMessage.prototype) break;
    if (above === null) return false; // not a Node request (a test's plain object, HTTP/2's compatibility request)
    top = above;
  }
  const existing = Object.getOwnPropertyDescriptor(top, 'lp');
  // Ours already (another app's prototype under the same top), else another copy of the core's
  // or the app's own: that one is used through `req.lp`.
  if (existing) return existing.get === getLp;
  Object.defineProperty(top, 'lp', { configurable: true, enumerable: false, get: getLp, set: setLp });
  return true;
}

function getLp(this: object): LpRequestContext | undefined {
  return accessorContexts.get(this);
}

function setLp(this: object, value: LpRequestContext | undefined): void {
  accessorContexts.set(this, value);
}
