import type { ServerResponse } from 'node:http';
import {
  DEFAULT_RETRY_POLICY,
  DomainResolver,
  MemoryTokenStore,
  type CredentialRuntime,
  type Logger,
} from '../core.js';
import { recordingLogger } from '../helpers.js';

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
