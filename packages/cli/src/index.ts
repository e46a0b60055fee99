/**
 * `@lp-auth/cli`: the `lp-auth` command line (`token`, `doctor`, `decode`, `emulator`), and the pieces
 * it is made of for programs that want them.
 *
 * @packageDocumentation
 */
export { runCli, COMMANDS } from './cli.js';
export type { Command } from './command.js';
export { CliError, UsageError, ExitCode, type CliErrorCode } from './errors.js';
export type { CliIo, TextSink } from './io.js';
export { decodeJwt, type DecodedJwt } from './jwt.js';
export { describeJwt, type DecodeResult } from './commands/decode.js';
export { emulatorEnvironment } from './commands/emulator.js';
export { relativeTime, describeTimeClaim } from './relative-time.js';
export type { CheckResult, CheckStatus } from './doctor/check-result.js';
