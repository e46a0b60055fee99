import { randomBytes } from 'node:crypto';
import type { Logger, TokenStoreLock } from '@lp-auth/core';
import type { RedisConnection } from './connection.js';

/**
 * Deletes the lock only while it still holds this holder's token. Without the check, a holder whose
 * lock expired (a long pause) would delete the lock another process has taken since.
 */
export const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`;

/**
 * Tries once to take the lock at `redisKey` for `ttlMs` (`SET NX PX` with a random token).
 * Resolves the held lock, or `null` when another holder has it. Throws when Redis is unreachable
 * or does not answer within the deadline (the store then falls back to an in-process lock).
 *
 * If Redis takes the lock after we gave up waiting, we release it as soon as the late reply
 * arrives: this process is refreshing under its in-process lock by then, and while Redis is
 * stalled it writes its token to its own memory only, so other processes would wait the whole TTL
 * for a token that never reaches Redis. Should that release fail too, the lock expires by its TTL.
 */
export async function tryRedisLock(
  connection: RedisConnection,
  redisKey: string,
  ttlMs: number,
  logger: Logger,
): Promise<TokenStoreLock | null> {
  const token = randomBytes(16).toString('hex');
  const release = async (): Promise<void> => {
    try {
      // Sent even while Redis is stalled: it queues behind this holder's token write, and the
      // compare-and-delete is harmless whenever it runs.
      await connection.send(['EVAL', RELEASE_SCRIPT, '1', redisKey, token]);
    } catch (error) {
      // Not fatal: the lock expires by its TTL, and waiters take over then.
      logger.debug(`@lp-auth/redis: releasing lock "${redisKey}" failed; it expires in at most ${ttlMs} ms`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  const reply = await connection.send(['SET', redisKey, token, 'NX', 'PX', String(ttlMs)], (late) => {
    if (late !== null) void release();
  });
  if (reply === null) return null;
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await release();
    },
  };
}
