import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { createLpAuth, silentLogger, type LpAuth } from '@lp-auth/core';
import { serveOnLoopback, startEmulator, type Emulator } from '@lp-auth/testing';
import { callExample } from 'example-runner';
import { createApp } from '../src/app.js';

let emu: Emulator;
let lp: LpAuth;
let served: { url: string; close(): Promise<void> };

beforeAll(async () => {
  emu = await startEmulator();
  lp = createLpAuth({ ...emu.lpAuthOptions(), logger: silentLogger, credentials: emu.lpAuthCredentials() });
  served = await serveOnLoopback(createApp(lp).app.callback());
});

afterAll(async () => {
  await served?.close();
  await lp?.close();
  await emu?.close();
});

test('every example route answers 200 through its client against the emulator', async () => {
  const results = await callExample(served.url, lp);
  expect(results.map((r) => [r.step.route, r.status])).toEqual(results.map((r) => [r.step.route, 200]));
  expect(emu.stats.count('sentinel.token')).toBe(1);
});

test('a LivePerson failure is answered by the adapter as typed JSON', async () => {
  emu.faults.inject('oauth1.api', { status: 500, times: Infinity });
  const res = await fetch(`${served.url}/users`);
  emu.faults.clear();
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ error: 'retry_budget_exceeded' });
});
