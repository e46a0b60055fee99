import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { EmulatorContext } from './context.js';
import type { FaultInjector } from './faults.js';
import { BodyTooLargeError, readBody, type EmulatorRequest, type EmulatorResponse } from './http.js';
import { lpError } from './lp-errors.js';
import type { Router } from './router.js';
import type { RouteStats } from './stats.js';
import type { Fault } from './types.js';

/** What the server needs from the emulator around it. */
export interface EmulatorServerParts {
  router: Router;
  context: EmulatorContext;
  stats: RouteStats;
  faults: FaultInjector;
}

/** A request id LivePerson-style: random, unique per response. */
const newRequestId = () => randomUUID();

/**
 * The HTTP server: matches the route table, counts the call, applies the next queued fault, runs
 * the handler and writes its answer with an `x-request-id`. It tracks every socket so that
 * {@link EmulatorServer.close} can end keep-alive connections and pending delays at once.
 */
export class EmulatorServer {
  readonly server: Server;
  readonly #parts: EmulatorServerParts;
  readonly #sockets = new Set<Socket>();
  readonly #delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  #closing: Promise<void> | undefined;

  constructor(parts: EmulatorServerParts) {
    this.#parts = parts;
    this.server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => this.#fail(res, error));
    });
    this.server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  /** Listens on `host:port` (0 = random); resolves to the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen({ port, host, backlog: 4096 }, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Stops listening, destroys every socket and cancels pending fault delays. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const delay of this.#delays) {
        clearTimeout(delay.timer);
        delay.resolve();
      }
      this.#delays.clear();
      this.server.closeAllConnections();
      for (const socket of this.#sockets) socket.destroy();
    });
    return this.#closing;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const given = req.headers['x-request-id'];
    const requestId = (Array.isArray(given) ? given[0] : given) || newRequestId();
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const method = req.method ?? 'GET';
    const { router, stats, faults, context } = this.#parts;
    const match = router.match(method, url.pathname);
    if (match.kind === 'not-found') return this.#write(res, lpError(404, `No resource at ${url.pathname}`));
    if (match.kind === 'method-not-allowed') {
      const response = lpError(405, `Method ${method} is not allowed on ${url.pathname}`);
      return this.#write(res, { ...response, headers: { allow: match.allow.join(', ') } });
    }

    const { route, params } = match;
    stats.record(route.name);
    const fault = faults.take(route.name);
    if (fault?.latencyMs) await this.#delay(fault.latencyMs);
    if (this.#closing) return;
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) return this.#write(res, faultResponse(fault.status, fault));

    let bodyText: Promise<string> | undefined;
    const request: EmulatorRequest = {
      method,
      url,
      params,
      headers: req.headers,
      requestId,
      text: () => (bodyText ??= readBody(req)),
    };
    let response: EmulatorResponse;
    try {
      response = await route.handler(request, context);
    } catch (error) {
      if (error instanceof BodyTooLargeError) response = lpError(413, error.message);
      else throw error;
    }
    if (fault?.expiredToken) response = expireIssuedToken(response, route.name, context);
    if (fault) response = { ...response, headers: { ...response.headers, ...faultHeaders(fault) } };
    this.#write(res, response);
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.#delays.delete(entry);
          resolve();
        }, ms),
      };
      this.#delays.add(entry);
    });
  }

  #write(res: ServerResponse, response: EmulatorResponse): void {
    if (res.headersSent || res.destroyed) return;
    const noBody = response.status === 204 || response.status === 304 || response.body === undefined;
    const isText = typeof response.body === 'string';
    const payload = noBody ? '' : isText ? (response.body as string) : JSON.stringify(response.body);
    const headers: Record<string, string> = {
      ...(noBody
        ? {}
        : { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' }),
      ...response.headers,
    };
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.statusCode = response.status;
    res.end(payload);
  }

  #fail(res: ServerResponse, error: unknown): void {
    // An emulator bug: answer 500 without echoing anything that could hold a secret.
    const name = error instanceof Error ? error.name : 'Error';
    this.#write(res, lpError(500, `Internal emulator error (${name})`));
  }
}

const TOKEN_FIELDS = ['access_token', 'token', 'accessToken'] as const;

/**
 * The `expiredToken` fault: re-signs the JWT a token route issued with `exp` a minute in the past,
 * leaving `expires_in` as the route said, so the answer looks fresh but the token is not.
 */
function expireIssuedToken(
  response: EmulatorResponse,
  route: string,
  context: EmulatorContext,
): EmulatorResponse {
  const keys =
    route === 'sentinel.token'
      ? context.sentinelKeys
      : route === 'co.v2.login'
        ? context.cognitoKeys
        : undefined;
  const body = response.body;
  if (!keys || response.status !== 200 || typeof body !== 'object' || body === null) return response;
  const fields = body as Record<string, unknown>;
  const field = TOKEN_FIELDS.find((name) => typeof fields[name] === 'string');
  const jwt = field ? (fields[field] as string).split('.') : [];
  if (!field || jwt.length !== 3) return response;
  const payload = JSON.parse(Buffer.from(jwt[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  const expired = keys.sign({ ...payload, iat: now - 120, exp: now - 60 });
  return { ...response, body: { ...fields, [field]: expired } };
}

function faultHeaders(fault: Fault): Record<string, string> {
  return {
    ...(fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}),
    ...fault.headers,
  };
}

/** The response of a fault with a `status`: its body, or a LivePerson-style error body. */
function faultResponse(status: number, fault: Fault): EmulatorResponse {
  const base =
    fault.body !== undefined
      ? { status, body: fault.body }
      : lpError(status, `Fault injected by the emulator (${status})`);
  return { ...base, headers: { ...base.headers, ...faultHeaders(fault) } };
}
