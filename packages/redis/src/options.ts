import type { KeyObject } from 'node:crypto';
import { adaptLogger, ConfigError, stderrLogger, type Logger } from '@lp-auth/core';
import { parseEncryptionKey, type EncryptionKeyInput } from './value-cipher.js';

/**
 * The part of a node-redis v5 client the store uses; a client from `createClient()` of the `redis`
 * package fits. Typed structurally so that any module set or RESP version will do.
 */
export interface RedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  sendCommand(args: readonly string[], options?: { timeout?: number }): Promise<unknown>;
  on(event: 'ready' | 'error' | 'end', listener: (error?: unknown) => void): unknown;
  off(event: 'ready' | 'error' | 'end', listener: (error?: unknown) => void): unknown;
}

/** Options of {@link createRedisStore}. `encryptionKey` and one of `url` or `client` are required. */
export interface RedisStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]` or `rediss://…` (TLS). The store creates, connects,
   * and on `close()` closes its own client.
   */
  url?: string;
  /**
   * A node-redis v5 client you created and connected. The store never closes it; while it is not
   * ready (connecting, reconnecting) the store works from this process's memory.
   */
  client?: RedisClientLike;
  /**
   * The AES-256-GCM key that encrypts values at rest, or several for rotation: the first encrypts,
   * all decrypt. Each is 32 bytes: 64 hex or 44 base64 characters, a Buffer, or a secret KeyObject.
   * Wrap strings with `secret()` from `@lp-auth/core` to keep them out of logs of your own options.
   */
  encryptionKey: EncryptionKeyInput | readonly EncryptionKeyInput[];
  /** Prefix of every Redis key the store writes. Default `lp-auth:`. */
  prefix?: string;
  /** Where outage and unreadable-value warnings go (the core's Logger shape). Default stderr. */
  logger?: Logger;
  /**
   * The store's own deadline on every Redis command, written or not (node-redis drops its timeout once
   * a command is written). Past it, the call answers from memory and the store works from memory until
   * Redis answers again. Default 1000 ms.
   */
  commandTimeoutMs?: number;
  /**
   * How long calls wait for the first connection before working from memory (a client from `url`
   * only; connection refusals end the wait at once). Default 2000 ms.
   */
  connectTimeoutMs?: number;
  /**
   * Caps the TTL of refresh locks: how long a lock outlives a process that died holding it before
   * another takes over. Default: none, the core's 30 s.
   */
  maxLockTtlMs?: number;
}

/** The options after validation and defaults; keys are `KeyObject`s, which never print. */
export interface ResolvedRedisStoreOptions {
  url?: string;
  client?: RedisClientLike;
  keys: KeyObject[];
  prefix: string;
  logger: Logger;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  maxLockTtlMs?: number;
}

export const DEFAULT_PREFIX = 'lp-auth:';
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;

/** Validates `options` and fills defaults. @throws ConfigError naming the field */
export function resolveRedisStoreOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', 'createRedisStore needs { url or client, encryptionKey }.');
  }
  const { url, client } = options;
  if ((url === undefined) === (client === undefined)) {
    throw new ConfigError('url', 'give exactly one of url (a redis:// URL) or client (a node-redis client).');
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\/./.test(url))) {
    throw new ConfigError('url', 'expected a URL such as "redis://127.0.0.1:6379" or "rediss://host:6380".');
  }
  if (client !== undefined && typeof client.sendCommand !== 'function') {
    throw new ConfigError('client', 'expected a node-redis v5 client (createClient() from "redis").');
  }
  if (options.encryptionKey === undefined || options.encryptionKey === null) {
    throw new ConfigError(
      'encryptionKey',
      'is required: values are encrypted at rest. Generate one with `openssl rand -base64 32`.',
    );
  }
  const given = options.encryptionKey;
  const keys = Array.isArray(given)
    ? (given as readonly EncryptionKeyInput[]).map((k, i) => parseEncryptionKey(`encryptionKey[${i}]`, k))
    : [parseEncryptionKey('encryptionKey', given)];
  if (keys.length === 0) throw new ConfigError('encryptionKey', 'the key list is empty.');
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string') throw new ConfigError('prefix', 'expected a string such as "lp-auth:".');
  let logger: Logger;
  try {
    logger = options.logger ? adaptLogger(options.logger) : stderrLogger;
  } catch (error) {
    throw new ConfigError('logger', (error as Error).message);
  }
  return {
    ...(url !== undefined ? { url } : {}),
    ...(client !== undefined ? { client } : {}),
    keys,
    prefix,
    logger,
    commandTimeoutMs: positive('commandTimeoutMs', options.commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    ...(options.maxLockTtlMs !== undefined
      ? { maxLockTtlMs: positive('maxLockTtlMs', options.maxLockTtlMs, 0) }
      : {}),
  };
}

function positive(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(field, `expected a positive number of milliseconds, got ${String(value)}.`);
  }
  return value;
}
