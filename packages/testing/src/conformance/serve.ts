import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Serves `listener` (an Express app, Koa's `app.callback()`, …) on 127.0.0.1 at a random port.
 * `close` stops it, ending keep-alive connections so that a test never waits for them.
 */
export async function serveOnLoopback(
  listener: RequestListener,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A loopback port that was free a moment ago (for an app whose redirect URI must name its port).
 * Another process may take it before the app listens: prefer {@link onFreeLoopbackPort}, which
 * tries again on another port when that happens.
 */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** How many ports {@link onFreeLoopbackPort} tries before it gives up. */
export const FREE_PORT_ATTEMPTS = 5;

/**
 * Runs `start(port)` with a loopback port that was free a moment ago, for an app that must know its
 * port before it listens (its redirect URI names it). Between the probe and the app's `listen`, any
 * process on the machine may take that port (an outgoing connection's local port is drawn from the
 * same range): when `start` fails with `EADDRINUSE`, it runs again with another port, up to
 * `attempts` times in all, then throws the last failure. Any other failure is thrown at once.
 *
 * `start` must undo what it set up before it throws (close the app, its middleware), since each try
 * builds a new one; whatever only registers the port (an emulator's redirect URI) may stay.
 */
export async function onFreeLoopbackPort<T>(
  start: (port: number) => Promise<T>,
  attempts = FREE_PORT_ATTEMPTS,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    try {
      return await start(port);
    } catch (error) {
      if (attempt >= attempts || !isAddressInUse(error)) throw error;
    }
  }
}

/** The failure of a `listen` on a port that is taken, as Node, Fastify and Nest report it. */
export function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}
