import type { IncomingMessage } from 'node:http';

/** What a route handler sees of a request. */
export interface EmulatorRequest {
  readonly method: string;
  readonly url: URL;
  /** Path parameters from the route pattern, e.g. `{ acct: '12345678' }`. */
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingMessage['headers'];
  /** The request id this response will carry (the client's `x-request-id`, or a random one). */
  readonly requestId: string;
  /** The body as text (read once, bounded). */
  text(): Promise<string>;
}

/** What a route handler answers. A string body is sent as is; anything else as JSON. */
export interface EmulatorResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Largest request body the emulator reads; LivePerson's auth endpoints take small bodies. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Raised while reading a body larger than {@link MAX_BODY_BYTES}. */
export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body larger than ${MAX_BODY_BYTES} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Reads a request body as UTF-8 text, refusing more than {@link MAX_BODY_BYTES}. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A JSON response. */
export function json(status: number, body: unknown, headers?: Record<string, string>): EmulatorResponse {
  return { status, body, ...(headers ? { headers } : {}) };
}

/** The media type of a request, lower-cased, without parameters. */
export function mediaType(request: EmulatorRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Parses a JSON body; `undefined` when the body is empty or not JSON (a bad request either way). */
export async function readJson(request: EmulatorRequest): Promise<unknown> {
  const text = await request.text();
  try {
    return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The credentials of an `Authorization: Bearer …` header, if that is what the request carries. */
export function bearerToken(request: EmulatorRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}
