import { afterEach, describe, expect, test } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { CsdsUnavailableError, DomainResolver, silentLogger } from '../core.js';
import { answer } from './hostile-runtime.js';
import { hostileServer, type HostileServer } from './hostile-server.js';

/**
 * Issue item 5, CSDS: a failed answer is remembered for a short, jittered time, so a loop of
 * requests makes a few CSDS calls a minute instead of one per request; the last good answer keeps
 * serving meanwhile. Calls are counted on a CSDS of the test's own; the clock is moved by hand.
 */
const T0 = Date.parse('2030-01-01T00:00:00Z');
const ACCOUNT = '12345678';

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const good = (res: ServerResponse) =>
  answer(res, 200, {
    baseURIs: [{ service: 'sentinel', account: ACCOUNT, baseURI: 'sentinel.example.test' }],
  });

function resolverFor(clock: { now: number }, ttlMs = 600_000) {
  return new DomainResolver({
    accountId: ACCOUNT,
    csdsUrl: server!.url,
    ttlMs,
    staleIfErrorMs: 3_600_000,
    logger: silentLogger,
    now: () => clock.now,
  });
}

async function loop(domains: DomainResolver, clock: { now: number }, untilMs: number, stepMs: number) {
  const outcomes: unknown[] = [];
  for (let i = 0; clock.now < untilMs && i < 100_000; i++) {
    outcomes.push(await domains.resolve('sentinel').catch((e: unknown) => e));
    clock.now += stepMs;
  }
  return outcomes;
}

describe('a failing CSDS is asked a few times a minute, not once a request', () => {
  test.each([
    ['500', (res: ServerResponse) => answer(res, 500, 'oops')],
    ['a 200 that is not JSON', (res: ServerResponse) => answer(res, 200, '<html>garbage')],
    ['a 200 without any service', (res: ServerResponse) => answer(res, 200, { baseURIs: [] })],
  ])(
    '%s: at most 5 calls in a minute of a tight loop, each failure typed and naming the wait',
    async (_n, bad) => {
      server = await hostileServer((_req, res) => bad(res));
      const clock = { now: T0 };
      const outcomes = await loop(resolverFor(clock), clock, T0 + 60_000, 10);
      expect(outcomes.length).toBe(6000);
      // Remembered 5–10 s, then 10–20 s, then 15–30 s: calls at 0, 5, 15, 30, 45 s at the most.
      expect(server.calls()).toBeLessThanOrEqual(5);
      expect(server.calls()).toBeGreaterThanOrEqual(3);
      for (const outcome of outcomes) expect(outcome).toBeInstanceOf(CsdsUnavailableError);
      const remembered = outcomes.at(-2) as CsdsUnavailableError;
      expect(remembered.code).toBe('csds_unavailable');
      expect(remembered.retryAfterMs).toBeGreaterThan(0);
      expect(remembered.retryAfterMs).toBeLessThanOrEqual(30_000);
      expect(remembered.message).toMatch(/remembered; CSDS is asked again in \d+ s/);
    },
  );

  test('the last good answer keeps serving, with as few CSDS calls', async () => {
    server = await hostileServer((_req, res) => good(res));
    const clock = { now: T0 };
    const domains = resolverFor(clock, 1_000);
    expect(await domains.resolve('sentinel')).toBe('https://sentinel.example.test');
    server.handler = (_req, res) => answer(res, 503, 'down');
    clock.now += 1_001; // past the TTL: every resolve would ask CSDS
    const outcomes = await loop(domains, clock, clock.now + 60_000, 10);
    expect(outcomes.every((o) => o === 'https://sentinel.example.test')).toBe(true);
    expect(server.calls()).toBeLessThanOrEqual(1 + 5);
  });

  test('a good answer forgets the failures: the next failure is remembered the first step again', async () => {
    server = await hostileServer((_req, res) => answer(res, 500, 'oops'));
    const clock = { now: T0 };
    const domains = resolverFor(clock, 1_000);
    await loop(domains, clock, T0 + 40_000, 10); // three failures in a row at least
    const blocked = (await domains.resolve('sentinel').catch((e: unknown) => e)) as CsdsUnavailableError;
    server.handler = (_req, res) => good(res);
    clock.now += blocked.retryAfterMs! + 1;
    expect(await domains.resolve('sentinel')).toBe('https://sentinel.example.test');
    server.handler = (_req, res) => answer(res, 500, 'oops');
    domains.invalidate();
    await domains.resolve('sentinel').catch(() => undefined);
    const again = (await domains.resolve('sentinel').catch((e: unknown) => e)) as CsdsUnavailableError;
    expect(again.retryAfterMs).toBeGreaterThanOrEqual(5_000 - 1);
    expect(again.retryAfterMs).toBeLessThanOrEqual(10_000);
  });

  test('200 concurrent cold callers while CSDS fails: one call, counted as one failure', async () => {
    server = await hostileServer((_req, res) => answer(res, 500, 'oops'));
    const clock = { now: T0 };
    const domains = resolverFor(clock);
    await Promise.all(Array.from({ length: 200 }, () => domains.resolve('sentinel').catch(() => undefined)));
    expect(server.calls()).toBe(1);
    const blocked = (await domains.resolve('sentinel').catch((e: unknown) => e)) as CsdsUnavailableError;
    expect(blocked.retryAfterMs).toBeLessThanOrEqual(10_000);
  });
});
