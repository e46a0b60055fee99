/**
 * The shape of a subcommand, and the argument parsing they share.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { closest } from './suggest.js';

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

/**
 * Options of the commands that read a configuration (`token`, `doctor`). The env file is `--dotenv`,
 * not `--env-file`: Node 20 reads an `--env-file` argument itself, even after the script name, and
 * exits 9 before `lp-auth` runs when the file is missing.
 */
export const CONFIG_OPTIONS = {
  account: { type: 'string' },
  dotenv: { type: 'string' },
} as const satisfies Options;

/** Old spellings that are gone, and what replaced them (said instead of a guess). */
const RENAMED: Readonly<Record<string, { now: string; why: string }>> = {
  'env-file': { now: 'dotenv', why: 'Node 20 reads an --env-file argument itself' },
};

const suggestion = (name: string | undefined) => (name ? ` Did you mean --${name}?` : '');

/** The text for an unknown option `typed` (as parseArgs spells it: "--acount", "-x"). */
function unknownOption(command: string, typed: string, options: Options): string {
  const bare = typed.replace(/^-+/, '').split('=')[0]!;
  const renamed = RENAMED[bare];
  const known = Object.keys(options);
  const hint =
    renamed && known.includes(renamed.now)
      ? ` It is now --${renamed.now} (${renamed.why}).`
      : typed.startsWith('--')
        ? suggestion(closest(bare, known))
        : '';
  return `unknown option '${typed}'.${hint} See "lp-auth ${command} --help".`;
}

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
    // parseArgs' own text for this one ends in advice about "--" positionals, which is never it here.
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown) throw new UsageError(unknownOption(command, unknown[1]!, options));
    throw new UsageError(`${message.replace(/\.$/, '')}. See "lp-auth ${command} --help".`);
  }
}
