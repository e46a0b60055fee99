import { inspect } from 'node:util';
import { afterEach, describe, expect, test } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  loginThroughEmulator,
  onFreeLoopbackPort,
  startConsumerIdp,
  startEmulator,
  type Emulator,
} from '@lp-auth/testing';
import { createLpAuth, LpAuthError, silentLogger } from '@lp-auth/core';
import { lpAuth, requireConsumer, sendLpError } from '../src/index.js';

const COOKIE_SECRET = 'fastify-test-cookie-secret-0123456789abcdef';
const SKILLS = '/api/account/{accountId}/configuration/le-users/skills';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** Listens on loopback; `fetch` against the real socket (light-my-request's inject cannot load under Jest ESM). */
async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}

async function emulator(options?: Parameters<typeof startEmulator>[0]): Promise<Emulator> {
  const emu = await startEmulator(options);
  cleanup.push(() => emu.close());
  return emu;
}

describe('onClose', () => {
  test('closing the app closes the core the plugin built', async () => {
    const emu = await emulator();
    const app = Fastify();
    await app.register(lpAuth, {
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      credentials: emu.lpAuthCredentials(),
    });
    app.post('/agent-session', async (request) => {
      const { data } = await request.lp!.clients.login!.request({
        service: 'agentVep',
        path: '/api/account/{accountId}/agentSession',
        method: 'POST',
      });
      return data;
    });
    const base = await listen(app);
    expect((await fetch(`${base}/agent-session`, { method: 'POST' })).status).toBe(200);
    expect(emu.loginSessions.count()).toBe(1);
    expect(app.lp.closed).toBe(false);
    await app.close();
    expect(app.lp.closed).toBe(true);
    expect(emu.loginSessions.count()).toBe(0);
  });

  test('an LpAuth given as { lp } stays open when the app closes, and two apps can share it', async () => {
    const emu = await emulator();
    const lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      credentials: emu.lpAuthCredentials(),
    });
    cleanup.push(() => lp.close());
    const first = Fastify();
    const second = Fastify();
    await first.register(lpAuth, { lp });
    await second.register(lpAuth, { lp: first.lp });
    for (const app of [first, second]) {
      app.get('/skills', async (request) => {
        const { data } = await request.lp!.clients.appJwt!.request({
          service: 'accountConfigReadOnly',
          path: SKILLS,
        });
        return data;
      });
    }
    for (const app of [first, second]) expect((await fetch(`${await listen(app)}/skills`)).status).toBe(200);
    expect(emu.stats.count('sentinel.token')).toBe(1);
    await first.close();
    await second.close();
    expect(lp.closed).toBe(false);
    expect(second.lp.clients.appJwt).toBe(lp.clients.appJwt);
  });

  test('app.lp prints like the core: no secret in util.inspect', async () => {
    const emu = await emulator();
    const app = Fastify();
    cleanup.push(() => app.close());
    await app.register(lpAuth, {
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      credentials: emu.lpAuthCredentials(),
    });
    const printed = inspect(app.lp, { depth: 5 });
    expect(printed).toMatch(/^LpAuth \{ accountId/);
    expect(printed).not.toContain(emu.credentials.appJwt.clientSecret);
  });
});

describe('error handling', () => {
  test("errorHandler: false leaves the answer to the app's own handler, which calls sendLpError", async () => {
    const idp = await startConsumerIdp();
    cleanup.push(() => idp.close());
    // With allowErrorHandlerOverride: false, a second handler in the same scope throws: the
    // option is what lets such an app keep its own.
    const app = Fastify({ allowErrorHandlerOverride: false });
    cleanup.push(() => app.close());
    await app.register(lpAuth, {
      accountId: '12345678',
      logger: silentLogger,
      consumer: { issuer: idp.issuer },
      errorHandler: false,
    });
    const seen: string[] = [];
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof LpAuthError) {
        seen.push(error.code);
        return sendLpError(error, reply);
      }
      return reply.code(500).send({ error: 'ours' });
    });
    app.get('/orders', { preHandler: requireConsumer() }, async (request) => ({
      sub: request.lp!.consumer!.sub,
    }));
    const res = await fetch(`${await listen(app)}/orders`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(await res.json()).toMatchObject({ error: 'unauthorized', code: 'token_missing' });
    expect(seen).toEqual(['token_missing']);
  });

  test('with the default error handler, such an app is told at start-up, not on a request', async () => {
    const app = Fastify({ allowErrorHandlerOverride: false });
    cleanup.push(() => app.close());
    await app.register(lpAuth, { accountId: '12345678', logger: silentLogger });
    expect(() => app.setErrorHandler(() => undefined)).toThrow(/already set/);
  });
});

describe('application authorization login routes', () => {
  /** An app with login routes at custom paths, every other route behind the consumer guard. */
  async function loginApp() {
    const [emu, idp] = await Promise.all([emulator(), startConsumerIdp()]);
    cleanup.push(() => idp.close());
    // The redirect URI names the port, so the app is built for a port that may be taken by then.
    const base = await onFreeLoopbackPort(async (port) => {
      const redirectUri = `http://127.0.0.1:${port}/oauth/back`;
      emu.appAuthorization.registerRedirectUri(redirectUri);
      const app = Fastify();
      cleanup.push(() => app.close());
      await app.register(lpAuth, {
        ...emu.lpAuthOptions(),
        logger: silentLogger,
        consumer: { issuer: idp.issuer },
        consumerGuard: 'required',
        appAuthorization: { ...emu.credentials.appAuthorization, redirectUri, cookieSecret: COOKIE_SECRET },
        appAuthorizationRoutes: { loginPath: '/login', logoutPath: '/logout', afterLogoutPath: '/bye' },
      });
      app.get('/me', { config: { lpAuth: { public: true } } }, async (request) => ({
        user: request.lp!.user?.user.id ?? null,
      }));
      return app.listen({ port, host: '127.0.0.1' });
    });
    return { base, emu };
  }

  const cookiesOf = (res: Response) =>
    Object.fromEntries(
      res.headers.getSetCookie().map((line) => line.split(';')[0]!.split('=') as [string, string]),
    );
  const cookieHeader = (cookies: Record<string, string>) =>
    Object.entries(cookies)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');

  test('served at the configured paths, before the consumer guard; the user is on request.lp', async () => {
    const { base, emu } = await loginApp();
    const start = await fetch(`${base}/login?returnTo=/me`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    expect(start.headers.get('cache-control')).toBe('no-store');
    expect(start.headers.get('location')).toContain(`/sentinel/api/account/${emu.accountId}/authorize?`);
    const back = await loginThroughEmulator(start.headers.get('location')!, emu.credentials.login);
    expect(back.pathname).toBe('/oauth/back');
    const callback = await fetch(back, {
      redirect: 'manual',
      headers: { cookie: cookieHeader(cookiesOf(start)) },
    });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/me');
    const session = cookiesOf(callback);
    const me = await fetch(`${base}/me`, { headers: { cookie: cookieHeader(session) } });
    expect(await me.json()).toEqual({ user: emu.credentials.login.userId });

    const out = await fetch(`${base}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookieHeader(session) },
    });
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('/bye');
    expect(await (await fetch(`${base}/me`, { headers: { cookie: cookieHeader(session) } })).json()).toEqual({
      user: null,
    });
    // The default path is not a login route here: it is just a guarded unknown path.
    expect((await fetch(`${base}/auth/login`, { redirect: 'manual' })).status).toBe(401);
  });

  test('a failed callback answers through the error handler and still removes the state cookie', async () => {
    const { base, emu } = await loginApp();
    const start = await fetch(`${base}/login`, { redirect: 'manual' });
    const back = await loginThroughEmulator(start.headers.get('location')!, emu.credentials.login);
    back.searchParams.set('state', 'an-attackers-state');
    const res = await fetch(back, {
      redirect: 'manual',
      headers: { cookie: cookieHeader(cookiesOf(start)) },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'state_mismatch' });
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/^lp_auth_state=; Max-Age=0;/)]);
  });
});
