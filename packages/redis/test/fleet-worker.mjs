// One member of the fleet in fleet.test.ts: a separate Node process with its own createLpAuth and
// Redis store, as one instance of a horizontally scaled service would have. It runs the built
// packages (dist), so that nothing of Jest's module system is shared between the processes, and
// takes its orders over the IPC channel: configure, burst (concurrent API requests), peek.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createLpAuth } from '@lp-auth/core';
import { createRedisStore } from '@lp-auth/redis';

const SKILLS_PATH = '/api/account/{accountId}/configuration/le-users/skills';
const warnings = [];
const logger = {
  debug() {},
  info() {},
  warn: (message) => warnings.push(message),
  error: (message) => warnings.push(message),
};
let lp;
let store;

const handlers = {
  async configure({ lpOptions, appJwt, redisUrl, key, prefix, maxLockTtlMs }) {
    await lp?.close();
    await store?.close();
    store = createRedisStore({
      url: redisUrl,
      encryptionKey: Buffer.from(key, 'hex'),
      prefix,
      logger,
      ...(maxLockTtlMs ? { maxLockTtlMs } : {}),
    });
    lp = createLpAuth({ ...lpOptions, credentials: { appJwt }, logger, store });
    return {};
  },

  async burst({ n }) {
    const client = lp.client('appJwt');
    const results = await Promise.allSettled(
      Array.from({ length: n }, () =>
        client.request({ service: 'accountConfigReadOnly', path: SKILLS_PATH }),
      ),
    );
    const failures = results.filter((r) => r.status === 'rejected' || r.value.status !== 200);
    const first = failures[0];
    return {
      ok: n - failures.length,
      failed: failures.length,
      ...(first
        ? { firstError: first.status === 'rejected' ? String(first.reason?.message) : first.value.status }
        : {}),
    };
  },

  // Times of the token this process holds, and a fingerprint to compare processes: never the token.
  async peek() {
    const token = lp?.client('appJwt').credential.tokens.peek();
    if (!token) return {};
    const fingerprint = createHash('sha256').update(token.value).digest('hex').slice(0, 12);
    const { issuedAt, refreshAt, expiresAt } = token;
    return { issuedAt, refreshAt, expiresAt, fingerprint, warnings: warnings.length };
  },
};

process.on('message', (message) => {
  const handler = handlers[message.type];
  Promise.resolve(
    handler ? handler(message) : Promise.reject(new Error(`unknown order ${message.type}`)),
  ).then(
    (result) => process.send({ id: message.id, ...result }),
    (error) => process.send({ id: message.id, error: String(error?.message ?? error) }),
  );
});
// The test process went away (or let go of us): stop, whatever we were doing.
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
