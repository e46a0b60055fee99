/**
 * Errors of the `lp-auth` command line. Each has a stable `code` (as every `@lp-auth` error does) and
 * the process exit code it ends with, so that `bin.ts` maps failures to exit codes in one place.
 *
 * @module
 */

/** Exit codes of `lp-auth`, documented in the README. */
export const ExitCode = {
  /** Everything worked (for `doctor`: every check passed or only warned). */
  ok: 0,
  /** The command ran but something failed: a doctor check, a token request LivePerson refused. */
  failed: 1,
  /** The command line or the configuration is wrong; nothing was tried. */
  usage: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable codes of the errors the command line raises itself. */
export type CliErrorCode =
  | 'usage'
  | 'env_file_unreadable'
  | 'env_file_empty'
  | 'env_file_unwritable'
  | 'flow_not_configured'
  | 'flow_has_no_token'
  | 'jwt_malformed'
  | (string & {});

/** A failure the command line reports as one line on stderr, then exits with {@link CliError.exitCode}. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: ExitCode;

  constructor(code: CliErrorCode, message: string, exitCode: ExitCode = ExitCode.usage) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A wrong command line: unknown command or option, a missing argument. Exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super('usage', message, ExitCode.usage);
    this.name = 'UsageError';
  }
}
