/**
 * The `lp-auth` command line: picks the subcommand, runs it, and turns every failure into one line
 * on stderr and an exit code (0 ok, 1 failed, 2 usage or configuration error).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { isLpAuthError } from '@lp-auth/core';
import type { Command } from './command.js';
import { decodeCommand } from './commands/decode.js';
import { doctorCommand } from './commands/doctor.js';
import { emulatorCommand } from './commands/emulator.js';
import { tokenCommand } from './commands/token.js';
import { CliError, ExitCode } from './errors.js';
import { Printer, type CliIo } from './io.js';
import { closest } from './suggest.js';

/** Every subcommand, in the order `lp-auth --help` lists them. */
export const COMMANDS: readonly Command[] = [tokenCommand, doctorCommand, decodeCommand, emulatorCommand];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: lp-auth <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --help and --json. Configuration: LP_* variables, ./.env, --dotenv, --account.',
    'Exit codes: 0 ok, 1 a check or request failed, 2 usage or configuration error.',
  ].join('\n');
}

/**
 * Runs `lp-auth` with `argv` (without the node and script paths) and resolves with the exit code.
 * Never throws: failures are reported on `io.stderr`, secrets scrubbed.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), nodeIo());
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const printer = new Printer(io);
  const [name, ...args] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const command = COMMANDS.find((c) => c.name === args[0]);
      printer.out(command ? command.usage : overview());
      return name === undefined ? ExitCode.usage : ExitCode.ok;
    }
    if (name === '--version' || name === '-v') {
      printer.out(version());
      return ExitCode.ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      const guess = name.startsWith('-')
        ? undefined
        : closest(
            name,
            COMMANDS.map((c) => c.name),
          );
      printer.err(`lp-auth: unknown command "${name}".${guess ? ` Did you mean "${guess}"?` : ''}`);
      printer.err(overview());
      return ExitCode.usage;
    }
    return await command.run(args, io);
  } catch (error) {
    return report(error, name ?? '', printer);
  }
}

/** One line on stderr for `error`, and its exit code. */
function report(error: unknown, command: string, printer: Printer): number {
  if (error instanceof CliError) {
    printer.err(`lp-auth ${command}: ${error.message}`);
    return error.exitCode;
  }
  if (isLpAuthError(error)) {
    printer.err(`lp-auth ${command}: ${error.message} [${error.code}]`);
    return error.code === 'config_invalid' ? ExitCode.usage : ExitCode.failed;
  }
  printer.err(
    `lp-auth ${command}: unexpected error: ${error instanceof Error ? error.message : String(error)}`,
  );
  return ExitCode.failed;
}
