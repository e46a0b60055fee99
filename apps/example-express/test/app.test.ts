import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createLpAuth, silentLogger, type LpAuth } from '@lp-auth/core';
import { startConsumerIdp, startEmulator, type ConsumerIdp, type Emulator } from '@lp-auth/testing';
import { createApp } from '../src/app.js';

let emu: Emulator;
let idp: ConsumerIdp;
let lp: LpAuth;
let server: Server;
let base: string;

beforeAll(async () => {
  [emu, idp] = await Promise.all([startEmulator(), startConsumerIdp()]);
  lp = createLpAuth({
    ...emu.lpAuthOptions(),
    logger: silentLogger,
    credentials: emu.lpAuthCredentials(),
    consumer: { issuer: idp.issuer },
  });
  const { app } = createApp(lp);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  // Each part closes even if setup stopped half-way, so a failed setup never leaves Jest hanging.
  if (server) await new Promise((resolve) => server.close(resolve));
  await lp?.close();
  await emu?.close();
  await idp?.close();
});

describe('example-express against the emulator', () => {
  test('reads skills through AppJWT', async () => {
    const res = await fetch(`${base}/skills`);
    expect(res.status).toBe(200);
    expect(Array.isArray(await res.json())).toBe(true);
  });

  test('round-trips Context Service v1 properties through the maven-api-key', async () => {
    const res = await fetch(`${base}/context/v1/ns/s1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tier: 'gold' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ tier: 'gold' });
  });

  test('reads a Context Service v2 document through the v2 login', async () => {
    const res = await fetch(`${base}/context/v2/ns/s1`);
    expect(res.status).toBe(200);
    expect(emu.stats.count('co.v2.login')).toBe(1);
  });

  test('lists users through the OAuth 1.0 key, every request signed', async () => {
    const res = await fetch(`${base}/users`);
    expect(res.status).toBe(200);
    expect((await res.json()) as unknown[]).not.toHaveLength(0);
    expect(emu.stats.count('oauth1.api')).toBe(1);
  });

  test('opens an agent session through the Login Service bearer', async () => {
    const res = await fetch(`${base}/agent-session`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(emu.stats.count('login.login')).toBe(1);
    expect(emu.loginSessions.count()).toBe(1);
  });

  test('sends a message for a consumer through the Send API with a ConsumerJWS', async () => {
    const res = await fetch(`${base}/consumers/alice/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { conversationId: string; sent: { code: number } };
    expect(body.sent.code).toBe(200);
    expect(body.conversationId).toMatch(/\S/);
    expect(emu.stats.count('idp.consumer')).toBe(1);
  });

  test('serves /orders to a consumer with a valid id_token, and 401 with a challenge without one', async () => {
    const token = await idp.issue({ claims: { sub: 'consumer-42' } });
    const ok = await fetch(`${base}/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: 'consumer-42' });
    const refused = await fetch(`${base}/orders`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  test('a LivePerson failure reaches the caller as a typed JSON error, without secrets', async () => {
    emu.faults.inject('oauth1.api', { status: 500, times: Infinity });
    const res = await fetch(`${base}/users`);
    emu.faults.clear();
    // Retried with backoff, then given up on: 503 with the core's stable code.
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: 'retry_budget_exceeded' });
    for (const secret of [emu.credentials.oauth1.consumerSecret, emu.credentials.oauth1.tokenSecret]) {
      expect(text).not.toContain(secret);
    }
  });
});
