import { afterEach, describe, expect, test } from '@jest/globals';
import type { Emulator } from '../src/index.js';
import { appToken, emulators, skills, sleep } from './emulator-helpers.js';

const emus = emulators();
afterEach(() => emus.closeAll());

const jwks = (emu: Emulator) => fetch(`${emu.url}/sentinel/well-known/jwks`);

describe('faults', () => {
  test('status with Retry-After, a custom body and headers, then normal service', async () => {
    const emu = await emus.start();
    emu.faults.inject('sentinel.jwks', { status: 429, retryAfterSeconds: 5, headers: { 'x-extra': 'yes' } });
    const limited = await jwks(emu);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('5');
    expect(limited.headers.get('x-extra')).toBe('yes');
    expect(limited.headers.get('x-request-id')).toEqual(expect.any(String));
    expect(await limited.json()).toMatchObject({ error: { responseStatus: 'TOO_MANY_REQUESTS' } });
    expect((await jwks(emu)).status).toBe(200);

    emu.faults.inject('sentinel.jwks', { status: 503, body: { custom: true } });
    const custom = await jwks(emu);
    expect(custom.status).toBe(503);
    expect(await custom.json()).toEqual({ custom: true });
  });

  test('latency alone delays, then serves normally', async () => {
    const emu = await emus.start();
    emu.faults.inject('sentinel.jwks', { latencyMs: 400 });
    const started = Date.now();
    const res = await jwks(emu);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      keys: expect.arrayContaining([expect.objectContaining({ kty: 'RSA' })]),
    });
  });

  test('drop destroys the socket: fetch rejects, the next call is fine', async () => {
    const emu = await emus.start();
    const token = (await appToken(emu)).access_token;
    emu.faults.inject('api.skills', { drop: true });
    await expect(skills(emu, token)).rejects.toThrow();
    expect((await skills(emu, token)).status).toBe(200);
    expect(emu.stats.count('api.skills')).toBe(2);
  });

  test('times: consumed in order, per route; Infinity until clear()', async () => {
    const emu = await emus.start();
    emu.faults.inject('sentinel.jwks', { status: 500, times: 2 });
    emu.faults.inject('sentinel.jwks', { status: 502 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await jwks(emu)).status);
    expect(statuses).toEqual([500, 500, 502, 200]);

    emu.faults.inject('sentinel.token', { status: 503, times: Infinity });
    for (let i = 0; i < 3; i += 1) await expect(appToken(emu)).rejects.toThrow(/503/);
    expect((await jwks(emu)).status).toBe(200); // other routes unaffected
    emu.faults.clear();
    await expect(appToken(emu)).resolves.toMatchObject({ expires_in: '3600' });
  });

  test('a fault on a route stops the route from running (a token fault issues no token)', async () => {
    const emu = await emus.start();
    emu.faults.inject('sentinel.token', { status: 200, body: { access_token: 'fake' } });
    expect(await appToken(emu)).toEqual({ access_token: 'fake' });
  });

  test('tokenLifetime shortens expires_in and exp; null restores; tokenLifetimeSeconds sets the default', async () => {
    const emu = await emus.start({ tokenLifetimeSeconds: 120 });
    expect((await appToken(emu)).expires_in).toBe('120');
    emu.faults.tokenLifetime('sentinel.token', 5);
    expect((await appToken(emu)).expires_in).toBe('5');
    emu.faults.tokenLifetime('sentinel.token', null);
    expect((await appToken(emu)).expires_in).toBe('120');
  });

  test('bad input fails loudly', async () => {
    const emu = await emus.start();
    expect(() => emu.faults.inject('no.such.route', { status: 500 })).toThrow(/unknown emulator route/);
    expect(() => emu.faults.inject('api.skills', { status: 42 })).toThrow(TypeError);
    expect(() => emu.faults.inject('api.skills', { status: 500, times: 0 })).toThrow(TypeError);
    expect(() => emu.faults.tokenLifetime('api.skills' as 'sentinel.token', 5)).toThrow(TypeError);
  });

  test('close() does not wait for a pending latency fault', async () => {
    const emu = await emus.start();
    emu.faults.inject('sentinel.jwks', { latencyMs: 10_000 });
    const pending = jwks(emu);
    pending.catch(() => undefined);
    await sleep(100);
    const started = Date.now();
    await emu.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });
  test('expiredToken: the JWT expired a minute ago while expires_in still says fresh', async () => {
    const emu = await emus.start();
    emu.faults.inject('sentinel.token', { expiredToken: true });
    const issued = await appToken(emu);
    expect(issued.expires_in).toBe('3600');
    const payload = JSON.parse(Buffer.from(issued.access_token.split('.')[1]!, 'base64url').toString()) as {
      exp: number;
    };
    expect(payload.exp).toBeLessThan(Date.now() / 1000);
    // The API sees an expired token and refuses it; the next token is good again.
    expect((await skills(emu, issued.access_token)).status).toBe(401);
    expect((await skills(emu, (await appToken(emu)).access_token)).status).toBe(200);
  });

  test('chaos: the seeded share of calls fails, spared routes never, and the same seed replays', async () => {
    const run = async (seed: number) => {
      const emu = await emus.start();
      emu.faults.chaos({
        rate: 0.3,
        seed,
        kinds: ['status5xx', 'rateLimited', 'malformedJson'],
        spare: ['sentinel.jwks'],
      });
      const statuses: number[] = [];
      for (let i = 0; i < 200; i += 1) {
        const res = await fetch(`${emu.url}/api/account/${emu.accountId}/configuration/le-users/skills`);
        statuses.push(res.status);
        await res.arrayBuffer();
      }
      for (let i = 0; i < 20; i += 1) expect((await jwks(emu)).status).toBe(200);
      return { statuses, counts: emu.faults.chaosCounts() };
    };
    const first = await run(42);
    // Without a token every unfaulted call is a 401; faulted ones are 5xx, 429 or a truncated 200.
    const faulted = first.statuses.filter((status) => status !== 401).length;
    expect(faulted).toBeGreaterThan(200 * 0.2);
    expect(faulted).toBeLessThan(200 * 0.4);
    expect(Object.values(first.counts).reduce((a, b) => a + b, 0)).toBe(faulted);
    expect((await run(42)).statuses).toEqual(first.statuses);
    expect((await run(7)).statuses).not.toEqual(first.statuses);
  });

  test('chaos rejects a bad rate or kind, and clear() stops it', async () => {
    const emu = await emus.start();
    expect(() => emu.faults.chaos({ rate: 2 })).toThrow(/between 0 and 1/);
    expect(() => emu.faults.chaos({ rate: 0.5, kinds: ['nope' as never] })).toThrow(/unknown chaos kind/);
    emu.faults.chaos({ rate: 1, kinds: ['status5xx'] });
    expect((await jwks(emu)).status).toBeGreaterThanOrEqual(500);
    emu.faults.clear();
    expect((await jwks(emu)).status).toBe(200);
  });
});

describe('stats', () => {
  test('counts every call per route, failed and faulted ones included; snapshot and reset', async () => {
    const emu = await emus.start();
    const csds = `${emu.url}/api/account/${emu.accountId}/service`;
    await fetch(`${csds}/baseURI.json?version=1.0`);
    await fetch(`${csds}/baseURI.json`); // 400
    await fetch(`${csds}/sentinel/baseURI.json?version=1.0`);
    const token = (await appToken(emu)).access_token;
    await skills(emu, token);
    await skills(emu); // 401
    emu.faults.inject('api.skills', { status: 500 });
    await skills(emu, token);
    await fetch(`${emu.url}/no/such/route`); // reaches no route: not counted

    expect(emu.stats.count('csds.all')).toBe(2);
    expect(emu.stats.count('csds.one')).toBe(1);
    expect(emu.stats.count('api.skills')).toBe(3);
    expect(emu.stats.count('co.v2.login')).toBe(0);
    expect(emu.stats.snapshot()).toEqual({
      'csds.all': 2,
      'csds.one': 1,
      'sentinel.token': 1,
      'api.skills': 3,
    });
    emu.stats.reset();
    expect(emu.stats.snapshot()).toEqual({});
    expect(emu.stats.count('csds.all')).toBe(0);
  });

  test('names the Orchestrator routes', async () => {
    const emu = await emus.start();
    const { username, password } = emu.credentials.orchestratorV2;
    await fetch(`${emu.url}/v1/account/${emu.accountId}/ns/s/properties`);
    await fetch(`${emu.url}/v2/authenticate/login`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });
    await fetch(`${emu.url}/v2/context/document/${emu.accountId}/ns/s`);
    await fetch(`${emu.url}/v2/context/document/create`, { method: 'POST' });
    expect(emu.stats.snapshot()).toEqual({ 'co.v1.context': 1, 'co.v2.login': 1, 'co.v2.context': 2 });
  });
});
