import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Controller, Get, Module, Req, type DynamicModule } from '@nestjs/common';
import type { LpAuthOptions, UserSession } from '@lp-auth/core';
import type { LpRequestContext } from '@lp-auth/core/adapter';
import { loginThroughEmulator, onFreeLoopbackPort, startEmulator, type Emulator } from '@lp-auth/testing';
import { LpAuthModule, LpUser, type LpAuthModuleOptions } from '../src/index.js';
import { PLATFORMS, serveNest } from './serve.js';

const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
/** Only for these tests: the key of the app's signed state cookies. */
const COOKIE_SECRET = 'nestjs-login-test-cookie-secret-0123456789';

/** What a ConfigService would hand the module: here, a plain class provider holding the options. */
class AppConfig {
  constructor(readonly lpOptions: LpAuthOptions) {}
}

@Controller()
class ProfileController {
  @Get('profile')
  profile(@LpUser() user: UserSession | undefined, @Req() req: { lp: LpRequestContext }) {
    return { lpUser: user?.user.id ?? null, reqUser: req.lp.user?.user.id ?? null };
  }
}

function appModule(lpOptions: LpAuthOptions): DynamicModule {
  @Module({ providers: [{ provide: AppConfig, useValue: new AppConfig(lpOptions) }], exports: [AppConfig] })
  class ConfigModule {}

  @Module({
    imports: [
      LpAuthModule.forRootAsync({
        imports: [ConfigModule],
        inject: [AppConfig],
        useFactory: async (config: AppConfig): Promise<LpAuthModuleOptions> => ({
          ...config.lpOptions,
          appAuthorizationRoutes: { loginPath: '/signin', logoutPath: '/signout', afterLogoutPath: '/bye' },
        }),
      }),
    ],
    controllers: [ProfileController],
  })
  class AppModule {}
  return { module: AppModule };
}

const cookiePairs = (res: Response): Record<string, string> =>
  Object.fromEntries(
    res.headers.getSetCookie().map((line) => {
      const pair = line.split(';')[0]!;
      return [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
    }),
  );
const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

describe.each(PLATFORMS)('login routes (%s), options from forRootAsync with inject', (platform) => {
  let emu: Emulator;
  let served: Awaited<ReturnType<typeof serveNest>>;

  beforeAll(async () => {
    emu = await startEmulator();
    served = await onFreeLoopbackPort((port) => {
      const redirectUri = `http://127.0.0.1:${port}/auth/callback`;
      emu.appAuthorization.registerRedirectUri(redirectUri);
      const appAuthorization = {
        ...emu.credentials.appAuthorization,
        redirectUri,
        cookieSecret: COOKIE_SECRET,
      };
      return serveNest(
        appModule({ ...emu.lpAuthOptions(), logger: QUIET, appAuthorization }),
        platform,
        port,
      );
    });
  });
  afterAll(async () => {
    await served?.close();
    await emu?.close();
  });

  test('the configured paths log in, put the user on @LpUser() and req.lp, and log out', async () => {
    expect((await fetch(`${served.url}/auth/login`, { redirect: 'manual' })).status).toBe(404);
    const start = await fetch(`${served.url}/signin?returnTo=/profile`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    expect(start.headers.get('cache-control')).toBe('no-store');
    expect(start.headers.get('location')).toContain(`/sentinel/api/account/${emu.accountId}/authorize?`);
    const state = cookiePairs(start);
    expect(state.lp_auth_state).toMatch(/\S/);

    const back = await loginThroughEmulator(start.headers.get('location')!, emu.credentials.login);
    const callback = await fetch(back, { redirect: 'manual', headers: { cookie: cookieHeader(state) } });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/profile');
    expect(callback.headers.get('cache-control')).toBe('no-store');
    const session = cookiePairs(callback);
    expect(session.lp_auth_state).toBe('');

    const profile = await fetch(`${served.url}/profile`, { headers: { cookie: cookieHeader(session) } });
    const userId = emu.credentials.login.userId;
    expect(await profile.json()).toEqual({ lpUser: userId, reqUser: userId });
    expect(await (await fetch(`${served.url}/profile`)).json()).toEqual({ lpUser: null, reqUser: null });

    const out = await fetch(`${served.url}/signout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookieHeader(session) },
    });
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('/bye');
    expect(cookiePairs(out).lp_auth_session).toBe('');
    const after = await fetch(`${served.url}/profile`, { headers: { cookie: cookieHeader(session) } });
    expect(await after.json()).toEqual({ lpUser: null, reqUser: null });
  });

  test('a failed callback answers the typed error and still removes the state cookie', async () => {
    const res = await fetch(`${served.url}/auth/callback?code=stolen-code&state=guessed`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.json()).toMatchObject({ error: 'state_mismatch' });
    const cleared = res.headers.getSetCookie().find((line) => line.startsWith('lp_auth_state='));
    expect(cleared).toMatch(/^lp_auth_state=;.*Max-Age=0/);
    expect(cookiePairs(res).lp_auth_session).toBeUndefined();
  });
});
