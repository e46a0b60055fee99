import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { loginThroughEmulator, startEmulator, type Emulator } from '@lp-auth/testing';
import { createLpAuth, randomToken, type LpAuth, type UserSession } from '@lp-auth/core';
import { createPkce, type UserSessionCredential } from '@lp-auth/core/adapter';
import { createRedisStore, type RedisTokenStore } from '../src/index.js';
import {
  REFUSED_PORT,
  connectAdmin,
  deletePrefix,
  newKey,
  recordingLogger,
  RedisRelay,
  sleep,
  uniquePrefix,
  waitFor,
} from './helpers.js';

const admin = await connectAdmin('@lp-auth/redis outage tests');
const describeRedis = admin ? describe : describe.skip;
const prefix = uniquePrefix('outage');
const KEY = newKey();
const SKILLS_PATH = '/api/account/{accountId}/configuration/le-users/skills';
const REDIRECT = 'http://127.0.0.1:8765/auth/callback';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  if (!admin) return;
  await deletePrefix(admin, prefix);
  admin.destroy();
});

async function wired(url: string) {
  const logger = recordingLogger();
  const emu: Emulator = await startEmulator({
    credentials: { appAuthorization: { redirectUris: [REDIRECT] } },
  });
  const store: RedisTokenStore = createRedisStore({ url, encryptionKey: KEY, prefix, logger });
  const lp: LpAuth = createLpAuth({
    ...emu.lpAuthOptions(),
    credentials: { appJwt: emu.credentials.appJwt },
    appAuthorization: { ...emu.credentials.appAuthorization, redirectUri: REDIRECT },
    http: { retry: { baseDelayMs: 20, maxDelayMs: 100 } },
    logger,
    store,
  });
  cleanups.push(async () => {
    await lp.close();
    await store.close();
    await emu.close();
  });
  const skills = () => lp.client('appJwt').request({ service: 'accountConfigReadOnly', path: SKILLS_PATH });
  return { emu, store, lp, logger, skills };
}

/** Logs the emulator's user in through `lp` and returns the new session. */
async function logIn(lp: LpAuth, emu: Emulator): Promise<UserSession> {
  const auth = lp.appAuthorization!;
  const state = randomToken();
  const pkce = createPkce();
  const back = await loginThroughEmulator(
    await auth.authorizationUrl({ state, pkce }),
    emu.credentials.login,
  );
  return auth.exchangeCode({ code: back.searchParams.get('code')!, codeVerifier: pkce.verifier });
}

const userSkills = (session: UserSession) =>
  session.client.request({ service: 'accountConfigReadOnly', path: SKILLS_PATH });
const accessTokenOf = (session: UserSession) =>
  (session.client.credential as UserSessionCredential).tokens.peek();

describeRedis('Redis outage: per-process behaviour, never failed requests', () => {
  test('Redis unreachable from the start: requests succeed from memory, with one warning', async () => {
    const { emu, store, logger, skills } = await wired(`redis://127.0.0.1:${REFUSED_PORT}`);
    const results = await Promise.all(Array.from({ length: 50 }, () => skills()));
    expect(results.every((r) => r.status === 200)).toBe(true);
    // In-process single-flight still holds without Redis.
    expect(emu.stats.count('sentinel.token')).toBe(1);
    expect(store.degraded).toBe(true);
    const warnings = logger.warnings().filter((line) => line.includes('unavailable'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('ECONNREFUSED');
  });

  test('Redis goes away and comes back: requests keep working, the store returns to Redis', async () => {
    const relay = new RedisRelay();
    await relay.start();
    cleanups.push(() => relay.stop());
    const { emu, lp, store, logger, skills } = await wired(relay.url);
    expect((await skills()).status).toBe(200);
    expect(store.degraded).toBe(false);
    const tokenKey = `${prefix}lp:${lp.accountId}:appJwt:${emu.credentials.appJwt.clientId}`;
    expect(await admin!.exists(tokenKey)).toBe(1);

    await relay.stop();
    await waitFor(() => store.degraded, 'the store to notice the outage');
    // The process keeps its token, and can even fetch a new one with Redis gone.
    expect((await skills()).status).toBe(200);
    await lp.client('appJwt').credential.invalidate();
    const during = await Promise.all(Array.from({ length: 20 }, () => skills()));
    expect(during.every((r) => r.status === 200)).toBe(true);
    expect(emu.stats.count('sentinel.token')).toBe(2);
    // Store calls answer from memory meanwhile, locks included.
    await store.set('outage:probe', { a: 1 }, 60_000);
    expect(await store.get('outage:probe')).toEqual({ a: 1 });
    const lock = await store.lock('outage:lock', 5000);
    expect(lock).not.toBeNull();
    expect(await store.lock('outage:lock', 5000)).toBeNull();
    await lock!.release();
    expect(logger.warnings().filter((line) => line.includes('unavailable'))).toHaveLength(1);

    await relay.start();
    await waitFor(() => !store.degraded, 'the store to reconnect', 5000);
    expect(logger.lines.some((line) => line.startsWith('info') && line.includes('is back'))).toBe(true);
    await store.set('outage:after', { b: 2 }, 60_000);
    expect(await admin!.exists(`${prefix}outage:after`)).toBe(1);
    expect(await store.get('outage:after')).toEqual({ b: 2 });
    expect((await skills()).status).toBe(200);
  });

  test('values written during an outage are dropped when Redis is back, not served in the next outage', async () => {
    const relay = new RedisRelay();
    await relay.start();
    cleanups.push(() => relay.stop());
    const { store } = await wired(relay.url);
    await store.get('outage:warm-up');
    await relay.stop();
    await store.set('outage:memory-only', { stale: true }, 60_000);
    expect(await store.get('outage:memory-only')).toEqual({ stale: true });
    await relay.start();
    await waitFor(() => !store.degraded, 'the store to reconnect');
    expect(await store.get('outage:memory-only')).toBeUndefined();
    await relay.stop();
    await waitFor(() => store.degraded, 'the second outage');
    expect(await store.get('outage:memory-only')).toBeUndefined();
  });

  test("user sessions: the process's access token serves until it expires, then session_ended; the session survives the outage", async () => {
    const relay = new RedisRelay();
    await relay.start();
    cleanups.push(() => relay.stop());
    const { emu, lp, store } = await wired(relay.url);
    const auth = lp.appAuthorization!;
    emu.faults.tokenLifetime('sentinel.userToken', 3);
    const before = await logIn(lp, emu);
    expect((await userSkills(before)).status).toBe(200);
    const grants = () => emu.stats.count('sentinel.userToken');
    expect(grants()).toBe(1);

    await relay.stop();
    await waitFor(() => store.degraded, 'the store to notice the outage');
    // Calls go on with the access token this process holds...
    expect((await userSkills(before)).status).toBe(200);
    // ...but the session's record (its refresh token) is in Redis only: a request that opens the
    // session finds none, and the adapters send the user to log in.
    expect(await auth.session(before.id)).toBeUndefined();
    // Once the access token expires, the client cannot refresh: a clear session_ended (401), and
    // the refresh token is not spent, so the session is still good once Redis is back.
    await sleep(Math.max(0, accessTokenOf(before)!.expiresAt - Date.now() + 50));
    await expect(userSkills(before)).rejects.toMatchObject({ code: 'session_ended', httpStatus: 401 });
    expect(grants()).toBe(1);

    // A login during the outage gives a session kept in this process's memory: it works, and its
    // rotating refresh token rotates there.
    const during = await logIn(lp, emu);
    const opened = await auth.session(during.id);
    expect(opened).toBeDefined();
    expect((await userSkills(opened!)).status).toBe(200);
    const rejected = accessTokenOf(opened!)!.value;
    await (opened!.client.credential as UserSessionCredential).tokens.getToken({
      forceRefresh: true,
      rejected,
    });
    expect((await userSkills(opened!)).status).toBe(200);
    expect(grants()).toBe(3); // the code, one refresh

    await relay.start();
    await waitFor(() => !store.degraded, 'the store to reconnect');
    // The session from before the outage is found again and refreshes with its unspent token.
    const back = await auth.session(before.id);
    expect(back).toBeDefined();
    expect((await userSkills(back!)).status).toBe(200);
    expect(grants()).toBe(4);
    // The one from the outage lived in memory only: the user logs in again.
    expect(await auth.session(during.id)).toBeUndefined();
    // Sentinel revoked nothing: no refresh token was used twice.
    expect(emu.appAuthorization.liveSessions()).toBe(2);
  });
});
