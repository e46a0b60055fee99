export { Secret, secret, reveal } from './secret.js';
export { redactUrl, redactHeaders } from './redact.js';
export { isLoopbackHost, parseBaseUrl, redactUrlText } from './url.js';
export { adaptLogger, stderrLogger, silentLogger, type Logger } from './logger.js';
export * from './events.js';
