import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_RETRY_POLICY,
  DomainResolver,
  MemoryTokenStore,
  type CredentialRuntime,
  type Logger,
} from '../../src/index.js';
import { recordingLogger } from '../helpers.js';

/**
 * A LivePerson that misbehaves on purpose: a plain `node:http` server on 127.0.0.1 that answers
 * every request with `handler` and counts the requests per path, so a test can assert how many
 * upstream calls the library made.
 */
export interface HostileServer {
  url: string;
  /** Requests received, by path (query left out). */
  calls(path?: string): number;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

export async function hostileServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<HostileServer> {
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    // The body is drained before answering, so that a keep-alive connection stays usable.
    req.resume();
    req.on('end', () => self.handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const self: HostileServer = {
    url: `http://127.0.0.1:${port}`,
    handler,
    calls: (path) =>
      path === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(path) ?? 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return self;
}

/** Answers `status` with a JSON body and extra headers. */
export function answer(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A clock the test moves by hand (epoch milliseconds). */
export interface ManualClock {
  now: number;
}

let accounts = 0;

/**
 * The runtime a credential gets from `createLpAuth`, with every LivePerson service pointed at
 * `url` (CSDS is never asked), a clock the test moves, and short in-process retry delays.
 */
export function hostileRuntime(
  url: string,
  clock: ManualClock,
  extra: Partial<Omit<CredentialRuntime, 'logger'>> = {},
): CredentialRuntime & { logger: Logger & { lines: string[] } } {
  // A fresh account per runtime: remembered refusals are process-wide, keyed by account.
  const accountId = `9${String(++accounts).padStart(7, '0')}`;
  const logger = recordingLogger();
  const now = () => clock.now;
  return {
    accountId,
    domains: new DomainResolver({
      accountId,
      overrides: { sentinel: url, agentVep: url, orchestratorContext: url },
      logger,
      now,
    }),
    fetch: (input, init) => fetch(input, init),
    store: new MemoryTokenStore({ now }),
    retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 5 },
    timeoutMs: 5_000,
    now,
    ...extra,
    logger,
  };
}
