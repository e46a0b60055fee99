import { afterEach, describe, expect, test } from '@jest/globals';
import type { Emulator } from '@lp-auth/testing';
import {
  createLpAuth,
  silentLogger,
  CredentialsRejectedError,
  InvalidResponseError,
  LpApiError,
  RetryBudgetExceededError,
  type AppJwtCredential,
  type LpAuth,
} from './core.js';
import {
  SKILLS_PATH,
  waitFor,
  emulatorWithAuth,
  expectNoSecret,
  printed,
  recordingLogger,
  secretsOf,
  sleep,
} from './helpers.js';
import { TRANSPORTS } from './hostile/transports.js';

let current: { emu: Emulator; lp: LpAuth; close: () => Promise<void> } | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

const skills = (lp: LpAuth) =>
  lp.client('appJwt').request<unknown[]>({ service: 'accountConfigReadOnly', path: SKILLS_PATH });

describe('AppJWT through LpClient against the emulator', () => {
  test('resolves the service through CSDS, fetches a token and calls the API', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    const res = await skills(lp);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.data)).toBe(true);
    expect(res.requestId).toEqual(expect.any(String));
    // The answer's headers: a WHATWG Headers, the same object on every read (a change to it stays).
    expect(res.headers).toBeInstanceOf(Headers);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    res.headers.set('x-seen', '1');
    expect(res.headers.get('x-seen')).toBe('1');
    expect(emu.stats.count('sentinel.token')).toBe(1);
    expect(emu.stats.count('csds.all')).toBe(1);
    await skills(lp);
    expect(emu.stats.count('sentinel.token')).toBe(1);
    expect(emu.stats.count('csds.all')).toBe(1);
  });

  test('1,000 concurrent requests on a cold cache make one token call and one CSDS call', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    const results = await Promise.all(Array.from({ length: 1000 }, () => skills(lp)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(emu.stats.count('sentinel.token')).toBe(1);
    expect(emu.stats.count('csds.all')).toBe(1);
    expect(emu.stats.count('api.skills')).toBe(1000);
  });

  test('the v2 token path works as v1', async () => {
    current = await emulatorWithAuth();
    const { emu } = current;
    const lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      credentials: { appJwt: { ...emu.credentials.appJwt, tokenPath: 'v2' } },
    });
    try {
      expect((await skills(lp)).status).toBe(200);
      expect(emu.stats.count('sentinel.token')).toBe(1);
    } finally {
      await lp.close();
    }
  });

  test('refreshes before expiry in the background: a caller with a valid token does not wait', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    emu.faults.tokenLifetime('sentinel.token', 4);
    const credential = lp.client('appJwt').credential as AppJwtCredential;
    await skills(lp);
    const first = credential.tokens.peek();
    expect(first).toBeDefined();
    // Past 75 % of the lifetime the token is due for refresh but still valid.
    await sleep(first!.refreshAt - Date.now() + 50);
    emu.faults.inject('sentinel.token', { latencyMs: 1500 });
    const res = await skills(lp);
    expect(res.status).toBe(200);
    // The call finished while the slow refresh was still under way: it used the old token.
    expect(credential.tokens.peek()?.value).toBe(first!.value);
    await waitFor(() => emu.stats.count('sentinel.token') === 2, 'the background token refresh');
    await waitFor(() => credential.tokens.peek()?.value !== first!.value, 'the refreshed token', 3000);
    await skills(lp);
    expect(emu.stats.count('sentinel.token')).toBe(2);
  });

  test('a 2xx with truncated JSON is tried once more, then reported as invalid_response', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    const truncated = { status: 200, body: '{"id": 10', headers: { 'content-type': 'application/json' } };
    emu.faults.inject('api.skills', truncated);
    expect((await skills(lp)).status).toBe(200);
    expect(emu.stats.count('api.skills')).toBe(2);

    emu.faults.inject('api.skills', { ...truncated, times: 2 });
    const error = await skills(lp).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).code).toBe('invalid_response');
    expect(emu.stats.count('api.skills')).toBe(4);
  });

  test.each(TRANSPORTS)(
    'a JSON answer that starts with a byte order mark is read as JSON, not refused ($transport)',
    async ({ http }) => {
      // RFC 8259 lets a parser ignore a BOM; Windows-hosted gateways have been seen to add one.
      current = await emulatorWithAuth();
      const { emu } = current;
      const lp = createLpAuth({
        ...emu.lpAuthOptions(),
        logger: silentLogger,
        http,
        credentials: { appJwt: emu.credentials.appJwt },
      });
      try {
        const body = '\uFEFF[{"id": 10, "name": "bom"}]';
        emu.faults.inject('api.skills', {
          status: 200,
          body,
          headers: { 'content-type': 'application/json' },
        });
        const res = await skills(lp);
        expect(res.data).toEqual([{ id: 10, name: 'bom' }]);
        expect(emu.stats.count('api.skills')).toBe(1);
      } finally {
        await lp.close();
      }
    },
  );

  test('recovers from a 500 on the API', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    emu.faults.inject('api.skills', { status: 500 });
    expect((await skills(lp)).status).toBe(200);
    expect(emu.stats.count('api.skills')).toBe(2);
  });

  test('waits out a 429 with Retry-After, then succeeds', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    await skills(lp);
    emu.faults.inject('api.skills', { status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    expect((await skills(lp)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(emu.stats.count('api.skills')).toBe(3);
  });

  test('recovers from a dropped connection on the API and on the token endpoint', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    emu.faults.inject('sentinel.token', { drop: true });
    emu.faults.inject('api.skills', { drop: true });
    expect((await skills(lp)).status).toBe(200);
    expect(emu.stats.count('sentinel.token')).toBe(2);
    expect(emu.stats.count('api.skills')).toBe(2);
  });

  test('recovers from token endpoint 503s', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    emu.faults.inject('sentinel.token', { status: 503, times: 2 });
    expect((await skills(lp)).status).toBe(200);
    expect(emu.stats.count('sentinel.token')).toBe(3);
  });

  test('ends in a typed error when the retry budget is spent', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    emu.faults.inject('api.skills', { status: 503, times: Infinity });
    const error = await skills(lp).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryBudgetExceededError);
    expect((error as RetryBudgetExceededError).code).toBe('retry_budget_exceeded');
    expect((error as RetryBudgetExceededError).attempts).toBe(4);
    const cause = (error as RetryBudgetExceededError).cause as LpApiError;
    expect(cause).toBeInstanceOf(LpApiError);
    expect(cause.status).toBe(503);
    expect(emu.stats.count('api.skills')).toBe(4);
  });

  test('a token endpoint that keeps failing ends in retry_budget_exceeded', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    emu.faults.inject('sentinel.token', { status: 500, times: Infinity });
    const error = await skills(lp).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryBudgetExceededError);
    expect(emu.stats.count('sentinel.token')).toBe(4);
    expect(emu.stats.count('api.skills')).toBe(0);
  });

  test('a 401 from the API forces one refresh and one retry', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    await skills(lp);
    emu.faults.inject('api.skills', { status: 401 });
    expect((await skills(lp)).status).toBe(200);
    expect(emu.stats.count('sentinel.token')).toBe(2);
    expect(emu.stats.count('api.skills')).toBe(3);
  });

  test('concurrent 401s share one forced refresh', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    await skills(lp);
    // The signing key is rotated away: every cached token is now rejected with 401.
    await emu.rotateSigningKey({ dropOld: true });
    const results = await Promise.all(Array.from({ length: 20 }, () => skills(lp)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(emu.stats.count('sentinel.token')).toBe(2);
  });

  test('a second 401 is returned as an LpApiError, not retried forever', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    emu.faults.inject('api.skills', { status: 401, times: Infinity });
    const error = await skills(lp).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LpApiError);
    expect((error as LpApiError).status).toBe(401);
    expect(emu.stats.count('api.skills')).toBe(2);
  });

  test('wrong client secret is credentials_rejected, with no secret anywhere', async () => {
    const logger = recordingLogger();
    current = await emulatorWithAuth({ logger });
    const { emu } = current;
    const wrong = 'f'.repeat(24) + 'wrongsecretvalue';
    const lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger,
      credentials: { appJwt: { clientId: emu.credentials.appJwt.clientId, clientSecret: wrong } },
    });
    try {
      const error = await skills(lp).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialsRejectedError);
      expect((error as CredentialsRejectedError).status).toBe(401);
      expect(emu.stats.count('sentinel.token')).toBe(1);
      expectNoSecret(printed(error), [wrong, ...secretsOf(emu)]);
      expectNoSecret(logger.lines.join('\n'), [wrong, ...secretsOf(emu)]);
    } finally {
      await lp.close();
    }
  });
});
