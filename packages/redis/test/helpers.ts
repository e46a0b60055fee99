import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { createClient } from 'redis';
import type { Logger } from '@lp-auth/core';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export type AdminClient = ReturnType<typeof createClient>;

/**
 * A client for the tests themselves (reading raw values, cleaning up), or `undefined` when no Redis
 * answers. Without Redis the suite is skipped with a one-line notice, except under `CI`, where it fails.
 */
export async function connectAdmin(suite: string): Promise<AdminClient | undefined> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    if (client.isOpen) client.destroy();
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI) {
      throw new Error(`${suite}: Redis is required under CI but ${REDIS_URL} is unreachable (${reason})`, {
        cause: error,
      });
    }
    process.stderr.write(`[skip] ${suite}: no Redis at ${REDIS_URL} (${reason}); set REDIS_URL to run it\n`);
    return undefined;
  }
}

/** A key prefix no other run or test uses. */
export const uniquePrefix = (label: string) =>
  `lp-auth-test:${label}:${process.pid}:${randomUUID().slice(0, 8)}:`;

/** Deletes every key under `prefix`. */
export async function deletePrefix(admin: AdminClient, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const batch of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
  if (keys.length > 0) await admin.del(keys);
}

/** A fresh random AES-256 key. */
export const newKey = () => randomBytes(32);

/** A logger that keeps every line, so tests can read warnings and search them for secrets. */
export function recordingLogger(): Logger & { lines: string[]; warnings(): string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string, data?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${data ? inspect(data, { depth: 5 }) : ''}`);
  };
  return {
    lines,
    warnings: () => lines.filter((line) => line.startsWith('warn ')),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns true (or `timeoutMs` passes, then fails with `what`). */
export async function waitFor(probe: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * A port on 127.0.0.1 that refuses connections for the whole test. Below 1024, so the kernel never
 * hands it to another test's `listen(0)` or to an outgoing connection; a released ephemeral port
 * can be taken meanwhile (a CI run once found an HTTP server of another test on one).
 */
export const REFUSED_PORT = 1;

/** A TCP port nothing listens on now (bound once, then released): another process may take it later. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP relay in front of the real Redis, so a test can cut the store off from Redis and bring it
 * back on the same port without touching the Redis server itself.
 */
export class RedisRelay {
  readonly #target: URL;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;

  constructor(targetUrl = REDIS_URL) {
    this.#target = new URL(targetUrl);
  }

  /** The Redis URL through the relay (credentials and database of the target kept). */
  get url(): string {
    const url = new URL(this.#target);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async start(): Promise<void> {
    const server = createServer((inbound) => {
      const outbound = connect(Number(this.#target.port || 6379), this.#target.hostname);
      for (const socket of [inbound, outbound]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => {});
      }
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Refuses new connections and cuts the open ones: Redis is "down" for whoever uses the relay. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
