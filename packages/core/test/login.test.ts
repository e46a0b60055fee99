import { afterEach, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator, type EmulatorOptions } from '@lp-auth/testing';
import {
  createLpAuth,
  CredentialsRejectedError,
  LoginBlockedError,
  LpApiError,
  type LoginCredential,
  type LoginOptions,
  type LpAuth,
} from './core.js';
import { expectNoSecret, printed, recordingLogger, sleep, waitFor } from './helpers.js';

const AGENT_SESSION = '/api/account/{accountId}/agentSession';

let emu: Emulator | undefined;
const opened: LpAuth[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((lp) => lp.close()));
  await emu?.close();
  emu = undefined;
});

async function setup(login: Partial<LoginOptions> = {}, emulatorOptions: EmulatorOptions = {}) {
  emu = await startEmulator(emulatorOptions);
  const logger = recordingLogger();
  const { username, password } = emu.credentials.login;
  const lp = createLpAuth({
    ...emu.lpAuthOptions(),
    logger,
    http: { retry: { baseDelayMs: 20, maxDelayMs: 100 } },
    credentials: { login: { username, password, ...login } as LoginOptions },
  });
  opened.push(lp);
  const client = lp.client('login');
  const credential = client.credential as LoginCredential;
  const call = () =>
    client.request({ service: 'agentVep', path: AGENT_SESSION, method: 'POST', query: { v: 1, NC: true } });
  return { emu, lp, logger, client, credential, call };
}

/** Everything secret in a login: password, bearer, csrf, session cookie. */
function loginSecrets(emulator: Emulator, credential: LoginCredential): string[] {
  const token = credential.tokens.peek();
  const cookie = token?.data?.cookie?.split('=')[1];
  return [emulator.credentials.login.password, token?.value, token?.data?.csrf, cookie].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

describe('Login Service (agentVep) against the emulator', () => {
  test('user login: one login for many concurrent calls, Bearer attached, session config exposed', async () => {
    const { emu, credential, call, logger } = await setup();
    const results = await Promise.all(Array.from({ length: 50 }, call));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(emu.stats.count('login.login')).toBe(1);
    expect(emu.stats.count('login.api')).toBe(50);
    const token = credential.tokens.peek()!;
    expect(token.value).toMatch(/^[0-9a-f]{64}$/);
    // sessionTTl ("28800000", a string) is the token's lifetime.
    expect(token.expiresAt - token.issuedAt).toBeGreaterThan(8 * 3600_000 - 5_000);
    expect(token.data?.cookie).toMatch(/^Session_id=/);
    const session = await credential.session();
    expect(session).toMatchObject({
      userId: emu.credentials.login.userId,
      loginName: emu.credentials.login.username,
    });
    expect(JSON.stringify(session)).not.toMatch(/csrf|bearer|password/i);
    expectNoSecret(logger.lines.join('\n') + JSON.stringify(session), loginSecrets(emu, credential));
  });

  test('bot login with an OAuth 1.0 key and with an OAuth 2.0 client ("dummy" token parts)', async () => {
    emu = await startEmulator();
    const { oauth1, appJwt, loginBot } = emu.credentials;
    const logger = recordingLogger();
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('@lp-auth/core:oauth1-deprecation-warned')];
    const make = (login: LoginOptions) => {
      const lp = createLpAuth({ ...emu!.lpAuthOptions(), logger, credentials: { login } });
      opened.push(lp);
      return lp.client('login').credential as LoginCredential;
    };
    const apiKeyBot = make({
      username: loginBot.username,
      appKey: oauth1.consumerKey,
      secret: oauth1.consumerSecret,
      accessToken: oauth1.token,
      accessTokenSecret: oauth1.tokenSecret,
    });
    expect((await apiKeyBot.session()).userId).toBe(loginBot.userId);
    const oauth2Bot = make({
      username: loginBot.username,
      appKey: appJwt.clientId,
      secret: appJwt.clientSecret,
    });
    expect((await oauth2Bot.session()).loginName).toBe(loginBot.username);
    expect(logger.lines.filter((l) => l.includes('OAuth 1.0'))).toHaveLength(1);
    expectNoSecret(logger.lines.join('\n'), [oauth1.consumerSecret, oauth1.tokenSecret, appJwt.clientSecret]);
  });

  test('a wrong password is credentials_rejected with no secret in it, and not retried', async () => {
    const { emu, call, logger } = await setup({ password: 'wrong-password-123' });
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect((error as CredentialsRejectedError).body).toMatchObject({
      error: { responseStatus: 'UNAUTHORIZED', internalCode: expect.any(Number) },
    });
    expect(emu.stats.count('login.login')).toBe(1);
    expectNoSecret(printed(error) + logger.lines.join('\n'), [
      'wrong-password-123',
      emu.credentials.login.password,
    ]);
  });

  test("429 on login without Retry-After: waits LivePerson's 5 seconds, then logs in", async () => {
    const { emu, call } = await setup();
    emu.faults.inject('login.login', { status: 429 });
    const started = Date.now();
    expect((await call()).status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    expect(emu.stats.count('login.login')).toBe(2);
  }, 15_000);

  test('451 is a typed, non-retryable error', async () => {
    const { emu, call } = await setup();
    emu.faults.inject('login.login', { status: 451, times: 5 });
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginBlockedError);
    expect((error as LoginBlockedError).code).toBe('login_blocked');
    expect(emu.stats.count('login.login')).toBe(1);
  });

  test('keepalive refreshes the session with cookie and csrf, and keeps an idle-limited session alive', async () => {
    // An idle limit well above the keepalive period, so that one late timer on a loaded machine does
    // not let the session die; the sleep still outlasts it.
    const { emu, call, credential } = await setup({ keepaliveIntervalMs: 150 }, { loginIdleTimeoutMs: 1000 });
    await call();
    await sleep(1_500);
    // Without refreshes the session would have died after 1000 ms. (Five refreshes take about 0.8 s;
    // a loaded machine may need longer, so they are waited for rather than counted at a fixed time.)
    await waitFor(() => emu.stats.count('login.refresh') >= 5, 'five keepalives', 5000);
    expect((await call()).status).toBe(201);
    expect(emu.stats.count('login.login')).toBe(1);
    expect(await credential.keepalive()).toBe(true);
  });

  test('keepalive stops after close, and close logs out', async () => {
    const { emu, lp, call } = await setup({ keepaliveIntervalMs: 100 });
    await call();
    await waitFor(() => emu.stats.count('login.refresh') >= 2, 'two keepalives', 5000);
    expect(emu.loginSessions.count()).toBe(1);
    await lp.close();
    expect(emu.stats.count('login.logout')).toBe(1);
    expect(emu.loginSessions.count()).toBe(0);
    const after = emu.stats.count('login.refresh');
    await sleep(400);
    expect(emu.stats.count('login.refresh')).toBe(after);
  });

  test('re-login once (single-flight) after the emulator drops the session: API 401', async () => {
    const { emu, call, credential } = await setup();
    await call();
    const first = credential.tokens.peek()!.value;
    expect(emu.loginSessions.dropAll()).toBe(1);
    const results = await Promise.all(Array.from({ length: 20 }, call));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(emu.stats.count('login.login')).toBe(2);
    expect(credential.tokens.peek()!.value).not.toBe(first);
  });

  test('re-login after a keepalive 401 (idle session expired), before any API call fails', async () => {
    const { emu, call, credential } = await setup(
      { keepaliveIntervalMs: 60_000 },
      // Idle long enough for a login and the call after it to pass on a loaded machine.
      { loginIdleTimeoutMs: 1000 },
    );
    await call();
    await sleep(1100);
    expect(await credential.keepalive()).toBe(false);
    expect(emu.stats.count('login.login')).toBe(2);
    const before = emu.stats.count('login.api');
    expect((await call()).status).toBe(201);
    expect(emu.stats.count('login.api')).toBe(before + 1);
  });

  test('the emulator refuses a refresh with a wrong csrf or without the cookie (attacks)', async () => {
    const { emu, call, credential } = await setup();
    await call();
    const token = credential.tokens.peek()!;
    const url = `${emu.url}/api/account/${emu.accountId}/refresh?v=1.3`;
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const wrongCsrf = await post({ cookie: token.data!.cookie! }, { csrf: 'f'.repeat(32) });
    expect(wrongCsrf.status).toBe(401);
    expect(await wrongCsrf.json()).toMatchObject({ error: { responseStatus: 'UNAUTHORIZED' } });
    expect((await post({}, { csrf: token.data!.csrf })).status).toBe(401);
    // The cookie name is case-insensitive (faas-cli sends session_id).
    const lower = token.data!.cookie!.replace('Session_id', 'session_id');
    expect((await post({ cookie: lower }, { csrf: token.data!.csrf })).status).toBe(200);
    // A bearer that was never issued is refused by the sample API.
    const forged = await fetch(`${emu.url}/api/account/${emu.accountId}/agentSession?v=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${'0'.repeat(64)}` },
    });
    expect(forged.status).toBe(401);
  });

  test('a re-login that keeps failing surfaces as an error without secrets', async () => {
    const { emu, call, credential, logger } = await setup();
    await call();
    const secrets = loginSecrets(emu, credential);
    emu.loginSessions.dropAll();
    emu.faults.inject('login.login', { status: 401, times: 3 });
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expectNoSecret(printed(error) + logger.lines.join('\n'), secrets);
    expect(error).not.toBeInstanceOf(LpApiError);
  });
});
