import { afterEach, describe, expect, test } from '@jest/globals';
import type { LpAuthError } from '../core.js';
import {
  AppJwtCredential,
  CredentialsRejectedError,
  MemoryTokenStore,
  RetryBudgetExceededError,
  TokenRequestError,
} from '../core.js';
import { printed } from '../helpers.js';
import { answer, hostileRuntime } from './hostile-runtime.js';
import { hostileServer, type HostileServer } from './hostile-server.js';

/**
 * Issue item 5: a token endpoint's refusal or Retry-After is remembered, so a caller in a tight loop
 * makes a handful of upstream calls instead of tens of thousands. The clock is the runtime's, moved
 * by hand; the upstream calls are counted on the hostile server itself.
 */
const T0 = Date.parse('2030-01-01T00:00:00Z');
const SECRET = 'client-secret-never-printed';

let server: HostileServer | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await server?.close();
  server = undefined;
});

const refuse = (_req: unknown, res: Parameters<typeof answer>[0]) =>
  answer(res, 401, { error: 'invalid_client' });
const grant = (_req: unknown, res: Parameters<typeof answer>[0]) =>
  answer(res, 200, { access_token: 'granted', token_type: 'Bearer', expires_in: 3600 });

function appJwt(clock: { now: number }, extra: Parameters<typeof hostileRuntime>[2] = {}) {
  const runtime = hostileRuntime(server!.url, clock, extra);
  const credential = new AppJwtCredential({ clientId: 'looping-app', clientSecret: SECRET }, runtime);
  closers.push(() => credential.close());
  return { runtime, credential };
}

/** Calls `getToken` in a loop, moving the clock `stepMs` each time, until `untilMs`; returns the errors. */
async function tightLoop(
  getToken: () => Promise<unknown>,
  clock: { now: number },
  untilMs: number,
  stepMs: number,
): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (let i = 0; clock.now < untilMs && i < 100_000; i++) {
    await getToken().then(
      () => errors.push(undefined),
      (e: unknown) => errors.push(e),
    );
    clock.now += stepMs;
  }
  return errors;
}

describe('a refused credential backs off', () => {
  test('a tight loop against a Sentinel that always answers 401: at most 6 calls in the first minute, 11 in ten', async () => {
    server = await hostileServer(refuse);
    const clock = { now: T0 };
    const { credential, runtime } = appJwt(clock);
    // Jittered waits of at least 1, 2, 4, 8, 16, 32 s, … 150 s: calls at 0, 1, 3, 7, 15, 31 s at the most.
    const first = await tightLoop(() => credential.tokens.getToken(), clock, T0 + 60_000, 10);
    expect(first.length).toBe(6000);
    expect(server.calls()).toBeLessThanOrEqual(6);
    expect(server.calls()).toBeGreaterThanOrEqual(3);
    const later = await tightLoop(() => credential.tokens.getToken(), clock, T0 + 600_000, 100);
    expect(later.length).toBe(5400);
    expect(server.calls()).toBeLessThanOrEqual(11);

    for (const error of [...first, ...later]) {
      expect(error).toBeInstanceOf(CredentialsRejectedError);
      expect((error as LpAuthError).code).toBe('credentials_rejected');
      expect((error as CredentialsRejectedError).retryAfterMs).toBeGreaterThan(0);
    }
    const last = later.at(-1) as CredentialsRejectedError;
    expect(last.message).toMatch(/401 .* Refused by LivePerson \d+ times in a row; next attempt in \d+ s/);
    expect(last.retryAfterMs).toBeLessThanOrEqual(300_000);
    expect(printed(last)).not.toContain(SECRET);
    expect(runtime.logger.lines.join('\n')).not.toContain(SECRET);
  });

  test('the wait shows in real time too: a loop of 1.5 s makes at most 2 calls', async () => {
    server = await hostileServer(refuse);
    const { credential } = appJwt({ now: 0 }, { now: Date.now, store: new MemoryTokenStore() });
    const deadline = Date.now() + 1_500;
    let iterations = 0;
    while (Date.now() < deadline) {
      await credential.tokens.getToken().catch(() => undefined);
      iterations++;
    }
    expect(iterations).toBeGreaterThan(100);
    expect(server.calls()).toBeLessThanOrEqual(2);
  });

  test('invalidate() and a second credential of the same account and client do not get around it', async () => {
    server = await hostileServer(refuse);
    const clock = { now: T0 };
    const { credential, runtime } = appJwt(clock);
    await expect(credential.tokens.getToken()).rejects.toBeInstanceOf(CredentialsRejectedError);
    expect(server.calls()).toBe(1);
    for (let i = 0; i < 1000; i++) {
      await credential.invalidate();
      await credential.tokens.getToken().catch(() => undefined);
    }
    // As an application that builds its LpAuth again (same account and client id) would.
    const again = new AppJwtCredential({ clientId: 'looping-app', clientSecret: SECRET }, { ...runtime });
    closers.push(() => again.close());
    const error = await again.tokens.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect((error as CredentialsRejectedError).retryAfterMs).toBeGreaterThan(0);
    expect(server.calls()).toBe(1);
  });

  test('a success resets the backoff: the next refusal waits the first step again', async () => {
    server = await hostileServer(refuse);
    const clock = { now: T0 };
    const { credential } = appJwt(clock);
    await tightLoop(() => credential.tokens.getToken(), clock, T0 + 20_000, 10);
    const before = server.calls();
    expect(before).toBeGreaterThanOrEqual(3);
    const blocked = (await credential.tokens.getToken().catch((e: unknown) => e)) as CredentialsRejectedError;
    expect(blocked.retryAfterMs).toBeGreaterThan(0);
    server.handler = grant;
    clock.now += blocked.retryAfterMs! + 1;
    expect((await credential.tokens.getToken()).value).toBe('granted');
    server.handler = refuse;
    await credential.invalidate();
    const refused = (await credential.tokens.getToken().catch((e: unknown) => e)) as CredentialsRejectedError;
    expect(refused).toBeInstanceOf(CredentialsRejectedError);
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(2_000);
    expect(refused.message).toMatch(/Refused by LivePerson once; next attempt in [12] s/);
  });

  test('a refusal another process wrote to the shared store blocks this one without an upstream call', async () => {
    server = await hostileServer(grant);
    const clock = { now: T0 };
    const { credential, runtime } = appJwt(clock);
    await runtime.store.set(
      `lp:${runtime.accountId}:appJwt:looping-app:failure`,
      { until: T0 + 30_000, refusals: 4, kind: 'refused', status: 401, message: 'refused elsewhere.' },
      30_000,
    );
    const error = (await credential.tokens.getToken().catch((e: unknown) => e)) as CredentialsRejectedError;
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect(error.retryAfterMs).toBe(30_000);
    expect(server.calls()).toBe(0);
    clock.now = T0 + 30_001;
    expect((await credential.tokens.getToken()).value).toBe('granted');
    expect(server.calls()).toBe(1);
  });
});

describe('Retry-After from the token endpoint is remembered', () => {
  test('429 with Retry-After: 999999: one call, then fail-fast naming the wait, capped at 1 h', async () => {
    server = await hostileServer((_req, res) =>
      answer(res, 429, { error: 'slow_down' }, { 'retry-after': '999999' }),
    );
    const clock = { now: T0 };
    const { credential } = appJwt(clock);
    const first = await credential.tokens.getToken().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RetryBudgetExceededError);
    expect(server.calls()).toBe(1);
    const errors = await tightLoop(() => credential.tokens.getToken(), clock, T0 + 3_599_000, 500);
    expect(errors.length).toBeGreaterThan(7000);
    expect(server.calls()).toBe(1);
    const last = errors.at(-1) as TokenRequestError;
    expect(last).toBeInstanceOf(TokenRequestError);
    expect(last.code).toBe('token_request_failed');
    expect(last.status).toBe(429);
    expect(last.retryAfterMs).toBe(1_500); // the last loop call was at 3,598.5 s
    expect(last.message).toMatch(/answered 429, asking for a pause \(Retry-After\); next attempt in 2 s/);
    expect((errors[0] as TokenRequestError).retryAfterMs).toBeGreaterThan(3_590_000);
    clock.now = T0 + 3_600_001;
    await credential.tokens.getToken().catch(() => undefined);
    expect(server.calls()).toBe(2);
  });

  test('503 with Retry-After: 120 blocks for 120 s, then the token endpoint is asked again', async () => {
    server = await hostileServer((_req, res) => answer(res, 503, 'busy', { 'retry-after': '120' }));
    const clock = { now: T0 };
    const { credential } = appJwt(clock);
    await credential.tokens.getToken().catch(() => undefined);
    await tightLoop(() => credential.tokens.getToken(), clock, T0 + 119_000, 10);
    expect(server.calls()).toBe(1);
    server.handler = grant;
    clock.now = T0 + 120_001;
    expect((await credential.tokens.getToken()).value).toBe('granted');
    expect(server.calls()).toBe(2);
  });
});
