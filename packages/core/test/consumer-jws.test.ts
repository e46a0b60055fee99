import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import {
  ConsumerJwsCache,
  createLpAuth,
  DEFAULT_RETRY_POLICY,
  silentLogger,
  type AppJwtCredential,
  type CredentialRuntime,
  type LpAuth,
} from './core.js';

let emu: Emulator;
let lp: LpAuth;
let cache: ConsumerJwsCache;

beforeEach(async () => {
  emu = await startEmulator();
  lp = createLpAuth({
    ...emu.lpAuthOptions(),
    logger: silentLogger,
    credentials: { appJwt: emu.credentials.appJwt },
  });
  const runtime: CredentialRuntime = {
    accountId: emu.accountId,
    domains: lp.domains,
    fetch: (input, init) => fetch(input, init),
    store: lp.store,
    logger: silentLogger,
    retry: DEFAULT_RETRY_POLICY,
    timeoutMs: 5_000,
    now: Date.now,
  };
  cache = new ConsumerJwsCache(lp.client('appJwt').credential as AppJwtCredential, runtime, {
    maxEntries: 2,
  });
});
afterEach(async () => {
  cache.close();
  await lp.close();
  await emu.close();
});

test('the cache is a bounded LRU: the least recently used consumer is fetched again', async () => {
  const a = await cache.get('a');
  await cache.get('b');
  expect(await cache.get('a')).toBe(a); // a is now the most recent
  await cache.get('c'); // evicts b
  expect(cache.size).toBe(2);
  expect(emu.stats.count('idp.consumer')).toBe(3);
  expect(await cache.get('a')).toBe(a);
  await cache.get('b');
  expect(emu.stats.count('idp.consumer')).toBe(4);
});

test('a rejected JWS is fetched again once for all concurrent callers', async () => {
  const old = await cache.get('a');
  const fresh = await Promise.all(Array.from({ length: 20 }, () => cache.get('a', { rejected: old })));
  // The emulator signs deterministically (RS256), so the new JWS may equal the old one; what
  // matters is that 20 callers who saw it refused made one idp call.
  expect(new Set(fresh).size).toBe(1);
  expect(emu.stats.count('idp.consumer')).toBe(2);
  expect(await cache.get('a')).toBe(fresh[0]);
  expect(emu.stats.count('idp.consumer')).toBe(2);
});

test('an idp 401 for the AppJWT refreshes the AppJWT once; bad input and closed caches are refused', async () => {
  await cache.get('warm');
  emu.faults.inject('idp.consumer', { status: 401 });
  expect(await cache.get('z')).toMatch(/^eyJ/);
  expect(emu.stats.count('sentinel.token')).toBe(2);
  await expect(cache.get('')).rejects.toThrow(TypeError);
  cache.close();
  await expect(cache.get('a')).rejects.toMatchObject({ code: 'closed' });
});
