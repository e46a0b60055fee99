import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { createLpAuth, type LpAuth } from '@lp-auth/core';
import { createRedisStore, type RedisTokenStore } from '../src/index.js';
import {
  closedPort,
  connectAdmin,
  deletePrefix,
  newKey,
  recordingLogger,
  RedisRelay,
  uniquePrefix,
  waitFor,
} from './helpers.js';

const admin = await connectAdmin('@lp-auth/redis outage tests');
const describeRedis = admin ? describe : describe.skip;
const prefix = uniquePrefix('outage');
const KEY = newKey();
const SKILLS_PATH = '/api/account/{accountId}/configuration/le-users/skills';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  if (!admin) return;
  await deletePrefix(admin, prefix);
  admin.destroy();
});

async function wired(url: string) {
  const logger = recordingLogger();
  const emu: Emulator = await startEmulator();
  const store: RedisTokenStore = createRedisStore({ url, encryptionKey: KEY, prefix, logger });
  const lp: LpAuth = createLpAuth({
    ...emu.lpAuthOptions(),
    credentials: { appJwt: emu.credentials.appJwt },
    http: { retry: { baseDelayMs: 20, maxDelayMs: 100 } },
    logger,
    store,
  });
  cleanups.push(async () => {
    await lp.close();
    await store.close();
    await emu.close();
  });
  const skills = () => lp.client('appJwt').request({ service: 'accountConfigReadOnly', path: SKILLS_PATH });
  return { emu, store, lp, logger, skills };
}

describeRedis('Redis outage: per-process behaviour, never failed requests', () => {
  test('Redis unreachable from the start: requests succeed from memory, with one warning', async () => {
    const { emu, store, logger, skills } = await wired(`redis://127.0.0.1:${await closedPort()}`);
    const results = await Promise.all(Array.from({ length: 50 }, () => skills()));
    expect(results.every((r) => r.status === 200)).toBe(true);
    // In-process single-flight still holds without Redis.
    expect(emu.stats.count('sentinel.token')).toBe(1);
    expect(store.degraded).toBe(true);
    const warnings = logger.warnings().filter((line) => line.includes('unavailable'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('ECONNREFUSED');
  });

  test('Redis goes away and comes back: requests keep working, the store returns to Redis', async () => {
    const relay = new RedisRelay();
    await relay.start();
    cleanups.push(() => relay.stop());
    const { emu, lp, store, logger, skills } = await wired(relay.url);
    expect((await skills()).status).toBe(200);
    expect(store.degraded).toBe(false);
    const tokenKey = `${prefix}lp:${lp.accountId}:appJwt:${emu.credentials.appJwt.clientId}`;
    expect(await admin!.exists(tokenKey)).toBe(1);

    await relay.stop();
    await waitFor(() => store.degraded, 'the store to notice the outage');
    // The process keeps its token, and can even fetch a new one with Redis gone.
    expect((await skills()).status).toBe(200);
    await lp.client('appJwt').credential.invalidate();
    const during = await Promise.all(Array.from({ length: 20 }, () => skills()));
    expect(during.every((r) => r.status === 200)).toBe(true);
    expect(emu.stats.count('sentinel.token')).toBe(2);
    // Store calls answer from memory meanwhile, locks included.
    await store.set('outage:probe', { a: 1 }, 60_000);
    expect(await store.get('outage:probe')).toEqual({ a: 1 });
    const lock = await store.lock('outage:lock', 5000);
    expect(lock).not.toBeNull();
    expect(await store.lock('outage:lock', 5000)).toBeNull();
    await lock!.release();
    expect(logger.warnings().filter((line) => line.includes('unavailable'))).toHaveLength(1);

    await relay.start();
    await waitFor(() => !store.degraded, 'the store to reconnect', 5000);
    expect(logger.lines.some((line) => line.startsWith('info') && line.includes('is back'))).toBe(true);
    await store.set('outage:after', { b: 2 }, 60_000);
    expect(await admin!.exists(`${prefix}outage:after`)).toBe(1);
    expect(await store.get('outage:after')).toEqual({ b: 2 });
    expect((await skills()).status).toBe(200);
  });
});
