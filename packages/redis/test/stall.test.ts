import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { createLpAuth, type LpAuth } from '@lp-auth/core';
import { createRedisStore, type RedisTokenStore } from '../src/index.js';
import { newKey, recordingLogger, sleep, uniquePrefix, type AdminClient } from './helpers.js';
import { RedisChild } from './redis-child.js';

// Redis that is connected but answers nothing: a server of our own, paused (SIGSTOP) or busy
// (DEBUG SLEEP). The shared Redis is never stalled; DEBUG is disabled there anyway.
const redis = await RedisChild.start('@lp-auth/redis stall tests');
const describeRedis = redis ? describe : describe.skip;
const DEADLINE_MS = 300;
const BOUND_MS = 3 * DEADLINE_MS;
const KEY = newKey();
const SKILLS_PATH = '/api/account/{accountId}/configuration/le-users/skills';

let admin: AdminClient;
let emu: Emulator;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  if (!redis) return;
  admin = await redis.connect();
  emu = await startEmulator();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  if (!redis) return;
  admin.destroy();
  await emu.close();
  await redis.stop();
});

/** One "process": its own store on the test's Redis and its own LpAuth. */
function instance(prefix: string, commandTimeoutMs = DEADLINE_MS) {
  const logger = recordingLogger();
  const store: RedisTokenStore = createRedisStore({
    url: redis!.url,
    encryptionKey: KEY,
    prefix,
    logger,
    commandTimeoutMs,
  });
  const lp: LpAuth = createLpAuth({
    ...emu.lpAuthOptions(),
    credentials: { appJwt: emu.credentials.appJwt },
    logger,
    store,
  });
  cleanups.push(async () => {
    await lp.close();
    await store.close();
  });
  const client = lp.client('appJwt');
  const skills = () => client.request({ service: 'accountConfigReadOnly', path: SKILLS_PATH });
  /** A request that needs a new token: forget ours (a store delete), then call LivePerson. */
  const freshTokenRequest = async () => {
    await client.credential.invalidate();
    return skills();
  };
  const outageWarnings = () => logger.warnings().filter((line) => line.includes('unavailable'));
  return { store, lp, logger, skills, freshTokenRequest, outageWarnings };
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await run();
  return { value, ms: Math.round(performance.now() - start) };
}

async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

const report = (line: string) => process.stderr.write(`[measure] stall: ${line}\n`);
const tokenCalls = () => emu.stats.count('sentinel.token');

describeRedis(`Redis connected but not answering (commandTimeoutMs ${DEADLINE_MS})`, () => {
  test('SIGSTOP: token requests take under 3x the deadline, keep succeeding from memory, one warning; sharing resumes on SIGCONT', async () => {
    const prefix = uniquePrefix('stall-sigstop');
    const a = instance(prefix);
    const healthy = await timed(a.freshTokenRequest);
    expect(healthy.value.status).toBe(200);
    expect(a.store.degraded).toBe(false);
    const calls = tokenCalls();

    redis!.pause();
    try {
      // The first request meets the stall: its first store command waits out the deadline, then
      // everything answers from memory.
      const first = await timed(a.freshTokenRequest);
      expect(first.value.status).toBe(200);
      expect(first.ms).toBeLessThan(BOUND_MS);
      expect(a.store.degraded).toBe(true);
      // Later ones do not wait for Redis at all.
      const second = await timed(a.freshTokenRequest);
      expect(second.value.status).toBe(200);
      expect(second.ms).toBeLessThan(BOUND_MS);
      const burst = await timed(() => Promise.all(Array.from({ length: 20 }, () => a.skills())));
      expect(burst.value.every((r) => r.status === 200)).toBe(true);
      expect(burst.ms).toBeLessThan(BOUND_MS);
      expect(tokenCalls()).toBe(calls + 2);
      expect(a.outageWarnings()).toHaveLength(1);
      expect(a.outageWarnings()[0]).toContain(`did not answer`);
      expect(a.outageWarnings()[0]).toContain(`within ${DEADLINE_MS} ms`);
      report(
        `healthy fresh-token request ${healthy.ms} ms; stalled: first ${first.ms} ms, second ${second.ms} ms, ` +
          `20 concurrent ${burst.ms} ms (bound ${BOUND_MS} ms)`,
      );
      // Stalled longer than several deadlines: still one warning, still degraded.
      await sleep(2 * DEADLINE_MS);
      expect((await a.freshTokenRequest()).status).toBe(200);
      expect(a.outageWarnings()).toHaveLength(1);
    } finally {
      redis!.resume();
    }

    const resumed = performance.now();
    await eventually(async () => !a.store.degraded, 'the store to return to Redis');
    report(`back to Redis ${Math.round(performance.now() - resumed)} ms after SIGCONT`);
    expect(a.logger.lines.filter((line) => line.startsWith('info') && line.includes('is back'))).toHaveLength(
      1,
    );
    // Sharing again: A's next token goes to Redis, and a new process takes it instead of calling LivePerson.
    await a.freshTokenRequest();
    const afterA = tokenCalls();
    const b = instance(prefix);
    expect((await b.skills()).status).toBe(200);
    expect(tokenCalls()).toBe(afterA);
    expect(a.outageWarnings()).toHaveLength(1);
    expect(b.outageWarnings()).toHaveLength(0);
  });

  test('DEBUG SLEEP: get, set, delete, lock and release each end within the deadline; what Redis runs late corrupts nothing', async () => {
    const prefix = uniquePrefix('stall-sleep');
    const { store, logger } = instance(prefix);
    await store.set('before', { v: 'old' }, 60_000);
    await store.set('doomed', { v: 'x' }, 60_000);
    const held = await store.lock('held', 30_000);
    expect(held).not.toBeNull();

    const sleeper = await redis!.connect();
    cleanups.push(async () => sleeper.destroy());
    const slept = sleeper.sendCommand(['DEBUG', 'SLEEP', '2']);
    await sleep(100); // let DEBUG SLEEP reach Redis first
    // All sent to the sleeping Redis at once, before any deadline passed: each must end on its own.
    const results = await Promise.all([
      timed(() => store.get('before')),
      timed(() => store.set('written-late', { v: 'new' }, 60_000)),
      timed(() => store.delete('doomed')),
      timed(() => store.lock('late', 30_000)),
      timed(() => held!.release()),
    ]);
    const [get, set, del, lock, release] = results;
    for (const { ms } of results) expect(ms).toBeLessThan(BOUND_MS);
    report(
      `DEBUG SLEEP 2: get ${get.ms}, set ${set.ms}, delete ${del.ms}, lock ${lock.ms}, release ${release.ms} ms ` +
        `(bound ${BOUND_MS} ms)`,
    );
    expect(get.value).toBeUndefined(); // from memory, which holds nothing of before the stall
    expect(lock.value).not.toBeNull(); // an in-process lock: this process goes on
    expect(store.degraded).toBe(true);
    // Memory answers at once now.
    const during = await timed(() => store.get('written-late'));
    expect(during.value).toEqual({ v: 'new' });
    expect(during.ms).toBeLessThan(DEADLINE_MS);

    await slept;
    await eventually(async () => !store.degraded, 'the store to return to Redis');
    // Redis ran, late and in order, what we had given up on: the write landed (the value we meant,
    // sealed, with its TTL), the delete too, and the lock it granted after we gave up is released
    // at once (not left to block other processes for its 30 s TTL), like the one held before.
    await eventually(async () => (await admin.exists(`${prefix}late`)) === 0, 'the late lock to be released');
    expect(await admin.exists(`${prefix}held`)).toBe(0);
    expect(await admin.exists(`${prefix}doomed`)).toBe(0);
    expect(await store.get('written-late')).toEqual({ v: 'new' });
    expect(await store.get('before')).toEqual({ v: 'old' });
    // And the lock is free for anyone.
    const again = await store.lock('late', 30_000);
    expect(again).not.toBeNull();
    await again!.release();
    expect(logger.warnings().filter((line) => line.includes('unavailable'))).toHaveLength(1);
    expect(logger.warnings().join('\n')).not.toContain(KEY.toString('hex'));
  });

  test('a busy process is not a stalled Redis: a reply that came while the event loop was blocked is taken', async () => {
    const { store, outageWarnings } = instance(uniquePrefix('stall-busy'));
    await store.set('busy', { v: 1 }, 60_000);
    const reading = store.get('busy');
    // Let the store reach sendCommand (a few promise steps); node-redis then writes from a
    // setImmediate, so ours, queued after it, blocks right after the write, before any read.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const until = performance.now() + 2 * DEADLINE_MS;
        while (performance.now() < until) {
          // busy: Redis answers meanwhile, and its reply waits in the socket, unread
        }
        resolve();
      }),
    );
    // The deadline timer runs before the socket is read; the reply must still win.
    expect(await reading).toEqual({ v: 1 });
    expect(store.degraded).toBe(false);
    expect(outageWarnings()).toHaveLength(0);
  });

  test('deadline timers end with their command, and a store closed while Redis is paused closes and is collected', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run this suite with node --expose-gc (the package test script does)');
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const prefix = uniquePrefix('stall-timers');
    // A long deadline, so that a timer not cleared when Redis answers stays visible.
    const store = createRedisStore({ url: redis!.url, encryptionKey: KEY, prefix, commandTimeoutMs: 60_000 });
    cleanups.push(() => store.close());
    await store.get('warm-up');
    gc();
    const before = timers();
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.set(`k${i}`, { i }, 60_000)));
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.get(`k${i}`)));
    gc();
    const after = timers();
    report(`active timers before 1000 commands ${before}, after ${after}`);
    expect(after - before).toBeLessThan(5); // one left per command would be 1000

    // Closing while paused neither hangs (close() would wait for replies that never come) nor
    // leaves a timer or listener holding the store.
    let ref: WeakRef<RedisTokenStore> | undefined;
    await (async () => {
      const paused = createRedisStore({
        url: redis!.url,
        encryptionKey: KEY,
        prefix,
        commandTimeoutMs: 100,
        logger: recordingLogger(),
      });
      await paused.get('warm-up');
      redis!.pause();
      try {
        await paused.get('k1');
        expect(paused.degraded).toBe(true);
        const closing = await timed(() => paused.close());
        expect(closing.ms).toBeLessThan(BOUND_MS);
      } finally {
        redis!.resume();
      }
      ref = new WeakRef(paused);
    })();
    for (let i = 0; i < 10 && ref!.deref(); i++) {
      await sleep(20);
      gc();
    }
    expect(ref!.deref()).toBeUndefined();
  });
});
