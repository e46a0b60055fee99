/**
 * One line of `lp-auth doctor`'s report.
 *
 * @module
 */

/** `fail` makes `doctor` exit 1; `warn` and `skip` do not. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** What was checked: `options`, `csds`, a flow name, `clock`, `consumer jwks`. */
  check: string;
  status: CheckStatus;
  /** What was found, in a few words. Never a secret. */
  result: string;
  /**
   * What to do about a failure or a warning; null when there is nothing to do. Always present, so
   * that every row of `doctor --json` has the same keys and a script can read `.fix` without a guard.
   */
  fix: string | null;
}

/** A result; `fix` is null when there is none. */
export function checkResult(check: string, status: CheckStatus, result: string, fix?: string): CheckResult {
  return { check, status, result, fix: fix ?? null };
}
