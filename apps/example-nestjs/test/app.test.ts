import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createLpAuth, silentLogger, type LpAuth } from '@lp-auth/core';
import {
  loginThroughEmulator,
  onFreeLoopbackPort,
  startConsumerIdp,
  startEmulator,
  type ConsumerIdp,
  type Emulator,
} from '@lp-auth/testing';
import { callExample } from 'example-runner';
import { NestFactory } from '@nestjs/core';
import { appModule } from '../src/app.module.js';

let emu: Emulator;
let idp: ConsumerIdp;
let lp: LpAuth;
let served: { url: string; close(): Promise<void> };

beforeAll(async () => {
  [emu, idp] = await Promise.all([startEmulator(), startConsumerIdp()]);
  // The login routes' redirect URI names the app's port, so the port is chosen first; another
  // process may take it before the app listens, and then the app is built again for another port.
  served = await onFreeLoopbackPort(async (port) => {
    const redirectUri = `http://127.0.0.1:${port}/auth/callback`;
    emu.appAuthorization.registerRedirectUri(redirectUri);
    const built = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      credentials: emu.lpAuthCredentials(),
      consumer: { issuer: idp.issuer },
      appAuthorization: {
        ...emu.credentials.appAuthorization,
        redirectUri,
        cookieSecret: 'example-nestjs-test-cookie-secret-0123456789',
      },
    });
    const app = await NestFactory.create(appModule(built), { logger: false });
    try {
      await app.listen(port, '127.0.0.1');
    } catch (error) {
      await app.close();
      await built.close();
      throw error;
    }
    lp = built;
    return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() };
  });
});

afterAll(async () => {
  // Each part closes even if setup stopped half-way, so a failed setup never leaves Jest hanging.
  await served?.close();
  await lp?.close();
  await Promise.all([idp?.close(), emu?.close()]);
});

describe('example-nestjs against the emulator', () => {
  test('every example route answers 200 through its client against the emulator', async () => {
    const results = await callExample(served.url, lp, undefined, await idp.issue());
    expect(results.map((r) => [r.step.route, r.status])).toEqual(results.map((r) => [r.step.route, 200]));
    expect(results.map((r) => r.step.route)).toContain('/orders');
    expect(emu.stats.count('sentinel.token')).toBe(1);
  });

  test('a LivePerson failure is answered by the adapter as typed JSON', async () => {
    emu.faults.inject('oauth1.api', { status: 500, times: Infinity });
    const res = await fetch(`${served.url}/users`);
    emu.faults.clear();
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'retry_budget_exceeded' });
  });

  test("GET /orders answers the consumer's sub for a valid id_token from the brand's IdP", async () => {
    const token = await idp.issue({ claims: { sub: 'consumer-42' } });
    const res = await fetch(`${served.url}/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'consumer-42' });
  });

  test('GET /orders without a token is 401 with a Bearer challenge; a forged one is 401 invalid_token', async () => {
    const none = await fetch(`${served.url}/orders`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(await none.json()).toMatchObject({ code: 'token_missing' });

    const other = await startConsumerIdp();
    try {
      const forged = await other.issue({
        claims: { iss: idp.issuer },
        header: { kid: idp.keys.current.kid },
      });
      const res = await fetch(`${served.url}/orders`, { headers: { authorization: `Bearer ${forged}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    } finally {
      await other.close();
    }
  });

  test('Log in with LivePerson: login page → callback → /me as that user', async () => {
    const start = await fetch(`${served.url}/auth/login?returnTo=/me`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const back = await loginThroughEmulator(start.headers.get('location')!, emu.credentials.login);
    const cookie = (res: Response) =>
      res.headers
        .getSetCookie()
        .map((line) => line.split(';')[0]!)
        .filter((pair) => !pair.endsWith('='))
        .join('; ');
    const callback = await fetch(back, { redirect: 'manual', headers: { cookie: cookie(start) } });
    expect(callback.headers.get('location')).toBe('/me');
    const me = await fetch(`${served.url}/me`, { headers: { cookie: cookie(callback) } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ userId: emu.credentials.login.userId });
    expect((await fetch(`${served.url}/me`)).status).toBe(401);
  });
});
