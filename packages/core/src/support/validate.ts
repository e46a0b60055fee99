import { ConfigError } from '../errors/index.js';
import { secret, type Secret } from './secret.js';

/**
 * Option validators shared by every flow's `resolve…Options`. Each names the field it checks, so
 * the `ConfigError` says what to fix, and none echoes a secret value.
 */

/** A non-empty (not only spaces) string. */
export function requiredString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ConfigError(field, 'is required and must be a non-empty string.');
  return value;
}

/** A non-empty string or {@link Secret}, returned wrapped so that it never prints. */
export function requiredSecret(field: string, value: unknown): Secret {
  if (value !== null && typeof value === 'object' && typeof (value as Secret).reveal === 'function') {
    if ((value as Secret).reveal() === '') throw new ConfigError(field, 'is required and must not be empty.');
    return value as Secret;
  }
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(
      field,
      `is required: a non-empty string (given: ${value === undefined ? 'nothing' : typeof value}).`,
    );
  }
  return secret(value);
}

/** A finite number > 0, or `fallback` when absent. */
export function positive(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new ConfigError(field, 'must be a positive number.');
  return value;
}

/** A finite number ≥ 0, or `fallback` when absent. */
export function nonNegative(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new ConfigError(field, 'must be a number ≥ 0.');
  return value;
}

/** A boolean, or `fallback` when absent. */
export function bool(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(field, 'must be a boolean.');
  return value;
}

/** One of `allowed`, or `fallback` when absent. */
export function oneOf<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new ConfigError(field, `must be ${allowed.map((a) => `"${a}"`).join(' or ')}.`);
  }
  return value as T;
}
