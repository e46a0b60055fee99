import { afterEach, describe, expect, test } from '@jest/globals';
import Koa from 'koa';
import Router from '@koa/router';
import {
  loginThroughEmulator,
  onFreeLoopbackPort,
  serveOnLoopback,
  startConsumerIdp,
  startEmulator,
  type ConsumerIdp,
  type Emulator,
} from '@lp-auth/testing';
import { ConfigError, silentLogger } from '@lp-auth/core';
import { lpAuth, optionalConsumer, type LpAuthKoaOptions } from '../src/index.js';

const COOKIE_SECRET = 'koa-test-cookie-secret-0123456789abcdefgh';
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/**
 * An app with lpAuth({ appAuthorization, consumer }) on a port known before it is built (its
 * redirect URI names it), and `/whoami` showing the user and the consumer of one request.
 */
async function startApp(
  koaOptions?: LpAuthKoaOptions,
): Promise<{ base: string; emu: Emulator; idp: ConsumerIdp }> {
  const [emu, idp] = await Promise.all([startEmulator(), startConsumerIdp()]);
  closers.push(
    () => emu.close(),
    () => idp.close(),
  );
  const served = await onFreeLoopbackPort((port) => {
    const redirectUri = `http://127.0.0.1:${port}/auth/callback`;
    emu.appAuthorization.registerRedirectUri(redirectUri);
    const middleware = lpAuth(
      {
        ...emu.lpAuthOptions(),
        logger: silentLogger,
        consumer: { issuer: idp.issuer },
        appAuthorization: { ...emu.credentials.appAuthorization, redirectUri, cookieSecret: COOKIE_SECRET },
      },
      koaOptions,
    );
    closers.push(() => middleware.close());
    const router = new Router();
    router.get('/whoami', optionalConsumer(), (ctx) => {
      ctx.body = { user: ctx.state.lp.user?.user.id ?? null, consumer: ctx.state.lp.consumer?.sub ?? null };
    });
    const app = new Koa();
    app.use(middleware);
    app.use(router.routes()).use(router.allowedMethods());
    return serveOnLoopback(app.callback(), port);
  });
  closers.push(served.close);
  const base = served.url;
  return { base, emu, idp };
}

/** The `name=value` pairs a response sets. */
function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
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

/** A browser's login: `loginPath`, LivePerson's login page, the callback. */
async function fullLogin(base: string, emu: Emulator, loginPath = '/auth/login') {
  const start = await fetch(`${base}${loginPath}?returnTo=/whoami`, { redirect: 'manual' });
  const back = await loginThroughEmulator(start.headers.get('location')!, emu.credentials.login);
  const callback = await fetch(back, {
    redirect: 'manual',
    headers: { cookie: cookieHeader(cookiesOf(start)) },
  });
  return { start, back, stateCookies: cookiesOf(start), callback, cookies: cookiesOf(callback) };
}

describe('Koa: application authorization routes', () => {
  test('the login answers are not cached, and set exactly the cookies the core decided', async () => {
    const { base, emu } = await startApp();
    const { start, callback, cookies } = await fullLogin(base, emu);
    expect(start.status).toBe(302);
    expect(start.headers.get('cache-control')).toBe('no-store');
    expect(start.headers.getSetCookie()).toEqual([
      expect.stringMatching(
        /^lp_auth_state=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/,
      ),
    ]);
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/whoami');
    expect(callback.headers.get('cache-control')).toBe('no-store');
    expect(cookies.lp_auth_state).toBe('');
    expect(cookies.lp_auth_session).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('the logged-in user and a verified consumer sit side by side on ctx.state.lp', async () => {
    const { base, emu, idp } = await startApp();
    const { cookies } = await fullLogin(base, emu);
    const token = await idp.issue({ claims: { sub: 'consumer-9' } });
    const res = await fetch(`${base}/whoami`, {
      headers: { cookie: cookieHeader(cookies), authorization: `Bearer ${token}` },
    });
    expect(await res.json()).toEqual({ user: emu.credentials.login.userId, consumer: 'consumer-9' });
    expect(await (await fetch(`${base}/whoami`)).json()).toEqual({ user: null, consumer: null });
  });

  test('a failed callback answers JSON 400 and still removes the state cookie', async () => {
    const { base, emu } = await startApp();
    const first = await fullLogin(base, emu);
    const replay = await fetch(first.back, {
      redirect: 'manual',
      headers: { cookie: cookieHeader(first.stateCookies) },
    });
    expect(replay.status).toBe(400);
    expect(replay.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await replay.json()).toMatchObject({ error: 'authorization_failed' });
    expect(replay.headers.getSetCookie()).toEqual([expect.stringMatching(/^lp_auth_state=; Max-Age=0;/)]);
  });

  test('lpAuth(options, { appAuthorization }) moves the login and logout routes', async () => {
    const { base, emu } = await startApp({
      appAuthorization: { loginPath: '/signin', logoutPath: '/signout', afterLogoutPath: '/bye' },
    });
    expect((await fetch(`${base}/auth/login`, { redirect: 'manual' })).status).toBe(404);
    const { start, cookies } = await fullLogin(base, emu, '/signin');
    expect(start.status).toBe(302);
    const who = await fetch(`${base}/whoami`, { headers: { cookie: cookieHeader(cookies) } });
    expect(((await who.json()) as { user: string }).user).toBe(emu.credentials.login.userId);
    const out = await fetch(`${base}/signout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookieHeader(cookies) },
    });
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('/bye');
    expect(cookiesOf(out).lp_auth_session).toBe('');
    expect(emu.appAuthorization.liveSessions()).toBe(0);
  });

  test('login routes without a cookie secret, or with a path that is not one, fail at start-up', async () => {
    const emu = await startEmulator();
    closers.push(() => emu.close());
    const options = {
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      appAuthorization: { ...emu.credentials.appAuthorization, redirectUri: 'http://127.0.0.1:1/cb' },
    };
    expect(() => lpAuth(options)).toThrow(/appAuthorization\.cookieSecret/);
    const withSecret = {
      ...options,
      appAuthorization: { ...options.appAuthorization, cookieSecret: COOKIE_SECRET },
    };
    expect(() => lpAuth(withSecret, { appAuthorization: { loginPath: '//evil.example' } })).toThrow(
      ConfigError,
    );
  });
});
