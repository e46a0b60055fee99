import type { BodyInit } from './lp-request.js';

export const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** The default of `http.maxResponseBytes`: 32 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Bodies that can be sent again on a retry. A stream can be read only once. */
export function isReplayable(body: BodyInit | null | undefined): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof Blob ||
    body instanceof FormData
  );
}

const JSON_TYPE = /^\s*application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

/**
 * The body of a 2xx answer: parsed JSON, the text when it is not JSON, or undefined when empty.
 * A body labelled JSON that does not parse is `invalid` rather than handed over as text. A leading
 * byte order mark is ignored, as RFC 8259 allows a parser to (both transports decode UTF-8 with it kept).
 */
export function parseBody(text: string, contentType: string | null): { data: unknown; invalid?: true } {
  if (text === '') return { data: undefined };
  try {
    return { data: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
  } catch {
    return contentType && JSON_TYPE.test(contentType) ? { data: undefined, invalid: true } : { data: text };
  }
}
