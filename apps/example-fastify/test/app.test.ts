import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { createLpAuth, silentLogger, type LpAuth } from '@lp-auth/core';
import { startConsumerIdp, startEmulator, type ConsumerIdp, type Emulator } from '@lp-auth/testing';
import { callExample } from 'example-runner';
import { createApp } from '../src/app.js';
import type { FastifyInstance } from 'fastify';

let emu: Emulator;
let idp: ConsumerIdp;
let lp: LpAuth;
let app: FastifyInstance;
let served: { url: string; close(): Promise<void> };

beforeAll(async () => {
  [emu, idp] = await Promise.all([startEmulator(), startConsumerIdp()]);
  lp = createLpAuth({
    ...emu.lpAuthOptions(),
    logger: silentLogger,
    credentials: emu.lpAuthCredentials(),
    consumer: { issuer: idp.issuer },
  });
  app = await createApp(lp);
  served = { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
});

afterAll(async () => {
  await served?.close();
  await lp?.close();
  await emu?.close();
  await idp?.close();
});

test('every example route answers 200 through its client against the emulator', async () => {
  const results = await callExample(served.url, lp, undefined, await idp.issue());
  expect(results.map((r) => [r.step.route, r.status])).toEqual(results.map((r) => [r.step.route, 200]));
  expect(results.map((r) => r.step.route)).toContain('/orders');
  expect(emu.stats.count('sentinel.token')).toBe(1);
});

test('GET /orders answers a consumer with a valid id_token, and 401 with a challenge without one', async () => {
  const token = await idp.issue({ claims: { sub: 'consumer-42' } });
  const ok = await fetch(`${served.url}/orders`, { headers: { authorization: `Bearer ${token}` } });
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ sub: 'consumer-42' });
  const refused = await fetch(`${served.url}/orders`);
  expect(refused.status).toBe(401);
  expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  expect(await refused.json()).toMatchObject({ error: 'unauthorized', code: 'token_missing' });
});

test('a LivePerson failure is answered by the adapter as typed JSON', async () => {
  emu.faults.inject('oauth1.api', { status: 500, times: Infinity });
  const res = await fetch(`${served.url}/users`);
  emu.faults.clear();
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ error: 'retry_budget_exceeded' });
});
