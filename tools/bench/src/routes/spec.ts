/** What the parent tells a benchmark server child to be, and what the child answers. */

export type Framework = 'express' | 'koa' | 'fastify' | 'nest';

/**
 * `bare`: the framework's hello world; `noop`: the hooks ours uses (an app-wide middleware and a
 * route guard) doing nothing; `ours`: `requireConsumer()`; otherwise a peer's id.
 */
export type Variant =
  | 'bare'
  | 'noop'
  | 'ours'
  | 'express-jwt'
  | 'express-oauth2-jwt-bearer'
  | 'koa-jwt'
  | 'fastify-jwt'
  | 'passport-jwt';

/** The identity provider every guarded server trusts: the same issuer, audience and JWKS. */
export interface IdpInfo {
  issuer: string;
  jwksUri: string;
  audience: string;
}

export interface ServerSpec {
  framework: Framework;
  variant: Variant;
  idp: IdpInfo;
}

/** The child's first message: the port it listens on, or why this server cannot be built yet. */
export type ServerReady = { port: number } | { pending: string };

/** The one route every server serves: `GET /consumer` → `{"sub": "…"}` (the consumer, or `anonymous`). */
export const ROUTE = '/consumer';

/** The `sub` of the same-token workload's token, and what the unguarded apps answer: equal bytes. */
export const SAME_TOKEN_SUB = 'consumer-repeated';

/** A server under test, listening on 127.0.0.1. */
export interface Listening {
  port: number;
  close(): Promise<void>;
}

/** Thrown by a server builder when our adapter for the framework has no consumer guard yet. */
export class AdapterPending extends Error {}
