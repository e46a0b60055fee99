import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { OPEN_REDIRECT_CORPUS, loginThroughEmulator, startEmulator, type Emulator } from '@lp-auth/testing';
import {
  AppAuthorizationWeb,
  createLpAuth,
  normaliseReturnTo,
  safeReturnTo,
  silentLogger,
  type LpAuth,
  type WebRequest,
} from './core.js';

const APP = 'http://127.0.0.1:8766';
const REDIRECT = `${APP}/auth/callback`;
const COOKIE_SECRET = 'a-cookie-secret-of-at-least-32-characters!';

/** What a browser does with a `Location`: resolve it against the page it is on. */
function expectSameOriginPath(location: string, label: string): void {
  const resolved = new URL(location, REDIRECT);
  expect({ label, origin: resolved.origin }).toEqual({ label, origin: APP });
  expect({ label, ok: /^\/(?![/\\])[\x21-\x7e]*$/.test(location) }).toEqual({ label, ok: true });
}

describe('safeReturnTo', () => {
  test('every open-redirect form falls back to "/" or to a path on this origin', () => {
    const fellBack: string[] = [];
    for (const evil of OPEN_REDIRECT_CORPUS) {
      const path = safeReturnTo(evil, '/', APP);
      expectSameOriginPath(path, JSON.stringify(evil));
      if (path === '/') fellBack.push(evil);
    }
    // The forms reported in the issue are refused outright, not merely made harmless.
    for (const reported of [
      '/.//evil.example',
      '/..//evil.example',
      '/%2e//evil.example',
      '/x/..//evil.example',
    ]) {
      expect(normaliseReturnTo(reported, APP)).toBeUndefined();
      expect(fellBack).toContain(reported);
    }
    // The rest (full-width `／`, `＼`, `。`, `/@host`) are harmless paths, percent-encoded.
    expect(fellBack.length).toBe(OPEN_REDIRECT_CORPUS.length - 4);
  });

  test('paths on this site come back normalised, as the browser would request them', () => {
    expect(safeReturnTo('/dashboard?tab=1#x')).toBe('/dashboard?tab=1#x');
    expect(safeReturnTo('/a/./b/../c?x=1')).toBe('/a/c?x=1');
    expect(safeReturnTo('/%2e%2e/me')).toBe('/me');
    expect(safeReturnTo('/r\u00e9sum\u00e9')).toBe('/r%C3%A9sum%C3%A9');
    expect(safeReturnTo('/\uff0fevil.example')).toBe('/%EF%BC%8Fevil.example');
    expect(safeReturnTo('/a%2Fb')).toBe('/a%2Fb');
    expect(safeReturnTo('/?next=//evil.example')).toBe('/?next=//evil.example');
    expect(safeReturnTo(undefined)).toBe('/');
    expect(safeReturnTo('', '/home')).toBe('/home');
    expect(safeReturnTo(42)).toBe('/');
    expect(safeReturnTo('//evil.example', '/home')).toBe('/home');
  });
});

describe('login routes against hostile input (AppAuthorizationWeb.handle, emulator on 127.0.0.1)', () => {
  let emu: Emulator;
  let lp: LpAuth;
  let web: AppAuthorizationWeb;

  beforeAll(async () => {
    emu = await startEmulator({ credentials: { appAuthorization: { redirectUris: [REDIRECT] } } });
    const { clientId, clientSecret } = emu.credentials.appAuthorization;
    lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      appAuthorization: { clientId, clientSecret, redirectUri: REDIRECT, cookieSecret: COOKIE_SECRET },
    });
    web = new AppAuthorizationWeb(lp.appAuthorization!);
  });
  afterAll(async () => {
    await lp.close();
    await emu.close();
  });

  const cookieOf = (setCookies: string[]) =>
    setCookies
      .map((c) => c.split(';')[0]!)
      .filter((pair) => !pair.endsWith('='))
      .join('; ');

  /** A browser's whole login: the login route, LivePerson's login page, the callback. */
  async function login(returnTo: string) {
    const start = await web.handle({
      method: 'GET',
      url: `/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
    });
    if (!('redirect' in start)) throw new Error(`login answered ${inspect(start)}`);
    const back = await loginThroughEmulator(start.redirect.location, emu.credentials.login);
    const callback = await web.handle({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      cookie: cookieOf(start.redirect.setCookies),
    });
    if (!('redirect' in callback)) throw new Error(`callback answered ${inspect(callback)}`);
    return { location: callback.redirect.location, cookie: cookieOf(callback.redirect.setCookies) };
  }

  test('login → callback ends on a same-origin path for every open-redirect form', async () => {
    for (const evil of OPEN_REDIRECT_CORPUS) {
      const { location } = await login(evil);
      expectSameOriginPath(location, JSON.stringify(evil));
    }
    expect((await login('/reports/../me?tab=2')).location).toBe('/me?tab=2');
  }, 60_000);

  test('afterLogoutPath off this site is a ConfigError at start-up', () => {
    for (const afterLogoutPath of ['//evil.example', '/.//evil.example', 'https://evil.example']) {
      expect(() => new AppAuthorizationWeb(lp.appAuthorization!, { afterLogoutPath })).toThrow(
        expect.objectContaining({ code: 'config_invalid' }) as never,
      );
    }
  });

  const logout = (cookie: string, headers: Partial<WebRequest>) =>
    web.handle({ method: 'POST', url: '/auth/logout', cookie, ...headers });

  test('a cross-site logout is refused with 403 forbidden_origin and the session lives on', async () => {
    const { cookie } = await login('/me');
    const revokes = emu.stats.count('sentinel.revoke');
    const refused: Partial<WebRequest>[] = [
      { secFetchSite: 'cross-site' },
      { secFetchSite: 'same-site' },
      { secFetchSite: 'cross-site', origin: APP }, // Sec-Fetch-Site decides when both are sent
      { secFetchSite: ['same-origin', 'cross-site'] },
      { origin: 'http://127.0.0.1:9999' },
      { origin: 'null' },
      { origin: `${APP}.evil.example` },
      { origin: [APP, 'http://evil.example'] },
    ];
    for (const headers of refused) {
      const outcome = await logout(cookie, headers);
      expect({ headers, outcome }).toMatchObject({
        headers,
        outcome: { error: { code: 'forbidden_origin', httpStatus: 403 }, setCookies: [] },
      });
      expect((await web.user(cookie))?.user.id).toBe(emu.credentials.login.userId);
    }
    expect(emu.stats.count('sentinel.revoke')).toBe(revokes);
  });

  test('a same-origin logout, a typed-in one and one without either header log out', async () => {
    for (const headers of [
      { secFetchSite: 'same-origin' },
      { secFetchSite: 'none' },
      { origin: APP },
      {},
    ] satisfies Partial<WebRequest>[]) {
      const { cookie } = await login('/me');
      const revokes = emu.stats.count('sentinel.revoke');
      const outcome = await logout(cookie, headers);
      expect(outcome).toMatchObject({ redirect: { status: 302, location: '/' } });
      expect(await web.user(cookie)).toBeUndefined();
      expect(emu.stats.count('sentinel.revoke')).toBe(revokes + 1);
    }
  });
});
