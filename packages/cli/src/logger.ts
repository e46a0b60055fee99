import type { Logger } from '@lp-auth/core';
import type { Printer } from './io.js';

/**
 * A core `Logger` that writes warnings and errors through a {@link Printer} (so that they are
 * scrubbed like everything else the command prints), or hands them to `collect` instead, so that
 * `doctor` can list them under its table rather than in the middle of its spinner.
 */
export function cliLogger(printer: Printer, collect?: (line: string) => void): Logger {
  const write = (level: string) => (message: string, data?: Record<string, unknown>) => {
    const line = `${level}: ${message}${data ? ` ${JSON.stringify(data)}` : ''}`;
    if (collect) collect(line);
    else printer.err(line);
  };
  return { debug() {}, info() {}, warn: write('warning'), error: write('error') };
}
