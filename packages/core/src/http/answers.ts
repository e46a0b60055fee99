import { errorBodyOf, readBody, readErrorText, requestOf } from './send.js';
import type { BodyInit } from './lp-request.js';

export const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** An answer of `request`, read inside its attempt: the whole body on 2xx, the clipped error body else. */
export interface Answer {
  ok: boolean;
  status: number;
  headers: Headers;
  text: string;
  /** What an error keeps of a failed answer's body (clipped, secrets removed). */
  errorBody: unknown;
}

export async function readAnswer(response: Response): Promise<Answer> {
  const { ok, status, headers } = response;
  if (ok) return { ok, status, headers, text: await readBody(response), errorBody: undefined };
  const raw = await readErrorText(response);
  return { ok, status, headers, text: raw.text, errorBody: errorBodyOf(raw, requestOf(response)) };
}

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
 * A body labelled JSON that does not parse is `invalid` rather than handed over as text.
 */
export function parseBody(text: string, contentType: string | null): { data: unknown; invalid?: true } {
  if (text === '') return { data: undefined };
  try {
    return { data: JSON.parse(text) };
  } catch {
    return contentType && JSON_TYPE.test(contentType) ? { data: undefined, invalid: true } : { data: text };
  }
}
