/**
 * Moments in words ("in 59 minutes", "3 hours ago"), for the time claims `decode` shows and the
 * token expiry `doctor` reports.
 *
 * @module
 */

const UNITS = [
  { name: 'day', ms: 24 * 60 * 60_000, below: Infinity },
  { name: 'hour', ms: 60 * 60_000, below: 48 * 60 * 60_000 },
  { name: 'minute', ms: 60_000, below: 60 * 60_000 },
  { name: 'second', ms: 1000, below: 60_000 },
] as const;

/**
 * The distance between `at` and `now` in the largest unit that reads naturally, rounded down so that
 * a token a second into its hour "expires in 59 minutes", not "in 1 hour".
 */
export function duration(ms: number): string {
  const distance = Math.abs(ms);
  const unit = [...UNITS].reverse().find((u) => distance < u.below) ?? UNITS[0];
  const count = Math.floor(distance / unit.ms);
  return `${count} ${unit.name}${count === 1 ? '' : 's'}`;
}

/** `at` relative to `now` (epoch ms): "in 59 minutes", "3 hours ago", or "now" within a second. */
export function relativeTime(at: number, now: number = Date.now()): string {
  const delta = at - now;
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `in ${duration(delta)}` : `${duration(delta)} ago`;
}

/** A registered JWT time claim in words, or undefined for any other claim. */
export function describeTimeClaim(
  claim: string,
  seconds: number,
  now: number = Date.now(),
): string | undefined {
  const at = seconds * 1000;
  const when = relativeTime(at, now);
  const future = at > now;
  switch (claim) {
    case 'exp':
      return future ? `expires ${when}` : `expired ${when}`;
    case 'iat':
      return future ? `issued ${when} (in the future: check the clocks)` : `issued ${when}`;
    case 'nbf':
      return future ? `not valid before ${when}` : `valid since ${when}`;
    case 'auth_time':
      return `authenticated ${when}`;
    default:
      return undefined;
  }
}
