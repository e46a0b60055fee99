/**
 * The logger shape `@lp-auth` writes to: pino, winston, bunyan, `console` and most others fit it.
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

type LogFn = (...args: unknown[]) => void;
type AnyLogger = Record<'debug' | 'info' | 'warn' | 'error', LogFn> & Record<string, unknown>;

/**
 * The logger to write to, from what the user gave: a {@link Logger} as is (console, winston), or a
 * pino or bunyan logger, which take the data object first (`log.info(data, message)`); those are
 * recognised by `bindings()` (pino) or `fields` (bunyan) and called their way.
 * @throws ConfigError-like TypeError when a level method is missing (createLpAuth reports it as `logger`)
 */
export function adaptLogger(given: unknown): Logger {
  const logger = given as AnyLogger;
  const missing = (['debug', 'info', 'warn', 'error'] as const).filter(
    (level) => typeof logger?.[level] !== 'function',
  );
  if (missing.length > 0) {
    throw new TypeError(`needs debug, info, warn and error methods (missing: ${missing.join(', ')})`);
  }
  const objectFirst =
    typeof logger.bindings === 'function' || (typeof logger.fields === 'object' && logger.fields !== null);
  if (!objectFirst) return logger as unknown as Logger;
  const level =
    (name: keyof Logger) =>
    (message: string, data?: Record<string, unknown>): void => {
      if (data) logger[name].call(logger, data, message);
      else logger[name].call(logger, message);
    };
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
}
