import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import {
  createLpAuth,
  silentLogger,
  type AppJwtCredential,
  type LpAuth,
  type TokenStore,
  type TokenStoreLock,
} from '@lp-auth/core';
import { createRedisStore, type RedisTokenStore } from '../src/index.js';
import { connectAdmin, deletePrefix, newKey, REDIS_URL, sleep, uniquePrefix, waitFor } from './helpers.js';

const admin = await connectAdmin('@lp-auth/redis shared-token tests');
const describeRedis = admin ? describe : describe.skip;
const runPrefix = uniquePrefix('shared');
const KEY = newKey();
const SKILLS_PATH = '/api/account/{accountId}/configuration/le-users/skills';
const CONVERSATION_PATH = '/api/account/{accountId}/messaging/consumer/conversation';

let emu: Emulator;
let fleets = 0;
const instances: { lp: LpAuth; store: RedisTokenStore }[] = [];
beforeAll(async () => {
  // One emulator for the file (key generation is the slow part); each fleet gets a fresh prefix.
  if (admin) emu = await startEmulator();
});
afterEach(async () => {
  for (const { lp, store } of instances.splice(0)) {
    await lp.close();
    await store.close();
  }
});
afterAll(async () => {
  if (!admin) return;
  await emu.close();
  await deletePrefix(admin, runPrefix);
  admin.destroy();
});

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * The Redis store, with one read of `key` whose answer (read from Redis at once) reaches the caller
 * only on `release()`: a reply that was slow to come back, under load.
 */
class HeldRead implements TokenStore {
  readonly #inner: RedisTokenStore;
  readonly #key: string;
  readonly #answered = signal();
  readonly #gate = signal();
  #armed = true;

  constructor(inner: RedisTokenStore, key: string) {
    this.#inner = inner;
    this.#key = key;
  }

  /** Resolves once Redis has answered the held read. */
  get answered(): Promise<void> {
    return this.#answered.promise;
  }

  release(): void {
    this.#gate.resolve();
  }

  async get<T>(key: string): Promise<T | undefined> {
    const value = await this.#inner.get<T>(key);
    if (key === this.#key && this.#armed) {
      this.#armed = false;
      this.#answered.resolve();
      await this.#gate.promise;
    }
    return value;
  }
  set(key: string, value: unknown, ttlMs: number): Promise<void> {
    return this.#inner.set(key, value, ttlMs);
  }
  delete(key: string): Promise<void> {
    return this.#inner.delete(key);
  }
  lock(key: string, ttlMs: number): Promise<TokenStoreLock | null> {
    return this.#inner.lock(key, ttlMs);
  }
}

/** `n` LpAuth instances, each with its own Redis client, as `n` processes would have. */
async function fleet(n: number) {
  emu.stats.reset();
  emu.faults.clear();
  const prefix = `${runPrefix}${fleets++}:`;
  const sent: { instance: number; onBehalf: string | null }[] = [];
  for (let i = 0; i < n; i++) {
    const store = createRedisStore({ url: REDIS_URL, encryptionKey: KEY, prefix, logger: silentLogger });
    const lp = createLpAuth({
      ...emu.lpAuthOptions(),
      credentials: { appJwt: emu.credentials.appJwt },
      logger: silentLogger,
      store,
      http: {
        // Watches the real requests go by, to see which ConsumerJWS each instance sent.
        fetch: (input, init) => {
          sent.push({ instance: i, onBehalf: new Headers(init?.headers).get('x-lp-on-behalf') });
          return fetch(input, init);
        },
      },
    });
    instances.push({ lp, store });
  }
  return { emu, lps: instances.map((i) => i.lp), prefix, sent };
}

const skills = (lp: LpAuth) =>
  lp.client('appJwt').request({ service: 'accountConfigReadOnly', path: SKILLS_PATH });
/** Opens a conversation for `consumer` through the Send API: AppJWT plus the consumer's JWS. */
const openConversation = (lp: LpAuth, consumer: string) =>
  lp.client('appJwt').request({
    service: 'asyncMessagingEnt',
    path: CONVERSATION_PATH,
    method: 'POST',
    query: { v: 3 },
    onBehalfOf: consumer,
    json: [{ kind: 'req', id: '1', type: 'cm.ConsumerRequestConversation', body: { brandId: lp.accountId } }],
  });
const REJECTED_JWS = {
  status: 401,
  body: {
    kind: 'resp',
    code: 401,
    body: { title: 'Unauthorized', details: 'ConsumerJWS is invalid', errorCode: 40103 },
  },
};
const tokenOf = (lp: LpAuth) => (lp.client('appJwt').credential as AppJwtCredential).tokens.peek()?.value;

describeRedis('one token for many instances through Redis', () => {
  test('concurrent cold starts in three instances make one token call', async () => {
    const { emu, lps } = await fleet(3);
    const results = await Promise.all(lps.flatMap((lp) => Array.from({ length: 50 }, () => skills(lp))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(emu.stats.count('sentinel.token')).toBe(1);
    expect(new Set(lps.map(tokenOf)).size).toBe(1);
  });

  test('a request whose store read came back after another refresh finished uses that token', async () => {
    emu.stats.reset();
    const redis = createRedisStore({
      url: REDIS_URL,
      encryptionKey: KEY,
      prefix: `${runPrefix}${fleets++}:`,
      logger: silentLogger,
    });
    const store = new HeldRead(redis, `lp:${emu.accountId}:appJwt:${emu.credentials.appJwt.clientId}`);
    const lp = createLpAuth({
      ...emu.lpAuthOptions(),
      credentials: { appJwt: emu.credentials.appJwt },
      logger: silentLogger,
      store,
    });
    instances.push({ lp, store: redis });
    // This request's read says "no token yet", but the answer reaches it late...
    const late = skills(lp);
    await store.answered;
    // ...after another request of the same process has fetched and stored one.
    expect((await skills(lp)).status).toBe(200);
    store.release();
    expect((await late).status).toBe(200);
    expect(emu.stats.count('sentinel.token')).toBe(1);
  });

  test('an instance that waits for another refresh reads its token from the store', async () => {
    const { emu, lps } = await fleet(2);
    const [a, b] = lps as [LpAuth, LpAuth];
    emu.faults.inject('sentinel.token', { latencyMs: 400 });
    const first = skills(a);
    await waitFor(() => emu.stats.count('sentinel.token') === 1, 'the first token call');
    const second = skills(b);
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(emu.stats.count('sentinel.token')).toBe(1);
    expect(tokenOf(b)).toBe(tokenOf(a));
  });

  test('a 401 in one instance refreshes once; the other picks the new token from the store', async () => {
    const { emu, lps } = await fleet(2);
    const [a, b] = lps as [LpAuth, LpAuth];
    await Promise.all([skills(a), skills(b)]);
    const old = tokenOf(a);
    await emu.rotateSigningKey({ dropOld: true });
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => skills(a)),
      ...Array.from({ length: 10 }, () => skills(b)),
    ]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(emu.stats.count('sentinel.token')).toBe(2);
    expect(tokenOf(a)).not.toBe(old);
    expect(tokenOf(b)).toBe(tokenOf(a));
  });

  test('a ConsumerJWS fetched by one instance is used by the other, encrypted in Redis', async () => {
    const { emu, lps, prefix, sent } = await fleet(2);
    const [a, b] = lps as [LpAuth, LpAuth];
    const consumer = 'alice@example.com';
    expect((await openConversation(a, consumer)).status).toBe(200);
    expect(emu.stats.count('idp.consumer')).toBe(1);
    // The other instance (another process, with an empty LRU) finds it in Redis: no idp call.
    const fromB = await Promise.all(Array.from({ length: 10 }, () => openConversation(b, consumer)));
    expect(fromB.every((r) => r.status === 200)).toBe(true);
    expect(emu.stats.count('idp.consumer')).toBe(1);
    const jwsOf = (instance: number) =>
      sent.filter((s) => s.instance === instance && s.onBehalf).at(-1)!.onBehalf!;
    const jws = jwsOf(0);
    expect(jwsOf(1)).toBe(jws);

    // Stored under a hash of the consumer id (which may be personal data), and encrypted.
    const hashed = createHash('sha256').update(consumer).digest('hex');
    const redisKey = `${prefix}lp:${emu.accountId}:consumerJws:${hashed}`;
    const raw = await admin!.get(redisKey);
    expect(raw).toMatch(/^lpa1\./);
    expect(raw).not.toContain(jws.split('.')[1]!);
    const keys: string[] = [];
    for await (const batch of admin!.scanIterator({ MATCH: `${prefix}*` })) keys.push(...batch);
    expect(keys.join('\n')).not.toContain('alice');

    // The Send API refuses the JWS in B (40103): B asks the idp once and stores the new one, which
    // A then takes from Redis when the Send API refuses A's copy too. (The emulator's JWS carries
    // `iat` in seconds: wait one, so that the new JWS differs from the old.)
    await sleep(1100);
    emu.faults.inject('send.conversation', REJECTED_JWS);
    expect((await openConversation(b, consumer)).status).toBe(200);
    expect(emu.stats.count('idp.consumer')).toBe(2);
    const renewed = jwsOf(1);
    expect(renewed).not.toBe(jws);
    emu.faults.inject('send.conversation', REJECTED_JWS);
    expect((await openConversation(a, consumer)).status).toBe(200);
    expect(emu.stats.count('idp.consumer')).toBe(2);
    expect(jwsOf(0)).toBe(renewed);
  });

  test('the LpAuth options print no key', async () => {
    const { lps } = await fleet(1);
    const shown = inspect(lps[0]!.options, { depth: 10 });
    expect(shown).toContain(`prefix: '${runPrefix}`);
    for (const encoding of ['hex', 'base64', 'base64url'] as const)
      expect(shown).not.toContain(KEY.toString(encoding));
  });
});
