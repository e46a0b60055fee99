import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loginThroughEmulator, startEmulator, type Emulator } from '@lp-auth/testing';
import { createLpAuth, randomToken, silentLogger, type LpAuth, type UserSession } from '@lp-auth/core';
import { createPkce, type UserSessionCredential } from '@lp-auth/core/adapter';
import { createRedisStore, type RedisTokenStore } from '../src/index.js';
import { connectAdmin, deletePrefix, newKey, REDIS_URL, uniquePrefix, waitFor } from './helpers.js';

// One user's session opened by two LpAuth instances (two processes, as far as Redis can tell: each
// has its own client) while Sentinel is slow. A second refresh with the same rotating refresh
// token would be refused (invalid_grant) and end the session everywhere.
const admin = await connectAdmin('@lp-auth/redis shared-session tests');
const describeRedis = admin ? describe : describe.skip;
const prefix = uniquePrefix('shared-session');
const KEY = newKey();
const REDIRECT = 'http://127.0.0.1:8765/auth/callback';
const SKILLS_PATH = '/api/account/{accountId}/configuration/le-users/skills';

let emu: Emulator;
const instances: { lp: LpAuth; store: RedisTokenStore }[] = [];

beforeAll(async () => {
  if (!admin) return;
  emu = await startEmulator({ credentials: { appAuthorization: { redirectUris: [REDIRECT] } } });
  for (let i = 0; i < 2; i++) {
    const store = createRedisStore({ url: REDIS_URL, encryptionKey: KEY, prefix, logger: silentLogger });
    const lp = createLpAuth({
      ...emu.lpAuthOptions(),
      appAuthorization: { ...emu.credentials.appAuthorization, redirectUri: REDIRECT },
      logger: silentLogger,
      store,
    });
    instances.push({ lp, store });
  }
});

afterAll(async () => {
  for (const { lp, store } of instances) {
    await lp.close();
    await store.close();
  }
  if (!admin) return;
  await emu.close();
  await deletePrefix(admin, prefix);
  admin.destroy();
});

async function logIn(lp: LpAuth): Promise<UserSession> {
  const auth = lp.appAuthorization!;
  const state = randomToken();
  const pkce = createPkce();
  const back = await loginThroughEmulator(
    await auth.authorizationUrl({ state, pkce }),
    emu.credentials.login,
  );
  return auth.exchangeCode({ code: back.searchParams.get('code')!, codeVerifier: pkce.verifier });
}

const tokensOf = (session: UserSession) => (session.client.credential as UserSessionCredential).tokens;
const skills = (session: UserSession) =>
  session.client.request({ service: 'accountConfigReadOnly', path: SKILLS_PATH });

describeRedis("one user's session in two instances", () => {
  test('a refresh that takes Sentinel 11 s (a 503 with Retry-After, then a slow answer) is waited for, not repeated', async () => {
    const [a, b] = instances.map((i) => i.lp) as [LpAuth, LpAuth];
    const fromA = await logIn(a);
    const fromB = (await b.appAuthorization!.session(fromA.id))!;
    expect((await skills(fromA)).status).toBe(200);
    expect((await skills(fromB)).status).toBe(200);
    const rejected = tokensOf(fromA).peek()!.value;
    const grants = () => emu.stats.count('sentinel.userToken');
    const before = grants();

    // A's refresh takes longer than a waiter used to wait for a lock (10 s), each attempt well
    // within the request timeout: Sentinel is busy for 6 s, then slow for 5 s.
    emu.faults.inject('sentinel.userToken', { status: 503, retryAfterSeconds: 6 });
    emu.faults.inject('sentinel.userToken', { latencyMs: 5_000 });
    const refreshedByA = tokensOf(fromA).getToken({ forceRefresh: true, rejected });
    await waitFor(() => grants() === before + 1, "A's refresh grant");
    const refreshedByB = tokensOf(fromB).getToken({ forceRefresh: true, rejected });

    const [tokenA, tokenB] = await Promise.all([refreshedByA, refreshedByB]);
    expect(tokenB.value).toBe(tokenA.value);
    expect(grants()).toBe(before + 2); // A's two attempts; B none
    expect((await skills(fromA)).status).toBe(200);
    expect((await skills(fromB)).status).toBe(200);
    expect(emu.appAuthorization.liveSessions()).toBe(1);
  }, 30_000);
});
