import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { inspect } from 'node:util';
import { createClient } from 'redis';
import { ConfigError, secret } from '@lp-auth/core';
import { createRedisStore, type RedisStoreOptions, type RedisTokenStore } from '../src/index.js';
import {
  connectAdmin,
  deletePrefix,
  newKey,
  recordingLogger,
  REDIS_URL,
  sleep,
  uniquePrefix,
} from './helpers.js';

const admin = await connectAdmin('@lp-auth/redis store tests');
const describeRedis = admin ? describe : describe.skip;
const prefix = uniquePrefix('store');

const stores: RedisTokenStore[] = [];
function store(options: Partial<RedisStoreOptions> = {}): RedisTokenStore {
  const s = createRedisStore({
    url: REDIS_URL,
    encryptionKey: KEY,
    prefix,
    logger: recordingLogger(),
    ...options,
  });
  stores.push(s);
  return s;
}
const KEY = newKey();

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  if (!admin) return;
  await deletePrefix(admin, prefix);
  admin.destroy();
});

const TOKEN = {
  value: 'eyJhbGciOiJSUzI1NiJ9.secret-token-payload.signature',
  issuedAt: 1,
  expiresAt: 2,
  refreshAt: 1.5,
  data: { refreshToken: 'rt-secret-refresh-value' },
};

describeRedis('RedisTokenStore: values and TTLs', () => {
  test('round-trips JSON values and sets the Redis TTL', async () => {
    const s = store();
    await s.set('token:a', TOKEN, 60_000);
    expect(await s.get('token:a')).toEqual(TOKEN);
    const ttl = await admin!.pTTL(`${prefix}token:a`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await s.get('token:missing')).toBeUndefined();
  });

  test('a value is gone after its TTL, and a TTL of 0 deletes', async () => {
    const s = store();
    // Long enough to read back on a loaded machine; the sleep starts after the write: a sure margin.
    await s.set('token:short', TOKEN, 1000);
    expect(await s.get('token:short')).toEqual(TOKEN);
    await sleep(1100);
    expect(await s.get('token:short')).toBeUndefined();
    await s.set('token:zero', TOKEN, 60_000);
    await s.set('token:zero', TOKEN, 0);
    expect(await admin!.exists(`${prefix}token:zero`)).toBe(0);
    await s.set('token:del', TOKEN, 60_000);
    await s.delete('token:del');
    expect(await s.get('token:del')).toBeUndefined();
  });

  test('uses the default prefix lp-auth:', async () => {
    const s = createRedisStore({ url: REDIS_URL, encryptionKey: KEY });
    stores.push(s);
    expect(s.prefix).toBe('lp-auth:');
  });
});

describeRedis('RedisTokenStore: encryption at rest', () => {
  test('Redis holds no token: not the value, not JSON of it, and a new IV per write', async () => {
    const s = store();
    await s.set('token:enc', TOKEN, 60_000);
    const raw = (await admin!.get(`${prefix}token:enc`))!;
    expect(raw).toMatch(/^lpa1\.[0-9a-f]{8}\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(raw).not.toContain('secret-token-payload');
    expect(raw).not.toContain('rt-secret-refresh-value');
    expect(() => JSON.parse(raw)).toThrow();
    expect(Buffer.from(raw.split('.')[3]!, 'base64url').toString('utf8')).not.toContain('secret');
    await s.set('token:enc', TOKEN, 60_000);
    expect(await admin!.get(`${prefix}token:enc`)).not.toBe(raw);
  });

  test('a value moved to another key fails authentication: absent, with a warning', async () => {
    const logger = recordingLogger();
    const s = store({ logger });
    await s.set('token:origin', TOKEN, 60_000);
    const raw = (await admin!.get(`${prefix}token:origin`))!;
    await admin!.set(`${prefix}token:moved`, raw, { expiration: { type: 'PX', value: 60_000 } });
    expect(await s.get('token:moved')).toBeUndefined();
    expect(await s.get('token:origin')).toEqual(TOKEN);
    expect(logger.warnings().join('\n')).toMatch(/token:moved.*failed authentication/);
    expect(logger.lines.join('\n')).not.toContain('secret-token-payload');
  });

  test('an altered or foreign value is absent, never thrown', async () => {
    const logger = recordingLogger();
    const s = store({ logger });
    await admin!.set(`${prefix}token:foreign`, JSON.stringify(TOKEN));
    expect(await s.get('token:foreign')).toBeUndefined();
    await s.set('token:altered', TOKEN, 60_000);
    const raw = (await admin!.get(`${prefix}token:altered`))!;
    const parts = raw.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0]! ^= 1;
    parts[3] = ct.toString('base64url');
    await admin!.set(`${prefix}token:altered`, parts.join('.'));
    expect(await s.get('token:altered')).toBeUndefined();
    expect(logger.warnings()).toHaveLength(2);
  });

  test('a wrong key reads absent with one warning naming the key id, not the key', async () => {
    const writer = store();
    await writer.set('token:wrongkey', TOKEN, 60_000);
    const logger = recordingLogger();
    const other = newKey();
    const reader = store({ encryptionKey: other, logger });
    expect(await reader.get('token:wrongkey')).toBeUndefined();
    expect(await reader.get('token:wrongkey')).toBeUndefined();
    const warnings = logger.warnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/encrypted with key id [0-9a-f]{8}/);
    for (const k of [KEY, other]) {
      for (const encoding of ['hex', 'base64', 'base64url'] as const) {
        expect(logger.lines.join('\n')).not.toContain(k.toString(encoding));
      }
    }
  });

  test('key rotation: the first key encrypts, every key decrypts', async () => {
    const oldKey = KEY;
    const newer = newKey();
    const before = store({ encryptionKey: oldKey });
    await before.set('token:rotate-old', TOKEN, 60_000);
    const rotated = store({ encryptionKey: [newer, oldKey] });
    expect(await rotated.get('token:rotate-old')).toEqual(TOKEN);
    await rotated.set('token:rotate-new', TOKEN, 60_000);
    expect(await store({ encryptionKey: newer }).get('token:rotate-new')).toEqual(TOKEN);
    expect(await before.get('token:rotate-new')).toBeUndefined();
  });

  test('keys as hex, base64 and secret() strings decrypt each other', async () => {
    const a = store({ encryptionKey: KEY.toString('hex') });
    await a.set('token:formats', TOKEN, 60_000);
    expect(await store({ encryptionKey: secret(KEY.toString('base64')) }).get('token:formats')).toEqual(
      TOKEN,
    );
    expect(await store({ encryptionKey: KEY.toString('base64url') }).get('token:formats')).toEqual(TOKEN);
  });
});

describeRedis('RedisTokenStore: locks', () => {
  test('a lock is exclusive across stores until released', async () => {
    const a = store();
    const b = store();
    const held = await a.lock('lock:x', 5000);
    expect(held).not.toBeNull();
    expect(await b.lock('lock:x', 5000)).toBeNull();
    expect(await a.lock('lock:x', 5000)).toBeNull();
    const pttl = await admin!.pTTL(`${prefix}lock:x`);
    expect(pttl).toBeGreaterThan(4000);
    await held!.release();
    const next = await b.lock('lock:x', 5000);
    expect(next).not.toBeNull();
    await next!.release();
  });

  test('release is token-checked: an expired holder cannot release the lock another took since', async () => {
    const a = store();
    const b = store();
    const first = await a.lock('lock:checked', 100);
    await sleep(150);
    const second = await b.lock('lock:checked', 5000);
    expect(second).not.toBeNull();
    await first!.release();
    expect(await admin!.exists(`${prefix}lock:checked`)).toBe(1);
    expect(await a.lock('lock:checked', 5000)).toBeNull();
    await second!.release();
    expect(await admin!.exists(`${prefix}lock:checked`)).toBe(0);
  });

  test('a holder that dies without releasing is taken over after the TTL', async () => {
    const dying = createRedisStore({ url: REDIS_URL, encryptionKey: KEY, prefix });
    // A TTL that outlives closing one client and connecting another on a loaded machine.
    expect(await dying.lock('lock:takeover', 1000)).not.toBeNull();
    await dying.close(); // "dies": its connection is gone, the lock is never released
    const b = store();
    expect(await b.lock('lock:takeover', 5000)).toBeNull();
    await sleep(1050);
    const taken = await b.lock('lock:takeover', 5000);
    expect(taken).not.toBeNull();
    await taken!.release();
  });

  test('maxLockTtlMs caps the TTL the core asks for', async () => {
    const s = store({ maxLockTtlMs: 1500 });
    const held = await s.lock('lock:capped', 30_000);
    const pttl = await admin!.pTTL(`${prefix}lock:capped`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1500);
    await held!.release();
  });
});

describeRedis('RedisTokenStore: options and secrets', () => {
  test('a client passed in is used and left open', async () => {
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    try {
      const s = createRedisStore({ client, encryptionKey: KEY, prefix });
      await s.set('token:client', TOKEN, 60_000);
      expect(await store().get('token:client')).toEqual(TOKEN);
      await s.close();
      expect(client.isReady).toBe(true);
    } finally {
      client.destroy();
    }
  });

  test('no key and no Redis password in util.inspect, JSON or errors', async () => {
    const password = 'redis-password-do-not-print';
    const url = new URL(REDIS_URL);
    url.password = password;
    const keyText = KEY.toString('base64');
    const s = store({ url: url.toString(), encryptionKey: [keyText, newKey()] });
    const shown = [inspect(s, { depth: 10 }), JSON.stringify(s), String(s)].join('\n');
    for (const hidden of [password, keyText, KEY.toString('hex')]) expect(shown).not.toContain(hidden);
    expect(shown).toContain('keys: 2');

    const badKey = 'not-a-key-but-still-a-secret-value';
    const error = (() => {
      try {
        createRedisStore({ url: REDIS_URL, encryptionKey: badKey });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('encryptionKey');
    expect([inspect(error), JSON.stringify(error)].join('\n')).not.toContain(badKey);
  });

  test('options are validated with errors that name the field', () => {
    expect(() => createRedisStore({ encryptionKey: KEY } as RedisStoreOptions)).toThrow(/"url"/);
    expect(() => createRedisStore({ url: REDIS_URL } as RedisStoreOptions)).toThrow(/"encryptionKey"/);
    expect(() => createRedisStore({ url: REDIS_URL, encryptionKey: [KEY, 'short'] })).toThrow(
      /"encryptionKey\[1\]"/,
    );
    expect(() => createRedisStore({ url: 'http://x', encryptionKey: KEY })).toThrow(/"url"/);
    expect(() => createRedisStore({ url: REDIS_URL, encryptionKey: KEY, commandTimeoutMs: -1 })).toThrow(
      /"commandTimeoutMs"/,
    );
  });
});
