import type { Logger } from './logger.js';

/** Every event an `LpAuth` emits, with its payload. No payload ever holds a secret or a token. */
export interface LpAuthEvents {
  /** A credential obtained a token (first time, proactive refresh, or after a 401). */
  'token.refreshed': { credential: string; expiresAt: number; background: boolean };
  /** A token request failed; in the background the current token stays in use. */
  'token.failed': { credential: string; code: string; message: string; background: boolean };
  /** The consumer verifier fetched an identity provider's keys. */
  'jwks.refreshed': { issuer: string; keys: number };
  /** The identity provider's keys could not be fetched; the last good ones stay in use for a bounded time. */
  'jwks.stale': { issuer: string; ageMs: number; error: string };
  /** A consumer token was refused, with the stable code of the reason. */
  'consumer.rejected': { code: string; issuer?: string };
}

export type LpAuthEventName = keyof LpAuthEvents;
export type LpAuthListener<E extends LpAuthEventName> = (payload: LpAuthEvents[E]) => void;

/**
 * A small typed event bus. Listeners run synchronously and a throwing listener is logged, never
 * allowed to break a token refresh or a request.
 */
export class LpAuthEventBus {
  readonly #listeners = new Map<LpAuthEventName, Set<(payload: never) => void>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Adds `listener` for `event`; returns a function that removes it. */
  on<E extends LpAuthEventName>(event: E, listener: LpAuthListener<E>): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener as (payload: never) => void);
    this.#listeners.set(event, set);
    return () => this.off(event, listener);
  }

  off<E extends LpAuthEventName>(event: E, listener: LpAuthListener<E>): void {
    this.#listeners.get(event)?.delete(listener as (payload: never) => void);
  }

  emit<E extends LpAuthEventName>(event: E, payload: LpAuthEvents[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as LpAuthListener<E>)(payload);
      } catch (error) {
        this.#logger.error(`a listener of "${event}" threw; ignored`, {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}
