import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';
const values = new WeakMap<Secret, string>();

/**
 * A secret value (client secret, password, API key) that never prints itself: `util.inspect`,
 * `JSON.stringify`, template strings and `String()` all show `[REDACTED]`. Only {@link Secret.reveal}
 * gives the value, and only the code that puts it on the wire calls it.
 *
 * @example
 * ```ts
 * const s = secret(process.env.LP_APP_JWT_CLIENT_SECRET!);
 * console.log({ s }); // { s: [REDACTED] }
 * ```
 */
export class Secret {
  constructor(value: string) {
    // Kept outside the object so no enumeration, inspection or serialisation can reach it.
    values.set(this, value);
  }
  /** The value itself. Call it only where it goes on the wire. */
  reveal(): string {
    return values.get(this) ?? '';
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Wraps a string as a {@link Secret}; a Secret passes through unchanged. */
export function secret(value: string | Secret): Secret {
  return value instanceof Secret ? value : new Secret(value);
}

/** The value of a string-or-Secret option. */
export function reveal(value: string | Secret): string {
  return value instanceof Secret ? value.reveal() : value;
}

export { REDACTED };
