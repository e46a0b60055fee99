import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Dispatcher, request as undiciRequestOf } from 'undici';
import { NetworkError, ResponseTooLargeError } from '../errors/index.js';
import { redactUrl } from '../support/redact.js';
import { Deadline } from './deadline.js';
import type { BodyInit } from './lp-request.js';
import { PlainHeaders } from './plain-headers.js';
import {
  errorBodyOf,
  MAX_ERROR_BODY_BYTES,
  refusedRedirect,
  sendAndRead,
  type Answer,
  type ErrorBodyText,
  type FetchFn,
} from './send.js';

/** The request of one `request()` exchange, as `LpClient` builds it for each attempt. */
export interface ExchangeInit extends RequestInit {
  method: string;
  headers: Headers;
  body: BodyInit | null;
}

/**
 * One exchange of the authorized client's `request()` path, its body read within the deadline and
 * the byte limit (see `sendAndRead`): the seam between `LpClient` and the transport. An
 * `LpClient` picks its implementation once, when it is built.
 */
export type Exchange = (
  url: URL,
  init: ExchangeInit,
  timeoutMs: number,
  callerSignal: AbortSignal | null | undefined,
  maxBytes: number,
) => Promise<Answer>;

/** Which transport `request()` uses: undici's dispatcher API, or the runtime's `fetch`. */
export type RequestTransport = 'undici' | 'fetch';

/** `request()` over a fetch function (`http.fetch` when configured): `sendAndRead`, as ever. */
export function fetchExchange(fetchFn: FetchFn): Exchange {
  return (url, init, timeoutMs, callerSignal, maxBytes) =>
    sendAndRead(fetchFn, url, init, timeoutMs, callerSignal, maxBytes);
}

/**
 * `request()` over undici's `request()` (its dispatcher API), which skips what fetch does for a
 * browser (a WHATWG `Request` and `Response`, header guards, a web stream per body) and is measured
 * ~1.7× faster than the global fetch on loopback.
 *
 * The dispatcher is undici's global one. undici 7 keeps it under `Symbol.for('undici.globalDispatcher.1')`
 * (and `.2`), the symbol Node 20's and 22's own fetch reads: one `setGlobalDispatcher()` (a
 * `ProxyAgent`, say) applies to this path and to every fetch alike, whichever undici the caller
 * imported it from. undici is loaded on the first call, so importing the library installs nothing.
 *
 * Bodies this path cannot send as fetch would (a `Blob`, `FormData`, a stream) go through `fallback`.
 */
export function undiciExchange(fallback: Exchange): Exchange {
  return async (url, init, timeoutMs, callerSignal, maxBytes) => {
    const body = sendable(init.body, init.headers);
    if (body === UNSENDABLE) return fallback(url, init, timeoutMs, callerSignal, maxBytes);
    const request = undiciRequest ?? (await loadUndici());
    const { method } = init;
    const deadline = new Deadline(() => `${method} ${redactUrl(url)}`, timeoutMs, callerSignal ?? undefined);
    let data: Dispatcher.ResponseData;
    try {
      if (url.port !== '' && BAD_PORTS.has(url.port)) {
        // As fetch: ports of other protocols (SMTP, IRC, …) are never dialled.
        throw new NetworkError(deadline.what, new Error(`bad port ${url.port}`));
      }
      data = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers: flatHeaders(init.headers),
        body,
        signal: deadline.signal,
      });
    } catch (error) {
      deadline.clear();
      throw deadline.failure(error);
    }
    const { statusCode: status } = data;
    const headers = new PlainHeaders(data.headers);
    const stream = decoded(data.body, headers, status, method);
    try {
      const refused = refusedRedirect(() => deadline.what, { status, headers }, url, method);
      if (refused) {
        discard(stream);
        throw refused;
      }
      const declared = Number(headers.get('content-length') ?? undefined);
      if (Number.isFinite(declared) && declared > maxBytes) {
        deadline.abort();
        discard(stream);
        throw new ResponseTooLargeError(deadline.what, maxBytes);
      }
      const ok = status >= 200 && status <= 299;
      if (!ok) {
        const raw = await readErrorStream(stream);
        return { ok, status, headers, text: raw.text, errorBody: errorBodyOf(raw, { url, init }) };
      }
      return {
        ok,
        status,
        headers,
        text: await readStream(stream, deadline, maxBytes),
        errorBody: undefined,
      };
    } finally {
      deadline.clear();
    }
  };
}

type UndiciRequest = typeof undiciRequestOf;
let undiciRequest: UndiciRequest | undefined;

async function loadUndici(): Promise<UndiciRequest> {
  const undici = await import('undici');
  undiciRequest = undici.request;
  return undiciRequest;
}

/** Ports fetch refuses to dial (the Fetch standard's "bad port" list). */
const BAD_PORTS = new Set(
  (
    '1 7 9 11 13 15 17 19 20 21 22 23 25 37 42 43 53 69 77 79 87 95 101 102 103 104 109 110 111 113 ' +
    '115 117 119 123 135 137 139 143 161 179 389 427 465 512 513 514 515 526 530 531 532 540 548 554 ' +
    '556 563 587 601 636 989 990 993 995 1719 1720 1723 2049 3659 4045 4190 5060 5061 6000 6566 6665 ' +
    '6666 6667 6668 6669 6679 6697 10080'
  ).split(' '),
);

const UNSENDABLE = Symbol('unsendable');

/**
 * The body as undici sends it, with the `content-type` fetch would add (text and forms); bodies
 * fetch encodes itself (`Blob`, `FormData`, streams) are {@link UNSENDABLE} here.
 */
function sendable(body: BodyInit | null, headers: Headers): string | Uint8Array | null | typeof UNSENDABLE {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    return body;
  }
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type')) {
      headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    }
    return body.toString();
  }
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return UNSENDABLE;
}

/**
 * Request headers as the flat `[name, value, …]` list undici reads fastest, with the two that
 * fetch would add and a server may act on: `user-agent: node` (some gateways refuse a request
 * without one) and `accept-encoding: gzip, deflate` (answers come compressed, and are decoded
 * here as fetch decodes them). fetch's browser headers (`sec-fetch-mode`, `accept-language`) are left out.
 */
function flatHeaders(headers: Headers): string[] {
  const flat: string[] = [];
  let agent = false;
  let encoding = false;
  headers.forEach((value, name) => {
    if (name === 'user-agent') agent = true;
    else if (name === 'accept-encoding') encoding = true;
    flat.push(name, value);
  });
  if (!agent) flat.push('user-agent', 'node');
  if (!encoding) flat.push('accept-encoding', 'gzip, deflate');
  return flat;
}

/** Statuses without a body, which nothing decodes (as fetch). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** At most this many content codings are undone (as fetch, against a chain built to exhaust). */
const MAX_CODINGS = 5;

/**
 * The body with its `content-encoding` undone, as fetch does (gzip, deflate, br; leniently flushed):
 * byte limits then count what the caller gets. An unknown coding leaves the body as it came.
 * Destroying the returned stream destroys the socket's too.
 */
function decoded(body: Readable, headers: PlainHeaders, status: number, method: string): Readable {
  const encoding = headers.get('content-encoding');
  if (encoding === null || method === 'HEAD' || NULL_BODY.has(status)) return body;
  const codings = encoding.toLowerCase().split(',');
  if (codings.length > MAX_CODINGS) {
    const error = new Error(`too many content-encodings in response: ${codings.length}`);
    body.on('error', noop);
    body.destroy(error);
    return body;
  }
  const decoders: NodeJS.ReadWriteStream[] = [];
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]!.trim();
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(zlib.createGunzip(LENIENT));
    else if (coding === 'deflate') decoders.push(zlib.createInflate(LENIENT));
    else if (coding === 'br') decoders.push(zlib.createBrotliDecompress(LENIENT_BROTLI));
    else if (coding === 'identity') continue;
    else return body;
  }
  if (decoders.length === 0) return body;
  return pipeline([body, ...decoders], noop) as unknown as Readable;
}

const LENIENT = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const LENIENT_BROTLI = {
  flush: zlib.constants.BROTLI_OPERATION_FLUSH,
  finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
};

/** Drops a body nobody will read: the socket is closed rather than drained. */
function discard(stream: Readable): void {
  stream.on('error', noop);
  stream.destroy();
}

function noop(): void {}

/**
 * The whole body as text, within the deadline (which destroys the stream with its typed reason)
 * and the byte limit (over it, the exchange is aborted and the stream destroyed).
 */
function readStream(stream: Readable, deadline: Deadline, maxBytes: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.byteLength;
      if (size > maxBytes) {
        fail(new ResponseTooLargeError(deadline.what, maxBytes));
        deadline.abort();
        discard(stream);
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8'),
      );
    });
    stream.on('error', (error) => fail(deadline.failure(error)));
    // Destroyed without an error (nothing in undici does, today): still a body that did not arrive.
    // After 'end' it is the normal close, and no error is built.
    stream.on('close', () => {
      if (!settled) fail(deadline.failure(new Error('the response body closed before its end')));
    });
  });
}

/**
 * At most {@link MAX_ERROR_BODY_BYTES} of a failed answer, the rest dropped; a body that fails
 * half-way (reset, deadline) gives what had arrived. As `readErrorText` for a fetch `Response`.
 */
function readErrorStream(stream: Readable): Promise<ErrorBodyText> {
  return new Promise<ErrorBodyText>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let clipped = false;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      const bytes = Buffer.concat(chunks, size).subarray(0, MAX_ERROR_BODY_BYTES);
      resolve({ text: bytes.toString('utf8'), clipped });
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size > MAX_ERROR_BODY_BYTES) {
        clipped = true;
        done();
        discard(stream);
      }
    });
    stream.on('end', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}
