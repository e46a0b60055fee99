/**
 * `Retry-After` from an API endpoint is remembered until it passes (hardening item 5): a loop of
 * calls after a 429 with a long wait sends nothing upstream, per endpoint, until the wait is over.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { LpApiError, LpClient, OrchestratorV1Credential } from '../core.js';
import { answer, hostileRuntime } from './hostile-runtime.js';
import { hostileServer, type HostileServer } from './hostile-server.js';
import { TRANSPORTS } from './transports.js';

const servers: HostileServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe.each(TRANSPORTS)(
  'request() over $transport: an API endpoint that asks to wait is not asked again before the wait passes',
  ({ transport }) => {
    test.each([
      ['429', 429, 'GET'],
      ['503', 503, 'POST'],
    ] as const)(
      '%s with Retry-After: 999999 costs one call, then none for an hour',
      async (_name, status, method) => {
        const api = await hostileServer((req, res) =>
          req.url?.startsWith('/limited')
            ? answer(res, status, { error: 'slow down' }, { 'retry-after': '999999' })
            : answer(res, 200, { ok: true }),
        );
        servers.push(api);
        const clock = { now: Date.UTC(2026, 11, 6) };
        const runtime = hostileRuntime(api.url, clock, { requestTransport: transport });
        const client = new LpClient(
          new OrchestratorV1Credential({ apiKey: 'an-api-key-of-the-test' }),
          runtime,
        );
        const call = () =>
          client
            .request({ service: 'orchestratorContext', path: '/limited/v1/x', method })
            .catch((e: unknown) => e);

        const first = (await call()) as LpApiError;
        expect(first).toBeInstanceOf(LpApiError);
        expect(first.status).toBe(status);
        expect(api.calls('/limited/v1/x')).toBe(1);

        const errors: unknown[] = [];
        for (let i = 0; i < 1000; i++) {
          clock.now += 3_000; // 50 simulated minutes in all
          errors.push(await call());
        }
        expect(api.calls('/limited/v1/x')).toBe(1);
        const last = errors.at(-1) as LpApiError;
        expect(last).toMatchObject({ code: 'api_error', status });
        expect(last.retryAfterMs).toBeGreaterThan(0);
        expect(last.retryAfterMs).toBeLessThanOrEqual(10 * 60_000);
        expect(last.message).toMatch(/no request was sent\. Next attempt in \d+ s/);

        // Another endpoint of the same host is not held back.
        await expect(
          client.request({ service: 'orchestratorContext', path: '/other' }),
        ).resolves.toMatchObject({ status: 200 });

        // Capped at an hour: then the endpoint is asked again, once.
        clock.now += 10 * 60_000 + 1;
        await call();
        expect(api.calls('/limited/v1/x')).toBe(2);
      },
    );

    test('a short remembered wait (within http.retry.maxRetryAfterMs) is sat out, then the call goes through', async () => {
      const seenAt: number[] = [];
      const api = await hostileServer((_req, res) => {
        seenAt.push(performance.now());
        if (seenAt.length === 1) return answer(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
        answer(res, 200, { ok: true });
      });
      servers.push(api);
      const clock = { now: Date.UTC(2026, 11, 6) };
      // One attempt: the 429 ends the first call, so its 1 s wait is left for the next one to honour.
      const runtime = hostileRuntime(api.url, clock, {
        requestTransport: transport,
        retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 30_000 },
      });
      const client = new LpClient(
        new OrchestratorV1Credential({ apiKey: 'an-api-key-of-the-test' }),
        runtime,
      );
      const first = await client
        .request({ service: 'orchestratorContext', path: '/p' })
        .catch((e: unknown) => e);
      expect(first).toMatchObject({ status: 429 });
      await expect(client.request({ service: 'orchestratorContext', path: '/p' })).resolves.toMatchObject({
        status: 200,
      });
      expect(api.calls('/p')).toBe(2);
      // The second request reached the server only after the wait it was asked for (generous bound).
      expect(seenAt[1]! - seenAt[0]!).toBeGreaterThan(900);
    });
  },
);
