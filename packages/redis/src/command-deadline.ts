import { LpAuthError } from '@lp-auth/core';

/**
 * Redis took longer than `commandTimeoutMs` to answer a command. The store never throws it to its
 * callers: it answers that call from this process's memory and reports the outage once. Its message
 * names the command (`GET`, `SET`, `EVAL`…) and the deadline only, never a key or a value.
 */
export class RedisCommandTimeoutError extends LpAuthError {
  /** The command's name, e.g. `GET`. */
  readonly command: string;
  /** The deadline that passed, in milliseconds. */
  readonly timeoutMs: number;

  constructor(command: string, timeoutMs: number) {
    super(
      'redis_command_timeout',
      `Redis did not answer ${command} within ${timeoutMs} ms (commandTimeoutMs)`,
      {
        httpStatus: 503,
      },
    );
    this.command = command;
    this.timeoutMs = timeoutMs;
  }
}

/** What {@link withDeadline} reports about a command that answered after its deadline. */
export interface LateAnswer<T> {
  /** The deadline passed (the caller has been given a {@link RedisCommandTimeoutError}). */
  onTimeout(error: RedisCommandTimeoutError): void;
  /** The reply arrived anyway, after the deadline: the command did run in Redis. */
  onLateReply?(reply: T): void;
}

/**
 * Settles as `pending` does, or rejects with a {@link RedisCommandTimeoutError} once `timeoutMs`
 * has passed, whichever comes first.
 *
 * Our own timer, because node-redis drops a command's `timeout` once the command is written to the
 * socket: a Redis that is connected but stopped answering (`DEBUG SLEEP`, a paused process, a
 * blocked script) would otherwise hold every caller as long as it stalls. The timer is cleared as
 * soon as `pending` settles, so a healthy Redis leaves no timer behind, and nothing but the timer
 * and `pending` hold the closure.
 */
export function withDeadline<T>(
  pending: Promise<T>,
  command: string,
  timeoutMs: number,
  late: LateAnswer<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      // After the event loop was blocked (a busy process), timers run before sockets are read: the
      // reply may be waiting, unread. setImmediate runs after the next read, so only a reply that
      // has not arrived by now times the command out.
      setImmediate(() => {
        if (settled) return;
        timedOut = true;
        const error = new RedisCommandTimeoutError(command, timeoutMs);
        reject(error);
        late.onTimeout(error);
      });
    }, timeoutMs);
    pending.then(
      (reply) => {
        if (!timedOut) {
          settled = true;
          clearTimeout(timer);
          resolve(reply);
        } else late.onLateReply?.(reply);
      },
      (error: unknown) => {
        // After the deadline this changes nothing: the promise has already been rejected.
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
