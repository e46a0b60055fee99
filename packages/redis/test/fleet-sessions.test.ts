import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loginThroughEmulator, startEmulator, type Emulator } from '@lp-auth/testing';
import { createLpAuth, randomToken, silentLogger, type LpAuth } from '@lp-auth/core';
import { createPkce, userSessionKey, type StoredUserSession } from '@lp-auth/core/adapter';
import { createRedisStore, type RedisTokenStore } from '../src/index.js';
import { connectAdmin, deletePrefix, newKey, REDIS_URL, sleep, uniquePrefix, waitFor } from './helpers.js';
import { ensureBuilt, FleetWorker, type BurstResult } from './fleet.js';

// The second half of the multi-process proof: N processes share one user's session (application
// authorization) through Redis and refresh its rotating refresh token concurrently, across several
// access-token expiries and forced refreshes. Sentinel must see one refresh grant per expiry, and
// never a reused refresh token: the emulator answers a reuse with invalid_grant and revokes the
// session, which every later request would then report as session_ended.
const admin = await connectAdmin('@lp-auth/redis multi-process session tests');
const describeRedis = admin ? describe : describe.skip;
const WORKERS = 8;
const REQUESTS = 400;
const FORCED = 40;
// Long enough that a burst on a loaded 2-core machine ends before the next refresh is due.
const LIFETIME_S = 8;
const REDIRECT = 'http://127.0.0.1:8765/auth/callback';
const prefix = uniquePrefix('fleet-sessions');
const key = newKey();

let emu: Emulator;
let workers: FleetWorker[] = [];
let lp: LpAuth;
let store: RedisTokenStore;

interface UserPeek {
  issuedAt?: number;
  refreshAt?: number;
  expiresAt?: number;
  fingerprint?: string;
  warnings: number;
  failedRefreshes: string[];
}

const grants = () => emu.stats.count('sentinel.userToken');
const peekAll = (sessionId: string) =>
  Promise.all(workers.map((w) => w.call<UserPeek>('userPeek', { sessionId })));

/** Every worker at once: `REQUESTS` calls as the user in all, and `forced` forced refreshes in each. */
async function burst(sessionId: string, forced = 0): Promise<BurstResult> {
  const n = REQUESTS / WORKERS;
  const results = await Promise.all(
    workers.map((w) => w.call<BurstResult>('userBurst', { sessionId, n, forced })),
  );
  return {
    ok: results.reduce((sum, r) => sum + r.ok, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    firstError: results.find((r) => r.firstError !== undefined)?.firstError,
  };
}

/** Logs the emulator's user in (the browser part played over HTTP) and returns the session id. */
async function logIn(): Promise<string> {
  const auth = lp.appAuthorization!;
  const state = randomToken();
  const pkce = createPkce();
  const back = await loginThroughEmulator(
    await auth.authorizationUrl({ state, pkce }),
    emu.credentials.login,
  );
  expect(back.searchParams.get('state')).toBe(state);
  const session = await auth.exchangeCode({
    code: back.searchParams.get('code')!,
    codeVerifier: pkce.verifier,
  });
  return session.id;
}

/** One refresh grant at Sentinel with `refreshToken`, outside the library: its OAuth answer. */
async function redeem(refreshToken: string): Promise<{ status: number; error?: string }> {
  const { clientId, clientSecret } = emu.credentials.appAuthorization;
  const response = await fetch(`${emu.url}/sentinel/api/account/${emu.accountId}/token?v=1.0`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  const body = (await response.json()) as { error?: string };
  return { status: response.status, ...(body.error ? { error: body.error } : {}) };
}

beforeAll(async () => {
  if (!admin) return;
  ensureBuilt('core', 'redis');
  emu = await startEmulator({ credentials: { appAuthorization: { redirectUris: [REDIRECT] } } });
  const appAuthorization = { ...emu.credentials.appAuthorization, redirectUri: REDIRECT };
  // The process that serves the login callback: it stores the session every worker then opens.
  store = createRedisStore({ url: REDIS_URL, encryptionKey: key, prefix, logger: silentLogger });
  lp = createLpAuth({ ...emu.lpAuthOptions(), appAuthorization, logger: silentLogger, store });
  workers = Array.from({ length: WORKERS }, (_, i) => new FleetWorker(i));
  await Promise.all(workers.map((w) => w.ready));
  const order = {
    lpOptions: emu.lpAuthOptions(),
    appAuthorization,
    redisUrl: REDIS_URL,
    key: key.toString('hex'),
    prefix,
  };
  await Promise.all(workers.map((w) => w.call('configure', order)));
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  if (!admin) return;
  await lp.close();
  await store.close();
  await emu.close();
  await deletePrefix(admin, prefix);
  admin.destroy();
});

describeRedis(`${WORKERS} processes sharing one user's session through Redis`, () => {
  test('concurrent refreshes of a rotating refresh token: one grant per expiry, never invalid_grant', async () => {
    const started = Date.now();
    emu.faults.tokenLifetime('sentinel.userToken', LIFETIME_S);
    const sessionId = await logIn();
    expect(grants()).toBe(1); // the code exchange

    const first = await burst(sessionId);
    expect(first).toEqual({ ok: REQUESTS, failed: 0, firstError: undefined });
    // The access token of the code exchange serves every process: no refresh yet.
    expect(grants()).toBe(1);
    let expected = 1;

    // Two proactive refreshes (token past 75 % of its life, still valid), one expiry, then two rounds
    // in which every process forces a refresh at once, as after a 401, beside its calls.
    const cycles = ['refreshAt', 'refreshAt', 'expiresAt', 'forced', 'forced'] as const;
    for (const moment of cycles) {
      const held = await peekAll(sessionId);
      // Every process holds the same access token: they share it rather than each refreshing.
      expect(new Set(held.map((p) => p.fingerprint)).size).toBe(1);
      if (moment !== 'forced') await sleep(Math.max(0, held[0]![moment]! - Date.now() + 50));
      const result = await burst(sessionId, moment === 'forced' ? FORCED / WORKERS : 0);
      const total = REQUESTS + (moment === 'forced' ? FORCED : 0);
      expect(result).toEqual({ ok: total, failed: 0, firstError: undefined });
      expected += 1;
      await waitFor(() => grants() >= expected, `the refresh grant after ${moment}`);
      // Give stragglers time to make a second grant, if the lock let one through.
      await sleep(300);
      expect(grants()).toBe(expected);
    }

    const after = await peekAll(sessionId);
    expect(new Set(after.map((p) => p.fingerprint)).size).toBe(1);
    expect(after.map((p) => p.failedRefreshes)).toEqual(workers.map(() => []));
    expect(after.every((p) => p.warnings === 0)).toBe(true);
    // A reused refresh token would have revoked the session (token family) at Sentinel.
    expect(emu.appAuthorization.liveSessions()).toBe(1);

    // What the store holds is the one refresh token Sentinel still accepts: the latest it issued.
    const record = await store.get<StoredUserSession>(userSessionKey(emu.accountId, sessionId));
    expect(record).toBeDefined();
    expect(await redeem(record!.refreshToken)).toEqual({ status: 200 });
    // ...and Sentinel does refuse a spent one, so the check above could fail.
    expect(await redeem(record!.refreshToken)).toEqual({ status: 400, error: 'invalid_grant' });

    process.stderr.write(
      `[fleet] one user's session in ${WORKERS} processes: ${cycles.length + 1} bursts of ${REQUESTS} ` +
        `calls (${2 * FORCED} forced refreshes) over 2 refreshes + 1 expiry + 2 forced rounds: ` +
        `${expected - 1} refresh grants, 0 errors, ${Date.now() - started} ms\n`,
    );
  }, 60_000);
});
