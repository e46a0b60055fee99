/**
 * How long a token LivePerson hands out is used, decided in one place for every flow (AppJWT,
 * application authorization, Conversation Orchestrator v2, Login Service). The rules, also in the
 * README ("Token lifetimes"):
 *
 * - A stated lifetime (`expires_in` in seconds, Login's `sessionTTl` in milliseconds) that is a
 *   positive finite number, or a string of one, is used.
 * - A stated lifetime that is present but unusable (0, negative, not a number) gets
 *   {@link SHORT_LIFETIME_MS}: the endpoint told us not to count on the token, and not caching it at
 *   all would make every request a token call.
 * - Absent: the token's own JWT `exp`, else the flow's documented default.
 * - A JWT `exp` earlier than the stated lifetime wins: the token stops working then, whatever the
 *   endpoint said. An `exp` already past on arrival (a clock far off, or a broken token) counts as
 *   unusable: {@link SHORT_LIFETIME_MS}, so a skewed clock costs one token call a minute, not one a
 *   request.
 * - Whatever the source, at most {@link MAX_TOKEN_LIFETIME_MS} (24 h, the longest lifetime
 *   LivePerson documents, CO v2's), so that `1e12` or `1e300` cannot pin a token for ever nor ask a
 *   shared store for a TTL it refuses.
 *
 * @module
 */

/** The longest lifetime any token is kept: 24 hours (Conversation Orchestrator v2's documented one). */
export const MAX_TOKEN_LIFETIME_MS = 24 * 60 * 60_000;
/** The lifetime of a token whose stated lifetime is unusable (0, negative, not a number). */
export const SHORT_LIFETIME_MS = 60_000;

/** What a flow knows about the token it just received. */
export interface TokenLifetimeInput {
  /** Now, epoch milliseconds (the runtime's clock). */
  now: number;
  /** The lifetime the endpoint stated, exactly as it came in the body; `undefined` when absent. */
  stated?: unknown;
  /** Unit of `stated`: `expires_in` is in seconds, Login's `sessionTTl` in milliseconds. */
  unit: 'seconds' | 'milliseconds';
  /** The token itself, when it may be a JWT whose `exp` bounds its life. */
  token?: string;
  /** The flow's documented lifetime, used when nothing is stated and the token carries no `exp`. */
  defaultMs: number;
}

/** The expiry chosen, and why (for a warning when the endpoint's answer was odd). */
export interface TokenLifetime {
  /** Epoch milliseconds. */
  expiresAt: number;
  source: 'stated' | 'jwt' | 'default' | 'short';
  /** Set when the endpoint's answer was unusable or capped: a line worth a warning (no secret in it). */
  warning?: string;
}

/**
 * The expiry of a freshly issued token, by the rules of this module.
 *
 * @example
 * ```ts
 * const { expiresAt } = tokenLifetime({ now: Date.now(), stated: body.expires_in, unit: 'seconds', token, defaultMs: 3_600_000 });
 * ```
 */
export function tokenLifetime(input: TokenLifetimeInput): TokenLifetime {
  const { now } = input;
  const cap = now + MAX_TOKEN_LIFETIME_MS;
  const short = now + SHORT_LIFETIME_MS;
  const present = input.stated !== undefined && input.stated !== null && input.stated !== '';
  const stated = present ? parseLifetime(input.stated, input.unit) : undefined;
  const exp = input.token === undefined ? undefined : jwtExpiry(input.token);

  if (exp !== undefined && exp <= now) {
    return {
      expiresAt: stated === undefined ? short : Math.min(short, now + stated),
      source: 'short',
      warning: `the token's exp is ${Math.round((now - exp) / 1000)} s in the past on arrival (is this machine's clock right?); using it for at most ${SHORT_LIFETIME_MS / 1000} s`,
    };
  }
  if (present && stated === undefined) {
    return {
      expiresAt: Math.min(short, exp ?? short),
      source: 'short',
      warning: `the token endpoint stated an unusable lifetime (${describe(input.stated)}); using the token for at most ${SHORT_LIFETIME_MS / 1000} s`,
    };
  }
  let expiresAt: number;
  let source: TokenLifetime['source'];
  if (stated !== undefined) {
    expiresAt = exp !== undefined && exp < now + stated ? exp : now + stated;
    source = expiresAt === exp ? 'jwt' : 'stated';
  } else if (exp !== undefined) {
    expiresAt = exp;
    source = 'jwt';
  } else {
    expiresAt = now + input.defaultMs;
    source = 'default';
  }
  if (expiresAt > cap) {
    return {
      expiresAt: cap,
      source,
      warning: `the token's lifetime (${source}, ${describeMs(expiresAt - now)}) is longer than ${MAX_TOKEN_LIFETIME_MS / 3_600_000} h; capped`,
    };
  }
  return { expiresAt, source };
}

/** A stated lifetime in milliseconds when it is a positive finite number (or a string of one). */
function parseLifetime(value: unknown, unit: TokenLifetimeInput['unit']): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  const ms = unit === 'seconds' ? n * 1000 : n;
  // 1e300 seconds is finite, its milliseconds are not; both are capped by the caller.
  return Number.isFinite(ms) ? ms : Number.MAX_SAFE_INTEGER;
}

/** The `exp` claim of a JWT in epoch milliseconds, read without verification (for expiry only). */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    const ms = typeof claims.exp === 'number' ? claims.exp * 1000 : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** A stated value as a log line may show it: short, and never more than a number or a few characters. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 16 ? `${value.slice(0, 16)}…` : value);
  if (typeof value === 'number') return String(value);
  return typeof value;
}

function describeMs(ms: number): string {
  return ms >= Number.MAX_SAFE_INTEGER ? 'unbounded' : `${Math.round(ms / 1000)} s`;
}
