import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Listening } from './spec.js';

/** Listens on a free port of 127.0.0.1 and gives the port and a close function. */
export async function listenLoopback(server: Server): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * An export of one of our adapters, looked up at run time: the Koa, Fastify and Nest consumer
 * guards land separately, and a missing one makes its rows say "adapter pending" instead of failing.
 */
export async function adapterExport<T>(module: string, name: string): Promise<T | undefined> {
  const loaded = (await import(module)) as Record<string, unknown>;
  return loaded[name] as T | undefined;
}
