/**
 * The shape of a subcommand, and the argument parsing they share.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';

/** One `lp-auth <name>` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `lp-auth --help`. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly usage: string;
  /** Runs the command; resolves with the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** Options of the commands that read a configuration (`token`, `doctor`). */
export const CONFIG_OPTIONS = {
  account: { type: 'string' },
  'env-file': { type: 'string' },
} as const satisfies Options;

/**
 * `parseArgs` in strict mode, its errors turned into a {@link UsageError} that names the command,
 * so that a typo exits with code 2 and a pointer to `--help`.
 */
export function parseCommandArgs<O extends Options>(
  command: string,
  args: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message.replace(/\.$/, '')}. See "lp-auth ${command} --help".`);
  }
}
