/**
 * The logger shape @lp-auth writes to: pino, winston, bunyan, `console` and most others fit it.
 * Messages never contain secrets; `data` holds only redacted values.
 */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Writes warnings and errors to stderr, drops debug and info. The default. */
export const stderrLogger: Logger = {
  debug() {},
  info() {},
  warn(message, data) {
    console.warn(`[lp-auth] ${message}`, ...(data ? [data] : []));
  },
  error(message, data) {
    console.error(`[lp-auth] ${message}`, ...(data ? [data] : []));
  },
};

/** Discards everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
