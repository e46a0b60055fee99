import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from '@jest/globals';
import express from 'express';
import { loginThroughEmulator, startEmulator, type Emulator } from '@lp-auth/testing';
import { ConfigError, randomToken, secret, silentLogger } from '@lp-auth/core';
import { sealLoginState, type LoginState } from '@lp-auth/core/adapter';
import { lpAuth, lpErrorHandler, lpOf, type LpAuthMiddleware } from '../src/index.js';

const COOKIE_SECRET = 'express-test-cookie-secret-0123456789abcdef';
const SKILLS = '/api/account/{accountId}/configuration/le-users/skills';

let emu: Emulator | undefined;
let server: Server | undefined;
let middleware: LpAuthMiddleware | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await middleware?.close();
  await emu?.close();
  server = emu = middleware = undefined;
});

/** The app on a port known before it is built, so that its redirect URI can be registered. */
async function startApp(): Promise<{ base: string; emu: Emulator }> {
  emu = await startEmulator();
  server = createServer();
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emu.appAuthorization.registerRedirectUri(`${base}/auth/callback`);
  middleware = lpAuth({
    ...emu.lpAuthOptions(),
    logger: silentLogger,
    appAuthorization: {
      ...emu.credentials.appAuthorization,
      redirectUri: `${base}/auth/callback`,
      cookieSecret: COOKIE_SECRET,
    },
  });
  const app = express();
  app.use(middleware);
  app.get('/me', (req, res) => {
    const { user } = lpOf(req);
    if (!user) return void res.status(401).json({ error: 'login_required' });
    res.json({ id: user.user.id, isAdmin: user.user.isAdmin });
  });
  app.get('/me/skills', async (req, res) => {
    const { data } = await lpOf(req).user!.client.request({ service: 'accountConfigReadOnly', path: SKILLS });
    res.json(data);
  });
  app.use(lpErrorHandler());
  server.on('request', app);
  return { base, emu };
}

/** The `name=value` pairs a response sets, for the next request's `Cookie` header. */
function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';') as [string];
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

/** GET /auth/login: the redirect to Sentinel and the state cookie. */
async function startLogin(base: string, returnTo?: string) {
  const res = await fetch(
    `${base}/auth/login${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`,
    {
      redirect: 'manual',
    },
  );
  return { res, location: res.headers.get('location'), cookies: cookiesOf(res) };
}

/** A whole login as a browser does it; returns the callback answer and the cookies. */
async function fullLogin(base: string, e: Emulator, returnTo?: string) {
  const login = await startLogin(base, returnTo);
  const back = await loginThroughEmulator(login.location!, e.credentials.login);
  const callback = await fetch(back, {
    redirect: 'manual',
    headers: { cookie: cookieHeader(login.cookies) },
  });
  return { login, back, callback, cookies: cookiesOf(callback) };
}

describe('Express: application authorization routes', () => {
  test('login → LivePerson login page → callback → lpOf(req).user, whose client calls LivePerson as the user', async () => {
    const { base, emu: e } = await startApp();
    const { login, back, callback, cookies } = await fullLogin(base, e, '/me');
    expect(login.res.status).toBe(302);
    expect(login.location).toContain(`/sentinel/api/account/${e.accountId}/authorize?`);
    const stateCookie = login.res.headers.getSetCookie()[0]!;
    expect(stateCookie).toMatch(
      /^lp_auth_state=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    expect(back.origin).toBe(base);
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/me');
    expect(callback.headers.get('cache-control')).toBe('no-store');
    expect(cookies.lp_auth_state).toBe('');
    expect(cookies.lp_auth_session).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const me = await fetch(`${base}/me`, { headers: { cookie: cookieHeader(cookies) } });
    expect(await me.json()).toEqual({ id: e.credentials.login.userId, isAdmin: false });
    const skills = await fetch(`${base}/me/skills`, { headers: { cookie: cookieHeader(cookies) } });
    expect(skills.status).toBe(200);
    expect((await fetch(`${base}/me`)).status).toBe(401);
  });

  test('logout revokes the session at Sentinel and removes the cookie', async () => {
    const { base, emu: e } = await startApp();
    const { cookies } = await fullLogin(base, e);
    expect(e.appAuthorization.liveSessions()).toBe(1);
    const out = await fetch(`${base}/auth/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookieHeader(cookies) },
    });
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('/');
    expect(out.headers.getSetCookie()[0]).toMatch(/^lp_auth_session=; Max-Age=0;/);
    expect(e.appAuthorization.liveSessions()).toBe(0);
    expect((await fetch(`${base}/me`, { headers: { cookie: cookieHeader(cookies) } })).status).toBe(401);
  });

  test('a replayed callback (reused authorization code) is refused', async () => {
    const { base, emu: e } = await startApp();
    const { login, back, callback } = await fullLogin(base, e);
    expect(callback.status).toBe(302);
    const replay = await fetch(back, {
      redirect: 'manual',
      headers: { cookie: cookieHeader(login.cookies) },
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'authorization_failed' });
    expect(replay.headers.getSetCookie()[0]).toMatch(/^lp_auth_state=; Max-Age=0/);
  });

  test('a tampered, forged or missing state cookie, or a mismatched state, is state_mismatch', async () => {
    const { base, emu: e } = await startApp();
    const login = await startLogin(base);
    const back = await loginThroughEmulator(login.location!, e.credentials.login);
    const sealed = login.cookies.lp_auth_state!;
    const [data, mac] = sealed.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(data, 'base64url').toString()) as LoginState;
    const tampered = `${Buffer.from(JSON.stringify({ ...claims, returnTo: '/admin' })).toString('base64url')}.${mac}`;
    const forged = sealLoginState(
      { ...claims, returnTo: '/admin' },
      secret('an-attacker-guess-at-the-cookie-secret!!'),
    );
    const otherState = new URL(back);
    otherState.searchParams.set('state', randomToken());
    const attempts: [URL, string | undefined][] = [
      [back, `lp_auth_state=${tampered}`],
      [back, `lp_auth_state=${forged}`],
      [back, undefined],
      [otherState, `lp_auth_state=${sealed}`],
    ];
    for (const [url, cookie] of attempts) {
      const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'state_mismatch' });
    }
    // None of them spent the code: the real browser still completes its login.
    const ok = await fetch(back, { redirect: 'manual', headers: { cookie: `lp_auth_state=${sealed}` } });
    expect(ok.status).toBe(302);
  });

  test('an off-site returnTo ends the login on "/"; a path on this site is where the login ends', async () => {
    const { base, emu: e } = await startApp();
    for (const evil of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '\\/evil.example',
      'https:evil.example',
    ]) {
      const { callback } = await fullLogin(base, e, evil);
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toBe('/');
    }
    const { callback } = await fullLogin(base, e, '/dashboard?tab=2');
    expect(callback.headers.get('location')).toBe('/dashboard?tab=2');
  });

  test('a missing or wrong PKCE verifier in a validly signed state cookie does not get a session', async () => {
    const { base, emu: e } = await startApp();
    for (const codeVerifier of ['', randomToken()]) {
      const login = await startLogin(base);
      const back = await loginThroughEmulator(login.location!, e.credentials.login);
      const cookie = sealLoginState(
        {
          state: back.searchParams.get('state')!,
          codeVerifier,
          returnTo: '/',
          expiresAt: Date.now() + 60_000,
        },
        secret(COOKIE_SECRET),
      );
      const res = await fetch(back, { redirect: 'manual', headers: { cookie: `lp_auth_state=${cookie}` } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'authorization_failed' });
      expect(cookiesOf(res).lp_auth_session).toBeUndefined();
    }
  });

  test('cancelling on the login page is authorization_denied (403)', async () => {
    const { base, emu: e } = await startApp();
    const login = await startLogin(base);
    const back = await loginThroughEmulator(login.location!, e.credentials.login, { cancel: true });
    const res = await fetch(back, { redirect: 'manual', headers: { cookie: cookieHeader(login.cookies) } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'authorization_denied' });
  });

  test('login routes without a cookie secret fail at start-up, naming the option', async () => {
    emu = await startEmulator();
    expect(() =>
      lpAuth({
        ...emu!.lpAuthOptions(),
        logger: silentLogger,
        appAuthorization: { ...emu!.credentials.appAuthorization, redirectUri: 'http://127.0.0.1:1/cb' },
      }),
    ).toThrow(ConfigError);
    expect(() =>
      lpAuth({
        ...emu!.lpAuthOptions(),
        logger: silentLogger,
        appAuthorization: { ...emu!.credentials.appAuthorization, redirectUri: 'http://127.0.0.1:1/cb' },
      }),
    ).toThrow(/appAuthorization\.cookieSecret/);
  });
});
