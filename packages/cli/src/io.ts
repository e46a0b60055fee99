/**
 * Where a command writes, and the last line of defence against printing a secret.
 *
 * @module
 */

/** A writable text stream (process.stdout, or a buffer in a test). */
export interface TextSink {
  write(text: string): unknown;
  /** True when a person watches it (a terminal); decides whether a spinner is drawn. */
  readonly isTTY?: boolean;
  /** The terminal's width in characters, when it is one; `doctor` fits its table to it. */
  readonly columns?: number;
}

/** What a command gets from the process it runs in. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** The environment (`LP_*` variables); never mutated. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where `./.env` is looked for. */
  cwd: string;
  /** Reads all of standard input (for `decode -`). */
  readStdin(): Promise<string>;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `emulator` waits on it. */
  stopRequested(): Promise<NodeJS.Signals>;
}

/**
 * Variables whose values are secrets. Their values are replaced by `[REDACTED]` in everything a
 * command prints except the one token `lp-auth token` is asked for: core never puts a secret in an
 * error, but a message from a server or a proxy could echo one back, and a CLI's output ends up in
 * tickets and chat.
 */
const SECRET_VARIABLES = [
  'LP_APP_JWT_CLIENT_SECRET',
  'LP_ORCHESTRATOR_API_KEY',
  'LP_ORCHESTRATOR_PASSWORD',
  'LP_OAUTH1_CONSUMER_SECRET',
  'LP_OAUTH1_TOKEN',
  'LP_OAUTH1_TOKEN_SECRET',
  'LP_LOGIN_PASSWORD',
  'LP_LOGIN_SECRET',
  'LP_LOGIN_ACCESS_TOKEN',
  'LP_LOGIN_ACCESS_TOKEN_SECRET',
] as const;

/** Shorter values are not scrubbed: replacing "a" everywhere would garble the output and hide nothing. */
const MIN_SCRUBBED_LENGTH = 6;

/** A function that replaces every configured secret value in a text by `[REDACTED]`. */
export function secretScrubber(env: Readonly<Record<string, string | undefined>>): (text: string) => string {
  const values = SECRET_VARIABLES.map((name) => env[name]?.trim())
    .filter((value): value is string => value !== undefined && value.length >= MIN_SCRUBBED_LENGTH)
    // Longest first, so that a secret containing another is replaced whole.
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => values.reduce((out, value) => out.replaceAll(value, '[REDACTED]'), text);
}

/** Writes lines to stdout and stderr with secrets scrubbed. */
export class Printer {
  readonly #io: CliIo;
  readonly #scrub: (text: string) => string;

  constructor(io: CliIo, env: Readonly<Record<string, string | undefined>> = io.env) {
    this.#io = io;
    this.#scrub = secretScrubber(env);
  }

  /** A line on stdout. */
  out(line = ''): void {
    this.#io.stdout.write(`${this.#scrub(line)}\n`);
  }

  /** A line on stderr. */
  err(line: string): void {
    this.#io.stderr.write(`${this.#scrub(line)}\n`);
  }

  /** A JSON document on stdout, one line, for scripts. */
  json(value: unknown): void {
    this.out(JSON.stringify(value));
  }

  /**
   * Writes `text` to stdout unscrubbed. Only for the token `lp-auth token` was asked to print: the
   * one secret the command line ever shows, on purpose.
   */
  unscrubbed(text: string): void {
    this.#io.stdout.write(`${text}\n`);
  }
}
