import { afterEach, expect, test } from '@jest/globals';
import { createLpAuth, randomToken, silentLogger } from '@lp-auth/core';
import {
  loginThroughEmulator,
  onFreeLoopbackPort,
  serveOnLoopback,
  startEmulator,
  type Emulator,
} from '@lp-auth/testing';
import { createApp } from '../src/app.js';

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/**
 * The example app with application authorization, on a port known before it is built (the redirect
 * URI registered with the emulator names it). `userId`: the id the emulator's login user gets.
 */
async function startLoginApp(userId?: string): Promise<{ base: string; emu: Emulator }> {
  const emu = await startEmulator(userId === undefined ? {} : { credentials: { login: { userId } } });
  closers.push(() => emu.close());
  const served = await onFreeLoopbackPort((port) => {
    const redirectUri = `http://127.0.0.1:${port}/auth/callback`;
    emu.appAuthorization.registerRedirectUri(redirectUri);
    const { clientId, clientSecret } = emu.credentials.appAuthorization;
    const lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      credentials: emu.lpAuthCredentials(),
      appAuthorization: { clientId, clientSecret, redirectUri, cookieSecret: randomToken(32) },
    });
    closers.push(() => lp.close());
    return serveOnLoopback(createApp(lp).app.callback(), port);
  });
  closers.push(served.close);
  const base = served.url;
  return { base, emu };
}

/** The `name=value` pairs a response sets, without the ones it removes, as a Cookie header. */
const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .filter((pair) => !pair.endsWith('='))
    .join('; ');

/** A browser's login from `/auth/login?returnTo=…`: the emulator's login page, then the callback. */
async function logIn(base: string, emu: Emulator, returnTo: string) {
  const start = await fetch(`${base}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, {
    redirect: 'manual',
  });
  expect(start.status).toBe(302);
  const back = await loginThroughEmulator(start.headers.get('location')!, emu.credentials.login);
  const callback = await fetch(back, { redirect: 'manual', headers: { cookie: cookiesOf(start) } });
  return { callback, session: cookiesOf(callback) };
}

test('/me answers the logged-in user, calling LivePerson as them, and 401 without the session cookie', async () => {
  const { base, emu } = await startLoginApp();
  const refused = await fetch(`${base}/me`);
  expect(refused.status).toBe(401);
  expect(await refused.json()).toEqual({ error: 'login_required', login: '/auth/login?returnTo=/me' });

  const { callback, session } = await logIn(base, emu, '/me');
  expect(callback.status).toBe(302);
  expect(callback.headers.get('location')).toBe('/me');
  const skillsCalls = emu.stats.count('api.skills');
  const me = await fetch(`${base}/me`, { headers: { cookie: session } });
  expect(me.status).toBe(200);
  expect(await me.json()).toEqual({
    userId: emu.credentials.login.userId,
    isAdmin: expect.any(Boolean),
    skills: expect.any(Number),
  });
  expect(emu.stats.count('api.skills')).toBe(skillsCalls + 1); // /me called LivePerson

  // The same request without the cookie is a stranger again.
  expect((await fetch(`${base}/me`)).status).toBe(401);

  const out = await fetch(`${base}/auth/logout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: session },
  });
  expect(out.status).toBe(302);
  expect(emu.appAuthorization.liveSessions()).toBe(0);
  expect((await fetch(`${base}/me`, { headers: { cookie: session } })).status).toBe(401);
});

test('/ offers the login to a stranger, and shows the logged-in user with /me and a logout form', async () => {
  const { base, emu } = await startLoginApp();
  const stranger = await fetch(`${base}/`);
  expect(stranger.status).toBe(200);
  expect(stranger.headers.get('content-type')).toMatch(/^text\/html/);
  const strangerPage = await stranger.text();
  expect(strangerPage).toContain('<a href="/auth/login?returnTo=/">Log in with LivePerson</a>');
  expect(strangerPage).not.toContain('Logged in');

  const { callback, session } = await logIn(base, emu, '/');
  expect(callback.headers.get('location')).toBe('/');
  const page = await (await fetch(`${base}/`, { headers: { cookie: session } })).text();
  expect(page).toContain(`Logged in to LivePerson as user ${emu.credentials.login.userId}.`);
  expect(page).toContain('<a href="/me">');
  expect(page).toContain('<form method="post" action="/auth/logout">');
  expect(page).not.toContain('Log in with LivePerson');
});

test('a user id with HTML in it is shown as text on /, not as markup', async () => {
  const { base, emu } = await startLoginApp('<img src=x onerror=alert(1)>"&\'');
  const { session } = await logIn(base, emu, '/');
  const page = await (await fetch(`${base}/`, { headers: { cookie: session } })).text();
  expect(page).not.toContain('<img');
  expect(page).toContain(
    'Logged in to LivePerson as user &#60;img src=x onerror=alert(1)&#62;&#34;&#38;&#39;.',
  );
});
