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
  /** What to do about a failure or a warning. */
  fix?: string;
}

/** A result; `fix` is left out when there is none, so that JSON output stays small. */
export function checkResult(check: string, status: CheckStatus, result: string, fix?: string): CheckResult {
  return fix === undefined ? { check, status, result } : { check, status, result, fix };
}
