import { afterEach, expect, test } from '@jest/globals';
import { createLpAuth, silentLogger, type LpAuth } from '@lp-auth/core';
import { loginThroughEmulator, onFreeLoopbackPort, startEmulator, type Emulator } from '@lp-auth/testing';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../src/app.js';

const COOKIE_SECRET = 'example-fastify-test-cookie-secret-0123456789';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/**
 * The example app with "Log in with LivePerson", listening on the port of the redirect URI it
 * registered at the emulator (the port must be known before the app is built).
 */
async function startLoginApp(
  emulatorOptions?: Parameters<typeof startEmulator>[0],
): Promise<{ base: string; emu: Emulator }> {
  const emu = await startEmulator(emulatorOptions);
  cleanup.push(() => emu.close());
  // The redirect URI names the port, so the app is built for a port that may be taken by then.
  const base = await onFreeLoopbackPort(async (port) => {
    const redirectUri = `http://127.0.0.1:${port}/auth/callback`;
    emu.appAuthorization.registerRedirectUri(redirectUri);
    const lp: LpAuth = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      appAuthorization: { ...emu.credentials.appAuthorization, redirectUri, cookieSecret: COOKIE_SECRET },
    });
    cleanup.push(() => lp.close());
    const app: FastifyInstance = await createApp(lp);
    cleanup.push(() => app.close());
    return app.listen({ port, host: '127.0.0.1' });
  });
  return { base, emu };
}

/** The cookies a response sets (removed ones left out), as the next request's `Cookie` header. */
const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .filter((pair) => !pair.endsWith('='))
    .join('; ');

/** A whole login as a browser does it: `/auth/login`, the emulator's login page, the callback. */
async function logIn(base: string, emu: Emulator, returnTo = '/me') {
  const start = await fetch(`${base}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, {
    redirect: 'manual',
  });
  expect(start.status).toBe(302);
  const back = await loginThroughEmulator(start.headers.get('location')!, emu.credentials.login);
  const callback = await fetch(back, { redirect: 'manual', headers: { cookie: cookiesOf(start) } });
  return { callback, session: cookiesOf(callback) };
}

/** The browser's logout form: an urlencoded POST with an empty body. */
const logOut = (base: string, session: string) =>
  fetch(`${base}/auth/logout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });

test('GET /me after login answers the user LivePerson logged in, as that user; 401 without the cookie', async () => {
  const { base, emu } = await startLoginApp();
  const anonymous = await fetch(`${base}/me`);
  expect(anonymous.status).toBe(401);
  expect(await anonymous.json()).toEqual({ error: 'login_required', login: '/auth/login?returnTo=/me' });

  const { callback, session } = await logIn(base, emu);
  expect(callback.status).toBe(302);
  expect(callback.headers.get('location')).toBe('/me');
  const skillCallsBefore = emu.stats.count('api.skills');
  const me = await fetch(`${base}/me`, { headers: { cookie: session } });
  expect(me.status).toBe(200);
  expect(await me.json()).toEqual({
    userId: emu.credentials.login.userId,
    isAdmin: false,
    skills: expect.any(Number),
  });
  // The skills came from LivePerson (the emulator), not from the app.
  expect(emu.stats.count('api.skills')).toBe(skillCallsBefore + 1);

  expect((await fetch(`${base}/me`)).status).toBe(401);
});

test('GET / offers the login, then names the user with a link to /me and a logout form', async () => {
  const { base, emu } = await startLoginApp();
  const before = await fetch(`${base}/`);
  expect(before.status).toBe(200);
  expect(before.headers.get('content-type')).toMatch(/^text\/html/);
  const anonymousPage = await before.text();
  expect(anonymousPage).toContain('<a href="/auth/login?returnTo=/">Log in with LivePerson</a>');
  expect(anonymousPage).not.toContain('Logged in');

  const { session } = await logIn(base, emu, '/');
  const page = await (await fetch(`${base}/`, { headers: { cookie: session } })).text();
  expect(page).toContain(`Logged in to LivePerson as user ${emu.credentials.login.userId}.`);
  expect(page).toContain('<a href="/me">');
  expect(page).toContain('<form method="post" action="/auth/logout">');
  expect(page).not.toContain('Log in with LivePerson</a>');
});

test("the logout form's urlencoded POST with an empty body logs out (not a 415), and the session is dead", async () => {
  const { base, emu } = await startLoginApp();
  const { session } = await logIn(base, emu);
  expect((await fetch(`${base}/me`, { headers: { cookie: session } })).status).toBe(200);

  const revocations = emu.stats.count('sentinel.revoke');
  const out = await logOut(base, session);
  expect(out.status).toBe(302);
  expect(out.headers.get('location')).toBe('/');
  expect(out.headers.getSetCookie()).toEqual([expect.stringMatching(/^lp_auth_session=; Max-Age=0;/)]);

  // LivePerson was told too: the user's token is revoked, not only the cookie removed.
  expect(emu.stats.count('sentinel.revoke')).toBeGreaterThan(revocations);
  // The old cookie, replayed after logout, is no longer a session.
  const me = await fetch(`${base}/me`, { headers: { cookie: session } });
  expect(me.status).toBe(401);
  expect(await me.json()).toMatchObject({ error: 'login_required' });
  const page = await (await fetch(`${base}/`, { headers: { cookie: session } })).text();
  expect(page).toContain('Log in with LivePerson');
});

test('the user id is escaped in the page (a hostile id cannot inject markup)', async () => {
  const hostile = `<img src=x onerror="alert('x')">&`;
  const { base, emu } = await startLoginApp({ credentials: { login: { userId: hostile } } });
  const { session } = await logIn(base, emu, '/');
  const page = await (await fetch(`${base}/`, { headers: { cookie: session } })).text();
  expect(page).not.toContain('<img');
  expect(page).toContain('as user &#60;img src=x onerror=&#34;alert(&#39;x&#39;)&#34;&#62;&#38;.');
});
