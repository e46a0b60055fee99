import { STATUS_CODES } from 'node:http';
import { json, type EmulatorResponse } from './http.js';

/**
 * LivePerson's REST error body, as the Login Service documents it (wire page §2):
 * `{"error":{"time":"…","message":"…","internalCode":N,"responseStatus":"UNAUTHORIZED"}}`.
 * The emulator uses it for the CSDS, account-configuration and unmatched-path errors too.
 */
export function lpError(status: number, message: string, internalCode = status * 100): EmulatorResponse {
  return json(status, {
    error: {
      time: new Date().toISOString(),
      message,
      internalCode,
      responseStatus: responseStatusOf(status),
    },
  });
}

/** `UNAUTHORIZED` for 401, `NOT_FOUND` for 404, … (Java's `Response.Status` names). */
export function responseStatusOf(status: number): string {
  const text = STATUS_CODES[status] ?? `STATUS_${status}`;
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** An OAuth 2.0 token-endpoint error (RFC 6749 §5.2), as Sentinel sends it. */
export function oauthError(status: number, error: string, description?: string): EmulatorResponse {
  return json(status, description ? { error, error_description: description } : { error }, {
    'cache-control': 'no-store',
    pragma: 'no-cache',
  });
}

/** The error body of the Conversation Orchestrator's AWS-hosted APIs (`{"message":"Unauthorized"}`). */
export function awsError(status: number, message = STATUS_CODES[status] ?? 'Error'): EmulatorResponse {
  return json(status, { message });
}
