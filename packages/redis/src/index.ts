/**
 * `@lp-auth/redis`: a Redis `TokenStore` for `@lp-auth/core`, so that a fleet of processes
 * shares one token per credential, refreshes it once, and keeps it encrypted at rest.
 *
 * @packageDocumentation
 */
export { RedisTokenStore, createRedisStore } from './redis-store.js';
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_PREFIX,
  type RedisClientLike,
  type RedisStoreOptions,
} from './options.js';
export {
  ValueCipher,
  StoreValueUnreadableError,
  parseEncryptionKey,
  type EncryptionKeyInput,
  type UnreadableReason,
} from './value-cipher.js';
export { RELEASE_SCRIPT } from './redis-lock.js';
export { RedisCommandTimeoutError } from './command-deadline.js';
