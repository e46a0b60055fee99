import { inspect } from 'node:util';
import { afterEach, describe, expect, test } from '@jest/globals';
import { loginThroughEmulator, startEmulator, type Emulator } from '@lp-auth/testing';
import {
  AppAuthorizationError,
  ConfigError,
  CredentialsRejectedError,
  MemoryTokenStore,
  createLpAuth,
  createPkce,
  openLoginState,
  randomToken,
  safeReturnTo,
  sealLoginState,
  secret,
  silentLogger,
  userSessionKey,
  type AppAuthorization,
  type FetchFn,
  type LpAuth,
  type StoredUserSession,
  type UserSession,
  type UserSessionCredential,
} from './core.js';
import { SKILLS_PATH, expectNoSecret, printed, recordingLogger } from './helpers.js';

const REDIRECT = 'http://127.0.0.1:8765/auth/callback';
const COOKIE_SECRET = 'a-cookie-secret-of-at-least-32-characters!';

/** A store that remembers every key and value written, to check what reaches it. */
class RecordingStore extends MemoryTokenStore {
  readonly writes: { key: string; value: unknown }[] = [];
  override async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    this.writes.push({ key, value });
    await super.set(key, value, ttlMs);
  }
}

interface Setup {
  emu: Emulator;
  lp: LpAuth;
  auth: AppAuthorization;
  store: RecordingStore;
  logger: ReturnType<typeof recordingLogger>;
}

const opened: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
});

async function setup(
  options: {
    fetch?: FetchFn;
    emu?: Emulator;
    redirectUri?: string;
    clientSecret?: string;
    store?: RecordingStore;
  } = {},
): Promise<Setup> {
  let emu = options.emu;
  if (!emu) {
    const started = await startEmulator({ credentials: { appAuthorization: { redirectUris: [REDIRECT] } } });
    opened.push(() => started.close());
    emu = started;
  }
  const store = options.store ?? new RecordingStore();
  const logger = recordingLogger();
  const { clientId, clientSecret } = emu.credentials.appAuthorization;
  const lp = createLpAuth({
    ...emu.lpAuthOptions(),
    logger,
    store,
    http: { retry: { baseDelayMs: 10, maxDelayMs: 50 }, ...(options.fetch ? { fetch: options.fetch } : {}) },
    appAuthorization: {
      clientId,
      clientSecret: options.clientSecret ?? clientSecret,
      redirectUri: options.redirectUri ?? REDIRECT,
      cookieSecret: COOKIE_SECRET,
    },
  });
  opened.push(() => lp.close());
  return { emu, lp, auth: lp.appAuthorization!, store, logger };
}

/** Logs the emulator's user in and returns the callback's code with the PKCE pair used. */
async function authorize(s: Pick<Setup, 'emu' | 'auth'>) {
  const state = randomToken();
  const pkce = createPkce();
  const back = await loginThroughEmulator(
    await s.auth.authorizationUrl({ state, pkce }),
    s.emu.credentials.login,
  );
  expect(back.searchParams.get('state')).toBe(state);
  return { code: back.searchParams.get('code')!, pkce };
}

async function loggedIn(s: Setup) {
  const { code, pkce } = await authorize(s);
  return s.auth.exchangeCode({ code, codeVerifier: pkce.verifier });
}

const skills = (session: UserSession) =>
  session.client.request({ service: 'accountConfigReadOnly', path: SKILLS_PATH });

const tokensOf = (session: UserSession) => (session.client.credential as UserSessionCredential).tokens;

async function storedRecord(s: Setup, sessionId: string): Promise<StoredUserSession | undefined> {
  return s.store.get<StoredUserSession>(userSessionKey(s.lp.accountId, sessionId));
}

describe('application authorization against the emulator', () => {
  test('authorize URL, login, code exchange with PKCE, verified id_token, and calls as the user', async () => {
    const s = await setup();
    const state = randomToken();
    const pkce = createPkce();
    const url = new URL(await s.auth.authorizationUrl({ state, pkce }));
    expect(url.pathname).toBe(`/sentinel/api/account/${s.emu.accountId}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      v: '1.0',
      response_type: 'code',
      client_id: s.emu.credentials.appAuthorization.clientId,
      redirect_uri: REDIRECT,
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    const back = await loginThroughEmulator(url, s.emu.credentials.login);
    const session = await s.auth.exchangeCode({
      code: back.searchParams.get('code')!,
      codeVerifier: pkce.verifier,
    });
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.user).toMatchObject({ id: s.emu.credentials.login.userId, isAdmin: false, isLpa: false });
    expect(session.user.claims.aud).toBe(s.emu.credentials.appAuthorization.clientId);
    expect((await skills(session)).status).toBe(200);
    expect(s.emu.stats.count('sentinel.userToken')).toBe(1);
    expect(s.emu.stats.count('sentinel.jwks')).toBe(1);

    // Found again by id (as a later request would), with the same client; the raw id never reaches the store.
    const again = await s.auth.session(session.id);
    expect(again?.user.id).toBe(session.user.id);
    expect(again?.client).toBe(session.client);
    for (const write of s.store.writes) expect(write.key).not.toContain(session.id);
    expect(s.store.writes.map((w) => w.key)).toContain(userSessionKey(s.lp.accountId, session.id));
    expect(await s.auth.session(randomToken())).toBeUndefined();
    expect(await s.auth.session('not a session id')).toBeUndefined();
  });

  test('concurrent refreshes make one upstream call; the rotated refresh token is stored before any waiter gets the access token', async () => {
    const s = await setup();
    const session = await loggedIn(s);
    const tokens = tokensOf(session);
    const before = await tokens.getToken();
    const oldRefresh = (await storedRecord(s, session.id))!.refreshToken;
    const seenAtResolve: string[] = [];
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        tokens.getToken({ forceRefresh: true, rejected: before.value }).then(async (token) => {
          seenAtResolve.push((await storedRecord(s, session.id))!.refreshToken);
          return token;
        }),
      ),
    );
    expect(new Set(results.map((t) => t.value)).size).toBe(1);
    expect(results[0]!.value).not.toBe(before.value);
    expect(s.emu.stats.count('sentinel.userToken')).toBe(2); // the code, then one refresh
    expect(seenAtResolve.every((r) => r !== oldRefresh)).toBe(true);
    expect((await skills(session)).status).toBe(200);
  });

  test('a 401 from an API forces exactly one refresh, then the request succeeds', async () => {
    const s = await setup();
    const session = await loggedIn(s);
    s.emu.faults.inject('api.skills', { status: 401 });
    expect((await skills(session)).status).toBe(200);
    expect(s.emu.stats.count('api.skills')).toBe(2);
    expect(s.emu.stats.count('sentinel.userToken')).toBe(2);
  });

  test('an expired access token is refreshed before the call, and the session is found by another LpAuth sharing the store', async () => {
    const s = await setup();
    s.emu.faults.tokenLifetime('sentinel.userToken', 1);
    const session = await loggedIn(s);
    // Only the first access token is short: the refreshed one must stay valid for the calls below
    // however slow the machine.
    s.emu.faults.tokenLifetime('sentinel.userToken', null);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await skills(session)).status).toBe(200);
    expect(s.emu.stats.count('sentinel.userToken')).toBe(2);
    // Another process (its own LpAuth, the same store) takes over the session and its rotated token.
    const s2 = await setup({ emu: s.emu, store: s.store });
    const there = await s2.auth.session(session.id);
    expect(there?.user.id).toBe(session.user.id);
    expect((await skills(there!)).status).toBe(200);
    await tokensOf(there!).getToken({ forceRefresh: true });
    expect(s.emu.appAuthorization.liveSessions()).toBe(1);
  });

  test('a reused (stale) refresh token ends the session with session_ended, and the emulator revokes it', async () => {
    const s = await setup();
    const session = await loggedIn(s);
    const key = userSessionKey(s.lp.accountId, session.id);
    const stale = (await storedRecord(s, session.id))!;
    await tokensOf(session).getToken({ forceRefresh: true });
    // Another copy of the session, holding the refresh token that was already rotated, refreshes.
    await s.store.set(key, stale, 60_000);
    await s.store.delete(`${key}:access`);
    const error = await tokensOf(session)
      .getToken({ forceRefresh: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppAuthorizationError);
    expect(error).toMatchObject({ code: 'session_ended', oauthError: 'invalid_grant', httpStatus: 401 });
    expect(await s.auth.session(session.id)).toBeUndefined();
    expect(s.emu.appAuthorization.liveSessions()).toBe(0);
    expectNoSecret(printed(error), [stale.refreshToken, s.emu.credentials.appAuthorization.clientSecret]);
  });

  test('a reused authorization code is refused, and the session it gave is revoked', async () => {
    const s = await setup();
    const { code, pkce } = await authorize(s);
    const first = await s.auth.exchangeCode({ code, codeVerifier: pkce.verifier });
    const error = await s.auth.exchangeCode({ code, codeVerifier: pkce.verifier }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'authorization_failed', oauthError: 'invalid_grant' });
    expectNoSecret(printed(error), [code, pkce.verifier]);
    await expect(skills(first)).rejects.toMatchObject({ code: 'session_ended' });
  });

  test('a wrong or missing PKCE verifier, and a redirect URI other than the authorize request’s, are refused', async () => {
    const s = await setup();
    let { code } = await authorize(s);
    await expect(s.auth.exchangeCode({ code, codeVerifier: createPkce().verifier })).rejects.toMatchObject({
      code: 'authorization_failed',
    });
    ({ code } = await authorize(s));
    await expect(s.auth.exchangeCode({ code, codeVerifier: '' })).rejects.toMatchObject({
      code: 'authorization_failed',
    });
    // A second app of the same client with another (registered) redirect URI cannot redeem the first's code.
    const other = 'http://127.0.0.1:8765/other/callback';
    s.emu.appAuthorization.registerRedirectUri(other);
    const s2 = await setup({ emu: s.emu, redirectUri: other });
    const again = await authorize(s);
    await expect(
      s2.auth.exchangeCode({ code: again.code, codeVerifier: again.pkce.verifier }),
    ).rejects.toMatchObject({ code: 'authorization_failed', oauthError: 'invalid_grant' });
  });

  test('an id_token altered in transit is refused (id_token_invalid), and no session is stored', async () => {
    const tamper: FetchFn = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).includes('/token?v=1.0') || response.status !== 200) return response;
      const body = (await response.json()) as Record<string, string>;
      const [h, p, sig] = body.id_token!.split('.') as [string, string, string];
      const claims = { ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'someone-else' };
      body.id_token = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
      return Response.json(body);
    };
    const s = await setup({ fetch: tamper });
    const { code, pkce } = await authorize(s);
    const error = await s.auth.exchangeCode({ code, codeVerifier: pkce.verifier }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'id_token_invalid', httpStatus: 502 });
    expect(s.store.writes).toHaveLength(0);
  });

  test('revoke logs out here and at Sentinel', async () => {
    const s = await setup();
    const session = await loggedIn(s);
    const accessToken = (await tokensOf(session).getToken()).value;
    await s.auth.revoke(session.id);
    expect(await s.auth.session(session.id)).toBeUndefined();
    expect(s.emu.stats.count('sentinel.revoke')).toBe(1);
    expect(s.emu.appAuthorization.liveSessions()).toBe(0);
    const res = await fetch(`${s.emu.url}/api/account/${s.emu.accountId}/configuration/le-users/skills`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(res.status).toBe(401);
    await s.auth.revoke(session.id); // already gone: nothing to do
    expect(s.emu.stats.count('sentinel.revoke')).toBe(1);
  });

  test('a wrong client secret is credentials_rejected, and nothing secret is printed or logged', async () => {
    const s = await setup({ clientSecret: 'wrong-secret-value' });
    const { code, pkce } = await authorize(s);
    const error = await s.auth.exchangeCode({ code, codeVerifier: pkce.verifier }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    const text = [
      printed(error),
      inspect(s.lp.options, { depth: 10 }),
      inspect(s.auth),
      s.logger.lines.join('\n'),
    ].join('\n');
    expectNoSecret(text, ['wrong-secret-value', code, pkce.verifier, COOKIE_SECRET]);
  });
});

describe('application authorization options', () => {
  const base = { accountId: '12345678', logger: silentLogger };
  const good = {
    clientId: 'c',
    clientSecret: 's',
    redirectUri: 'https://app.example/cb',
    cookieSecret: COOKIE_SECRET,
  };
  const field = (options: object) => {
    try {
      createLpAuth({ ...base, appAuthorization: { ...good, ...options } as never });
      return undefined;
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).field;
    }
  };

  test('each bad field is named', () => {
    expect(field({ clientId: '' })).toBe('appAuthorization.clientId');
    expect(field({ clientSecret: undefined })).toBe('appAuthorization.clientSecret');
    expect(field({ redirectUri: '/relative' })).toBe('appAuthorization.redirectUri');
    expect(field({ redirectUri: 'http://app.example/cb' })).toBe('appAuthorization.redirectUri');
    expect(field({ redirectUri: 'https://app.example/cb#x' })).toBe('appAuthorization.redirectUri');
    expect(field({ cookieSecret: 'short' })).toBe('appAuthorization.cookieSecret');
    expect(field({ sessionTtlMs: -1 })).toBe('appAuthorization.sessionTtlMs');
    expect(field({ redirectUri: 'http://127.0.0.1:3000/cb' })).toBeUndefined();
  });

  test('secrets are wrapped and never printed', async () => {
    const lp = createLpAuth({ ...base, appAuthorization: { ...good, clientSecret: 'top-secret-client' } });
    expect(inspect(lp.options, { depth: 10 })).not.toContain('top-secret-client');
    expect(JSON.stringify(lp.options)).not.toContain(COOKIE_SECRET);
    await lp.close();
  });
});

describe('login state cookie and returnTo', () => {
  const key = secret(COOKIE_SECRET);
  const login = {
    state: randomToken(),
    codeVerifier: randomToken(),
    returnTo: '/a',
    expiresAt: Date.now() + 60_000,
  };

  test('a sealed state opens with the same secret only, unaltered and unexpired', () => {
    const sealed = sealLoginState(login, key);
    expect(openLoginState(sealed, key, Date.now())).toEqual(login);
    const [data, mac] = sealed.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...login, returnTo: 'https://evil.example' })).toString(
      'base64url',
    );
    for (const bad of [`${forged}.${mac}`, `${data}.${mac.slice(0, -2)}AA`, `${data}`, '', undefined]) {
      expect(() => openLoginState(bad, key, Date.now())).toThrow(AppAuthorizationError);
    }
    expect(() =>
      openLoginState(sealed, secret('another-secret-that-is-long-enough-000'), Date.now()),
    ).toThrow(/bad signature/);
    expect(() => openLoginState(sealed, key, login.expiresAt + 1)).toThrow(/expired/);
  });

  test('returnTo must stay on this site (anything else falls back to "/")', () => {
    expect(safeReturnTo(undefined)).toBe('/');
    expect(safeReturnTo('/dashboard?tab=1#x')).toBe('/dashboard?tab=1#x');
    for (const evil of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/%0a/evil.example'.replace('%0a', '\n'),
      'javascript:alert(1)',
      ' /x',
    ]) {
      expect(safeReturnTo(evil)).toBe('/');
    }
  });
});
