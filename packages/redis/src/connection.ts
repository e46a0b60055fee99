import { createClient, ErrorReply } from 'redis';
import { redactUrl, type Logger } from '@lp-auth/core';
import { withDeadline } from './command-deadline.js';
import type { RedisClientLike, ResolvedRedisStoreOptions } from './options.js';

/** Reconnect delays of a client the store creates: quick at first, then once a second. */
const reconnectDelay = (retries: number): number => Math.min(50 * 2 ** retries, 1000);

/**
 * The store's link to Redis: which client, whether it can be used right now, and the warnings when
 * it stops and starts being usable. A command that fails because Redis is down (refused, reset,
 * timed out, client not ready) marks an outage; the store then works from memory until the client
 * is ready again. Warnings are logged once per outage, not once per command.
 *
 * A connected Redis that stops answering is an outage too: every command carries our own deadline
 * ({@link withDeadline}); the first one that passes it makes the connection "stalled", and from
 * then on calls answer from memory at once instead of each waiting out the deadline. One `PING`
 * goes to Redis meanwhile; Redis answers it only after the commands queued before it, so its answer
 * means Redis is back and has applied whatever we gave up on: the store then returns to Redis.
 */
export class RedisConnection {
  readonly client: RedisClientLike;
  readonly ownsClient: boolean;
  /** The URL without credentials, for messages. */
  readonly where: string;
  readonly #logger: Logger;
  readonly #commandTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #firstConnection: Promise<void>;
  #settleFirst: () => void = () => {};
  #firstTimer: NodeJS.Timeout | undefined;
  readonly #onBack: () => void;
  #outage = false;
  /** A command passed its deadline on a connection that is still open; cleared when Redis answers. */
  #stalled = false;
  #probeTimer: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * @param onBack called when Redis is usable again after an outage (the store then drops what it
   *   kept in memory meanwhile)
   */
  constructor(options: ResolvedRedisStoreOptions, onBack: () => void = () => {}) {
    this.#onBack = onBack;
    this.#logger = options.logger;
    this.#commandTimeoutMs = options.commandTimeoutMs;
    this.#connectTimeoutMs = options.connectTimeoutMs;
    this.where = options.url !== undefined ? redactUrl(options.url) : 'the given Redis client';
    this.#firstConnection = new Promise<void>((resolve) => {
      this.#settleFirst = () => {
        clearTimeout(this.#firstTimer);
        resolve();
      };
    });
    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
    } else {
      const client = createClient({
        url: options.url,
        // Commands fail at once while disconnected, rather than queue behind an outage.
        disableOfflineQueue: true,
        socket: { connectTimeout: options.connectTimeoutMs, reconnectStrategy: reconnectDelay },
      });
      this.client = client;
      this.ownsClient = true;
    }
    this.client.on('ready', this.#onReady);
    this.client.on('error', this.#onError);
    if (this.client.isReady) this.#settleFirst();
    else {
      this.#firstTimer = setTimeout(() => this.#settleFirst(), options.connectTimeoutMs);
      this.#firstTimer.unref();
    }
    if (this.ownsClient) {
      (this.client as ReturnType<typeof createClient>).connect().catch(() => {
        // Reported through the 'error' event; the client keeps reconnecting by its strategy.
      });
    }
  }

  /**
   * Runs `command` on Redis when it can be used, else (or when it fails for want of Redis) runs
   * `fallback` and marks an outage. Errors Redis itself answered (a reply error) are not an outage:
   * they are logged and the fallback answers that one call.
   */
  async run<T>(what: string, command: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    await this.#firstConnection;
    if (!this.client.isReady) {
      this.#down(what, 'the Redis client is not connected');
      return fallback();
    }
    // Already reported; sending more would only make each call wait out the deadline again.
    if (this.#stalled) return fallback();
    try {
      const result = await command();
      this.#up();
      return result;
    } catch (error) {
      if (error instanceof ErrorReply) {
        this.#logger.warn(`@lp-auth/redis: Redis refused to ${what}; answered from this process's memory`, {
          error: error.message,
        });
      } else {
        this.#down(what, describe(error));
      }
      return fallback();
    }
  }

  /**
   * Sends one command, bounded by `commandTimeoutMs` whether or not it has been written yet. Past
   * the deadline it rejects with a `RedisCommandTimeoutError` and the connection counts as stalled.
   *
   * @param onLateReply called with the reply if Redis answers after the deadline: the command ran
   *   after all, and the caller may have to undo it (a lock we no longer wait for)
   */
  send(args: readonly string[], onLateReply?: (reply: unknown) => void): Promise<unknown> {
    // node-redis's own timeout still drops a command that was never written, so it never runs late.
    const pending = this.client.sendCommand(args, { timeout: this.#commandTimeoutMs });
    return withDeadline(pending, args[0] ?? 'command', this.#commandTimeoutMs, {
      onTimeout: (error) => {
        this.#down('command', error.message);
        this.#stall();
      },
      ...(onLateReply ? { onLateReply } : {}),
    });
  }

  /** Whether the store is working from memory because Redis is unreachable or not answering. */
  get degraded(): boolean {
    return this.#outage || this.#stalled || !this.client.isReady;
  }

  /** Whether a command passed its deadline and Redis has not answered since. */
  get stalled(): boolean {
    return this.#stalled;
  }

  /** Stops listening to the client, and closes it if the store created it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#probeTimer);
    this.#settleFirst();
    if (this.ownsClient && this.client.isOpen) {
      const client = this.client as ReturnType<typeof createClient>;
      // A socket still being opened survives destroy() and would keep the process alive: let the
      // attempt end (ready, or refused) first.
      if (!client.isReady) await this.#nextAttempt();
      // close() waits for every pending reply, which a stalled Redis never sends: give it one
      // deadline, then drop the socket.
      if (client.isReady && !this.#stalled) await this.#closeWithin(client, this.#commandTimeoutMs);
      if (client.isOpen) client.destroy();
    }
    // A client we were given lives on without our listeners. Our own keeps them: a late 'error'
    // from its last attempt must not go unhandled, and removing a node-redis client's last
    // listeners detaches those added afterwards (its emitter state is shared with a prototype).
    if (!this.ownsClient) {
      this.client.off('ready', this.#onReady);
      this.client.off('error', this.#onError);
    }
  }

  async #closeWithin(client: ReturnType<typeof createClient>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.close().catch(() => {}),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }

  /** Resolves when the client's current connection attempt succeeds or fails (or after the connect timeout). */
  #nextAttempt(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.client.off('ready', done);
        this.client.off('error', done);
        resolve();
      };
      const timer = setTimeout(done, this.#connectTimeoutMs);
      this.client.on('ready', done);
      this.client.on('error', done);
    });
  }

  readonly #onReady = (): void => {
    this.#settleFirst();
    this.#up();
  };

  readonly #onError = (error?: unknown): void => {
    // Before the first connection, a refusal ends the wait at once: calls go to memory meanwhile.
    this.#settleFirst();
    if (!this.client.isReady) this.#down('connect', describe(error));
  };

  #down(what: string, reason: string): void {
    if (this.#outage || this.#closed) return;
    this.#outage = true;
    this.#logger.warn(
      `@lp-auth/redis: Redis at ${this.where} is unavailable (${what}: ${reason}); tokens and locks ` +
        'stay in this process until it is back, so each process may fetch its own token meanwhile',
    );
  }

  /** Enters the stalled state and sends the one probe that tells when Redis answers again. */
  #stall(): void {
    if (this.#stalled || this.#closed) return;
    this.#stalled = true;
    this.#probe();
  }

  #probe(): void {
    // No deadline on purpose: no caller waits for it, and one PING left pending is all a stall of any
    // length costs (a deadline and a resend each time would queue one more per deadline instead).
    this.client.sendCommand(['PING']).then(
      () => this.#up(),
      (error: unknown) => {
        if (error instanceof ErrorReply) return this.#up(); // an error reply is an answer too
        if (this.#closed || !this.#stalled) return;
        if (!this.client.isReady) {
          // The connection itself failed: its 'ready' event now marks the end of the outage, and
          // run() answers from memory meanwhile because the client is not ready.
          this.#stalled = false;
          return;
        }
        // A client given to us may time commands out by its own options: ask again later.
        this.#probeTimer = setTimeout(() => this.#probe(), this.#commandTimeoutMs);
        this.#probeTimer.unref();
      },
    );
  }

  #up(): void {
    // Any answer after a stall began (the probe, or a command sent after the stalled one) means
    // Redis answers again: commands on one connection are answered in order.
    this.#stalled = false;
    clearTimeout(this.#probeTimer);
    if (!this.#outage || this.#closed) return;
    this.#outage = false;
    this.#logger.info(
      `@lp-auth/redis: Redis at ${this.where} is back; tokens are shared across processes again`,
    );
    this.#onBack();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${code} ${error.message}`
      : error.message;
  }
  return String(error);
}
