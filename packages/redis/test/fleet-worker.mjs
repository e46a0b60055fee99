// One member of the fleet in fleet.test.ts: a separate Node process with its own createLpAuth and
// Redis store, as one instance of a horizontally scaled service would have. It runs the built
// packages (dist), so that nothing of Jest's module system is shared between the processes, and
// takes its orders over the IPC channel: configure, burst (concurrent API requests), peek, and for
// one user's session (application authorization) userBurst and userPeek.
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
// Refreshes that failed in this process (foreground or background), by error code.
const failedRefreshes = [];
let lp;
let store;

const fingerprintOf = (value) => createHash('sha256').update(value).digest('hex').slice(0, 12);
const summarize = (results) => {
  const failures = results.filter((r) => r.status === 'rejected' || r.value.status !== 200);
  const first = failures[0];
  return {
    ok: results.length - failures.length,
    failed: failures.length,
    ...(first
      ? {
          firstError:
            first.status === 'rejected'
              ? `${first.reason?.code ?? ''} ${String(first.reason?.message)}`.trim()
              : first.value.status,
        }
      : {}),
  };
};

/** The user session `sessionId` names, opened as a request handler would: from the shared store. */
async function userSession(sessionId) {
  const session = await lp.appAuthorization.session(sessionId);
  if (!session) throw new Error('session_ended: the session was not found in the store');
  return session;
}

const handlers = {
  async configure({ lpOptions, appJwt, appAuthorization, redisUrl, key, prefix, maxLockTtlMs }) {
    await lp?.close();
    await store?.close();
    failedRefreshes.length = 0;
    store = createRedisStore({
      url: redisUrl,
      encryptionKey: Buffer.from(key, 'hex'),
      prefix,
      logger,
      ...(maxLockTtlMs ? { maxLockTtlMs } : {}),
    });
    lp = createLpAuth({
      ...lpOptions,
      credentials: appJwt ? { appJwt } : {},
      ...(appAuthorization ? { appAuthorization } : {}),
      logger,
      store,
    });
    lp.on('token.failed', ({ code }) => failedRefreshes.push(code));
    // Connects to Redis and resolves the domains now, so that a burst measures tokens only.
    await store.get('warm-up');
    await lp.domains.resolve('accountConfigReadOnly');
    return {};
  },

  async burst({ n }) {
    const client = lp.client('appJwt');
    const results = await Promise.allSettled(
      Array.from({ length: n }, () =>
        client.request({ service: 'accountConfigReadOnly', path: SKILLS_PATH }),
      ),
    );
    return summarize(results);
  },

  // `n` concurrent API calls as the user and, beside them, `forced` concurrent forced refreshes that
  // name the access token this process holds as rejected (what a 401 from an API does).
  async userBurst({ sessionId, n, forced = 0 }) {
    const { client } = await userSession(sessionId);
    const tokens = client.credential.tokens;
    const rejected = tokens.peek()?.value;
    const calls = Array.from({ length: n }, () =>
      client.request({ service: 'accountConfigReadOnly', path: SKILLS_PATH }),
    );
    const refreshes = Array.from({ length: forced }, () =>
      tokens.getToken({ forceRefresh: true, rejected }).then(() => ({ status: 200 })),
    );
    return summarize(await Promise.allSettled([...calls, ...refreshes]));
  },

  // The user's access token as this process holds it: times and a fingerprint, never the token.
  async userPeek({ sessionId }) {
    const { client } = await userSession(sessionId);
    const token = client.credential.tokens.peek();
    return {
      ...(token
        ? {
            issuedAt: token.issuedAt,
            refreshAt: token.refreshAt,
            expiresAt: token.expiresAt,
            fingerprint: fingerprintOf(token.value),
          }
        : {}),
      warnings: warnings.length,
      failedRefreshes: [...failedRefreshes],
    };
  },

  // Times of the token this process holds, and a fingerprint to compare processes: never the token.
  async peek() {
    const token = lp?.client('appJwt').credential.tokens.peek();
    if (!token) return {};
    const { issuedAt, refreshAt, expiresAt } = token;
    return {
      issuedAt,
      refreshAt,
      expiresAt,
      fingerprint: fingerprintOf(token.value),
      warnings: warnings.length,
    };
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
