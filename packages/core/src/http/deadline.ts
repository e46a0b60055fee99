import { AbortedError, LpAuthError, NetworkError, TimeoutError } from '../errors/index.js';

/**
 * A deadline of our own for one piece of work: a timer we hold and clear on settle, and an
 * AbortController that the timer and the caller's signal both abort, with a typed reason
 * ({@link TimeoutError} or {@link AbortedError}) so that whoever waits on {@link Deadline.signal}
 * (a fetch, a token wait, a backoff pause) fails with an error a program can switch on.
 *
 * Why not `AbortSignal.timeout()` merged by `AbortSignal.any()`: on Node 20 and 22 the merged signal
 * can be garbage-collected while a request still depends on it, and the timeout then never fires.
 * The timer here is referenced by the event loop until cleared, and it references the controller.
 */
export class Deadline {
  #what: string | (() => string);
  readonly timeoutMs: number | undefined;
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  readonly #endsAt: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  #onCallerAbort: (() => void) | undefined;

  /**
   * `what` names the work in errors (`GET https://…`, redacted); a function is called only when an
   * error needs it, so the hot path builds no message. `timeoutMs` undefined: only the caller's
   * signal ends the work.
   */
  constructor(what: string | (() => string), timeoutMs: number | undefined, callerSignal?: AbortSignal) {
    this.#what = what;
    this.timeoutMs = timeoutMs;
    this.#callerSignal = callerSignal;
    this.#endsAt = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    if (callerSignal?.aborted) {
      this.#controller.abort(new AbortedError(this.what, callerSignal.reason));
      return;
    }
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(
        () => {
          this.#timedOut = true;
          this.#timer = undefined;
          this.#release();
          this.#controller.abort(new TimeoutError(this.what, timeoutMs));
        },
        Math.max(0, timeoutMs),
      );
    }
    if (callerSignal) {
      this.#onCallerAbort = () => {
        this.clear();
        this.#controller.abort(new AbortedError(this.what, callerSignal.reason));
      };
      callerSignal.addEventListener('abort', this.#onCallerAbort, { once: true });
    }
  }

  /** What the work is, for error messages (the URL redacted). */
  get what(): string {
    if (typeof this.#what === 'function') this.#what = this.#what();
    return this.#what;
  }

  /** Aborts when the deadline passes or the caller aborts; the reason is a typed error. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the deadline (not the caller) ended the work. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Milliseconds left, or undefined when only the caller's signal bounds the work. */
  remainingMs(): number | undefined {
    return this.#endsAt === undefined ? undefined : this.#endsAt - performance.now();
  }

  /** Ends the work now (e.g. a body over its limit): the pending request is aborted. */
  abort(): void {
    this.clear();
    if (!this.#controller.signal.aborted) this.#controller.abort(new AbortedError(this.what));
  }

  /** The work settled: stop the timer and forget the caller's signal. */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#release();
  }

  /**
   * The typed error for a failure seen while the deadline was active: the deadline's own reason
   * once it fired, else the failure if already typed, else a {@link NetworkError}
   * (undici's "fetch failed" and "terminated" carry the socket error as their cause).
   */
  failure(error: unknown): LpAuthError {
    const reason: unknown = this.#controller.signal.reason;
    if (this.#controller.signal.aborted && reason instanceof LpAuthError) return reason;
    if (error instanceof LpAuthError) return error;
    return new NetworkError(this.what, error);
  }

  #release(): void {
    if (this.#onCallerAbort) this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
    this.#onCallerAbort = undefined;
  }
}

/** Settles as `promise`, or rejects with the signal's reason when it aborts first. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
