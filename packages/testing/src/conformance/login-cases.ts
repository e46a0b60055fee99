import assert from 'node:assert/strict';
import { loginThroughEmulator } from '../emulator/browser-login.js';
import { startEmulator } from '../emulator/start.js';
import type { Emulator } from '../emulator/types.js';
import type { ConformanceApp, ConformanceCase, ConformanceHarness } from './harness.js';
import { OPEN_REDIRECT_CORPUS } from './open-redirect-corpus.js';
import { onFreeLoopbackPort } from './serve.js';

/** The JSON body, parsed in this realm (Jest's deep equality also compares prototypes). */
const jsonOf = async (res: Response): Promise<unknown> => JSON.parse(await res.text()) as unknown;

const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
/** Only for these tests: the key of the app's signed state cookies. */
export const COOKIE_SECRET = 'conformance-cookie-secret-0123456789abcdef';

/**
 * Starts `harness` with application authorization's login routes against `emu`, on a loopback port
 * its redirect URI names (another one when that port is taken before the app listens), with `more`
 * options beside them.
 */
export function startWithLoginRoutes(
  harness: ConformanceHarness,
  emu: Emulator,
  more: Record<string, unknown> = {},
): Promise<ConformanceApp> {
  return onFreeLoopbackPort((port) => {
    const redirectUri = `http://127.0.0.1:${port}/auth/callback`;
    emu.appAuthorization.registerRedirectUri(redirectUri);
    return harness.start(
      {
        ...emu.lpAuthOptions(),
        logger: QUIET,
        ...more,
        appAuthorization: { ...emu.credentials.appAuthorization, redirectUri, cookieSecret: COOKIE_SECRET },
      },
      { port },
    );
  });
}

/** Runs `body` with an emulator and an app that serves application authorization's login routes. */
async function withLoginApp(
  harness: ConformanceHarness,
  body: (app: ConformanceApp, emu: Emulator) => Promise<void>,
): Promise<void> {
  const emu = await startEmulator();
  let app: ConformanceApp | undefined;
  try {
    app = await startWithLoginRoutes(harness, emu);
    await body(app, emu);
  } finally {
    await app?.close();
    await emu.close();
  }
}

/** The `name=value` pairs a response sets. */
export function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export const cookieHeader = (cookies: Record<string, string>): string =>
  Object.entries(cookies)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

/** A browser's whole login: the app's login route, LivePerson's login page, the callback. */
export async function login(app: ConformanceApp, emu: Emulator, returnTo = '/me') {
  const start = await fetch(`${app.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, {
    redirect: 'manual',
  });
  assert.equal(start.status, 302, `GET /auth/login answered ${start.status}`);
  const stateCookies = cookiesOf(start);
  const back = await loginThroughEmulator(start.headers.get('location')!, emu.credentials.login);
  const callback = await fetch(back, { redirect: 'manual', headers: { cookie: cookieHeader(stateCookies) } });
  return { start, stateCookies, back, callback, cookies: cookiesOf(callback) };
}

async function me(app: ConformanceApp, cookies?: Record<string, string>): Promise<unknown> {
  const res = await fetch(`${app.url}/me`, cookies ? { headers: { cookie: cookieHeader(cookies) } } : {});
  assert.equal(res.status, 200);
  return ((await jsonOf(res)) as { user: unknown }).user;
}

/** Application authorization: the login routes and the logged-in user, the same in every adapter. */
export function loginCases(): ConformanceCase[] {
  return [
    {
      title: 'login: LivePerson login page → callback → a session whose user calls LivePerson as them',
      run: (harness) =>
        withLoginApp(harness, async (app, emu) => {
          const { start, back, callback, cookies } = await login(app, emu, '/me');
          assert.ok(
            start.headers.get('location')!.includes(`/sentinel/api/account/${emu.accountId}/authorize?`),
          );
          const stateCookie = start.headers.getSetCookie().find((c) => c.startsWith('lp_auth_state='));
          assert.ok(stateCookie, 'the login sets a state cookie');
          assert.match(stateCookie, /; HttpOnly/);
          assert.match(stateCookie, /; SameSite=Lax/);
          assert.equal(back.origin, app.url);
          assert.equal(callback.status, 302);
          assert.equal(callback.headers.get('location'), '/me');
          assert.match(cookies.lp_auth_session ?? '', /^[A-Za-z0-9_-]{43}$/);
          assert.equal(await me(app, cookies), emu.credentials.login.userId);
          const skills = await fetch(`${app.url}/me/skills`, { headers: { cookie: cookieHeader(cookies) } });
          assert.equal(skills.status, 200);
          assert.ok(Array.isArray(await jsonOf(skills)));
          assert.equal(await me(app), null);
          assert.equal((await fetch(`${app.url}/me/skills`)).status, 401);
        }),
    },
    {
      title: 'login: logout ends the session here and revokes it at Sentinel',
      run: (harness) =>
        withLoginApp(harness, async (app, emu) => {
          const { cookies } = await login(app, emu);
          const out = await fetch(`${app.url}/auth/logout`, {
            method: 'POST',
            redirect: 'manual',
            headers: { cookie: cookieHeader(cookies) },
          });
          assert.equal(out.status, 302, `POST /auth/logout answered ${out.status}`);
          assert.equal(cookiesOf(out).lp_auth_session, '');
          assert.equal(emu.stats.count('sentinel.revoke'), 1);
          assert.equal(await me(app, cookies), null, 'the old session cookie no longer logs in');
        }),
    },
    {
      title: 'login: a replayed callback and a mismatched state are refused without a session',
      run: (harness) =>
        withLoginApp(harness, async (app, emu) => {
          const first = await login(app, emu);
          const replay = await fetch(first.back, {
            redirect: 'manual',
            headers: { cookie: cookieHeader(first.stateCookies) },
          });
          assert.equal(replay.status, 400);
          assert.equal(((await jsonOf(replay)) as { error: string }).error, 'authorization_failed');
          assert.equal(cookiesOf(replay).lp_auth_session, undefined);

          const start = await fetch(`${app.url}/auth/login`, { redirect: 'manual' });
          const back = await loginThroughEmulator(start.headers.get('location')!, emu.credentials.login);
          back.searchParams.set('state', 'an-attackers-state');
          const forged = await fetch(back, {
            redirect: 'manual',
            headers: { cookie: cookieHeader(cookiesOf(start)) },
          });
          assert.equal(forged.status, 400);
          assert.equal(((await jsonOf(forged)) as { error: string }).error, 'state_mismatch');
          assert.equal(cookiesOf(forged).lp_auth_session, undefined);
        }),
    },
    {
      title: `login: every open-redirect returnTo (${OPEN_REDIRECT_CORPUS.length} forms) ends the login on a path of this origin`,
      run: (harness) =>
        withLoginApp(harness, async (app, emu) => {
          for (const evil of OPEN_REDIRECT_CORPUS) {
            const { callback } = await login(app, emu, evil);
            assert.equal(callback.status, 302, `returnTo=${JSON.stringify(evil)}`);
            const location = callback.headers.get('location') ?? '';
            // As a browser reads it: resolved against the callback's URL, and no `//` or `/\` start.
            assert.equal(
              new URL(location, app.url).origin,
              app.url,
              `returnTo=${JSON.stringify(evil)} → ${location}`,
            );
            assert.match(
              location,
              /^\/(?![/\\])[\x21-\x7e]*$/,
              `returnTo=${JSON.stringify(evil)} → ${location}`,
            );
          }
          const { callback } = await login(app, emu, '/reports/../me?tab=2');
          assert.equal(callback.headers.get('location'), '/me?tab=2');
        }),
    },
    {
      title: 'login: a cross-site logout is refused (403 forbidden_origin) and keeps the session',
      run: (harness) =>
        withLoginApp(harness, async (app, emu) => {
          const { cookies } = await login(app, emu);
          const refused: Record<string, string>[] = [
            { 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' },
            { 'sec-fetch-site': 'same-site' },
            { origin: 'http://evil.example' },
            { origin: 'null' },
          ];
          for (const headers of refused) {
            const out = await fetch(`${app.url}/auth/logout`, {
              method: 'POST',
              redirect: 'manual',
              headers: { cookie: cookieHeader(cookies), ...headers },
            });
            assert.equal(out.status, 403, `logout with ${JSON.stringify(headers)}`);
            assert.equal(((await jsonOf(out)) as { error: string }).error, 'forbidden_origin');
            assert.equal(out.headers.get('location'), null);
            assert.equal(cookiesOf(out).lp_auth_session, undefined, 'the session cookie is not cleared');
            assert.equal(await me(app, cookies), emu.credentials.login.userId, 'still logged in');
          }
          assert.equal(emu.stats.count('sentinel.revoke'), 0);
          const allowed: Record<string, string>[] = [
            { 'sec-fetch-site': 'same-origin', origin: app.url },
            { origin: app.url },
          ];
          for (const headers of allowed) {
            const again = await login(app, emu);
            const out = await fetch(`${app.url}/auth/logout`, {
              method: 'POST',
              redirect: 'manual',
              headers: { cookie: cookieHeader(again.cookies), ...headers },
            });
            assert.equal(out.status, 302, `logout with ${JSON.stringify(headers)}`);
            assert.equal(await me(app, again.cookies), null);
          }
          assert.equal(emu.stats.count('sentinel.revoke'), 2);
        }),
    },
  ];
}
