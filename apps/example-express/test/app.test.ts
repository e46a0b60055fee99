import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createLpAuth, silentLogger, type LpAuth } from '@lp-auth/core';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { createApp } from '../src/app.js';

let emu: Emulator;
let lp: LpAuth;
let server: Server;
let base: string;

beforeAll(async () => {
  emu = await startEmulator();
  lp = createLpAuth({ ...emu.lpAuthOptions(), logger: silentLogger, credentials: emu.lpAuthCredentials() });
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
});
