import { afterEach } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the hostile server saw it. */
export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A plain `node:http` server of the test's own on 127.0.0.1 that plays whatever part a test gives it. */
export interface HostileServer {
  url: string;
  origin: string;
  seen: Seen[];
  /** Requests received, all or those to one path (query left out). */
  calls: (path?: string) => number;
  /** What answers the next requests; a test may swap it mid-way. */
  handler: HostileHandler;
  /** Bytes the handlers managed to write before the peer went away, summed. */
  bytesWritten: () => number;
  close: () => Promise<void>;
}

export type HostileHandler = (req: Seen, res: http.ServerResponse, raw: http.IncomingMessage) => void;

export async function hostileServer(handler: HostileHandler): Promise<HostileServer> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let written = 0;
  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const req: Seen = {
        method: raw.method ?? 'GET',
        url: raw.url ?? '/',
        headers: raw.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(req);
      self.handler(req, res, raw);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      written += socket.bytesWritten;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const self: HostileServer = {
    url: origin,
    origin,
    seen,
    handler,
    calls: (path) =>
      path === undefined ? seen.length : seen.filter((r) => r.url.split('?')[0] === path).length,
    bytesWritten: () => written + [...sockets].reduce((n, s) => n + s.bytesWritten, 0),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return self;
}

/** Headers now, then a body that never comes (a stalled upstream). */
export function stallBody(res: http.ServerResponse, contentType = 'application/json'): void {
  res.writeHead(200, { 'content-type': contentType });
  res.write('{"access_token":"');
}

/** Runs `gc()` every few ms while `work` is pending, so a collectable timer would be collected. */
export async function underGcPressure<T>(work: Promise<T>): Promise<T> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run this test with node --expose-gc (the core test script does)');
  let done = false;
  // Handled at once, so that a rejection while the loop sleeps is not reported as unhandled.
  const settled = work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  void settled.finally(() => {
    done = true;
  });
  while (!done) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const outcome = await settled;
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

/** How long `work` took to settle, and how it settled. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; error?: unknown; value?: T }> {
  const start = performance.now();
  try {
    const value = await work();
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

/** A CSDS answer listing every service at `origin` (a loopback http host, as the emulator does). */
export function csdsListing(origin: string, services: readonly string[]): string {
  const host = new URL(origin).host;
  return JSON.stringify({
    baseURIs: services.map((service) => ({ service, account: '1234', baseURI: host })),
  });
}

/**
 * For one test file: `serve` starts a hostile server that is closed after each test, and
 * `onCleanup` registers anything else to close (newest first).
 */
export function hostileScope(): {
  serve: (handler: HostileHandler) => Promise<HostileServer>;
  onCleanup: (cleanup: () => Promise<unknown>) => void;
} {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    serve: async (handler) => {
      const server = await hostileServer(handler);
      cleanups.push(() => server.close());
      return server;
    },
    onCleanup: (cleanup) => void cleanups.push(cleanup),
  };
}
