import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { connectAdmin, deletePrefix, newKey, REDIS_URL, sleep, uniquePrefix, waitFor } from './helpers.js';
import { ensureBuilt, FleetWorker, type BurstResult, type PeekResult } from './fleet.js';

// The multi-process proof: N processes, one Redis, one emulator. LivePerson must see one token
// call per expiry, however many processes and concurrent requests there are.
const admin = await connectAdmin('@lp-auth/redis multi-process tests');
const describeRedis = admin ? describe : describe.skip;
const WORKERS = 8;
const REQUESTS = 1000;
// Long enough that a burst on a loaded 2-core machine ends before the next refresh is due.
const LIFETIME_S = 8;
const runPrefix = uniquePrefix('fleet');
const key = newKey().toString('hex');

let emu: Emulator;
let workers: FleetWorker[] = [];
let phase = 0;

/** (Re)builds every live worker's LpAuth and store on a fresh key prefix: a cold cache fleet-wide. */
async function configure(options: { maxLockTtlMs?: number } = {}): Promise<void> {
  const prefix = `${runPrefix}${phase++}:`;
  const order = {
    lpOptions: emu.lpAuthOptions(),
    appJwt: emu.credentials.appJwt,
    redisUrl: REDIS_URL,
    key,
    prefix,
    ...options,
  };
  await Promise.all(workers.filter((w) => w.alive).map((w) => w.call('configure', order)));
}

/** `total` concurrent requests spread evenly over `among`. */
async function burst(among: FleetWorker[], total = REQUESTS): Promise<BurstResult> {
  const each = Math.ceil(total / among.length);
  const results = await Promise.all(among.map((w) => w.call<BurstResult>('burst', { n: each })));
  return {
    ok: results.reduce((sum, r) => sum + r.ok, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    firstError: results.find((r) => r.firstError !== undefined)?.firstError,
  };
}

const peekAll = () => Promise.all(workers.filter((w) => w.alive).map((w) => w.call<PeekResult>('peek')));
const tokenCalls = () => emu.stats.count('sentinel.token');

beforeAll(async () => {
  if (!admin) return;
  ensureBuilt('core', 'redis');
  emu = await startEmulator();
  workers = Array.from({ length: WORKERS }, (_, i) => new FleetWorker(i));
  await Promise.all(workers.map((w) => w.ready));
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  if (!admin) return;
  await emu.close();
  await deletePrefix(admin, runPrefix);
  admin.destroy();
});

describeRedis(`${WORKERS} processes sharing one Redis store`, () => {
  test(`${REQUESTS} concurrent requests: one token call on a cold cache and one per refresh and expiry`, async () => {
    await configure();
    emu.faults.tokenLifetime('sentinel.token', LIFETIME_S);
    emu.stats.reset();

    const cold = await burst(workers);
    expect(cold).toEqual({ ok: REQUESTS, failed: 0, firstError: undefined });
    expect(tokenCalls()).toBe(1);
    expect(emu.stats.count('api.skills')).toBe(REQUESTS);

    // Two proactive refreshes (past 75 % of the lifetime, token still valid), then one expiry.
    for (const [cycle, moment] of (['refreshAt', 'refreshAt', 'expiresAt'] as const).entries()) {
      const held = await peekAll();
      // Every process holds the same token: they share it rather than each fetching one.
      expect(new Set(held.map((p) => p.fingerprint)).size).toBe(1);
      const due = held[0]![moment]!;
      await sleep(Math.max(0, due - Date.now() + 50));
      const result = await burst(workers);
      expect(result).toEqual({ ok: REQUESTS, failed: 0, firstError: undefined });
      await waitFor(() => tokenCalls() >= cycle + 2, `the token call of cycle ${cycle + 1}`);
      // Give stragglers time to make a second call, if the lock let one through.
      await sleep(300);
      expect(tokenCalls()).toBe(cycle + 2);
    }
    const after = await peekAll();
    expect(new Set(after.map((p) => p.fingerprint)).size).toBe(1);
    expect(after.every((p) => p.warnings === 0)).toBe(true);
    process.stderr.write(
      `[fleet] ${WORKERS} processes, ${REQUESTS} requests x 4 bursts: ${tokenCalls()} token calls ` +
        `for 1 cold start + 2 refreshes + 1 expiry\n`,
    );
  }, 60_000);

  test('killing the lock holder mid-refresh loses no request on the other processes', async () => {
    emu.faults.clear();
    // A short lock TTL so that the takeover happens within the test's time.
    await configure({ maxLockTtlMs: 1500 });
    const base = tokenCalls();
    // The holder's token call hangs in the emulator until the holder is killed.
    emu.faults.inject('sentinel.token', { latencyMs: 30_000 });
    const [holder, ...others] = workers as [FleetWorker, ...FleetWorker[]];
    const lost = holder.call('burst', { n: 50 }).catch((error: Error) => error);
    await waitFor(() => tokenCalls() === base + 1, "the holder's token call");

    const survivors = burst(others, REQUESTS - 50);
    await sleep(300); // the others are now waiting on the lock
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    await holder.exited;

    const result = await survivors;
    expect(result).toEqual({
      ok: others.length * Math.ceil((REQUESTS - 50) / others.length),
      failed: 0,
      firstError: undefined,
    });
    expect(await lost).toBeInstanceOf(Error);
    // One call hung with the dead holder, one by the process that took the lock over.
    expect(tokenCalls()).toBe(base + 2);
    const held = await peekAll();
    expect(held).toHaveLength(WORKERS - 1);
    expect(new Set(held.map((p) => p.fingerprint)).size).toBe(1);
    process.stderr.write(
      `[fleet] lock holder killed: ${result.ok} requests on ${others.length} processes all succeeded ` +
        `${Date.now() - killedAt} ms after the kill; ${tokenCalls() - base} token calls\n`,
    );
  }, 30_000);
});
