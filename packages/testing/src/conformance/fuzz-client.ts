import { Worker } from 'node:worker_threads';

/** One request as the fuzzer sends it. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
}

/** What came back: the status and the start of the body, or why the request failed. */
export type FuzzAnswer = { status: number; body: string; location?: string } | { error: string };

// The HTTP client runs in a worker thread (plain JavaScript, so that it needs no transform): the
// app under test has the main thread's event loop to itself, and the client its own core. Each
// request goes over a keep-alive connection; `inFlight` bounds the connections.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: workerData.inFlight });
// A socket the server reset can report it once more after its request settled (a write still
// under way when the server answered 431 and hung up): that request has its answer already.
process.on('uncaughtException', (e) => {
  if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') throw e;
});
function send(message, retried) {
  const { id, method, path, headers } = message;
  let settled = false;
  const done = (answer) => {
    if (settled) return;
    settled = true;
    parentPort.postMessage({ id, answer });
  };
  let req;
  try {
    const via = retried ? false : agent; // the second try on a connection of its own
    req = http.request({ host: '127.0.0.1', port: workerData.port, agent: via, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk) => { if (body.length < 4096) body += chunk; });
      res.on('end', () => done({ status: res.statusCode, body, location: res.headers.location }));
      res.on('error', (e) => done({ error: e.code || e.message }));
    });
  } catch (e) {
    done({ error: 'the client refused to send it: ' + e.message });
    return;
  }
  req.setTimeout(10000, () => req.destroy(Object.assign(new Error('no answer within 10 s'), { code: 'TIMEOUT' })));
  req.on('error', (e) => {
    // A server may close a kept-alive connection after answering (Fastify does after a 431,
    // without "Connection: close"): the next request on it fails through no fault of its own,
    // and is sent again once on a new connection, as Node's documentation advises.
    if (settled) return;
    if (req.reusedSocket && !retried && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
      settled = true;
      send(message, true);
    } else done({ error: e.code || e.message });
  });
  req.end();
}
parentPort.on('message', (message) => send(message, false));
`;

/**
 * An HTTP client for the fuzzer whose work happens off the main thread: the main thread only
 * generates inputs and judges answers, so the app's event loop (measured for stalls) and the
 * client do not share a core.
 *
 * @example
 * ```ts
 * const client = new FuzzClient(port, 32);
 * const answer = await client.send({ method: 'GET', path: '/consumer', headers: { authorization } });
 * await client.close();
 * ```
 */
export class FuzzClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (answer: FuzzAnswer) => void>();
  #nextId = 0;

  constructor(port: number, inFlight: number) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port, inFlight } });
    this.#worker.on('message', ({ id, answer }: { id: number; answer: FuzzAnswer }) => {
      const resolve = this.#pending.get(id);
      this.#pending.delete(id);
      resolve?.(answer);
    });
    this.#worker.on('error', (error) => this.#failAll(`the client worker failed: ${error.message}`));
    this.#worker.on('exit', () => this.#failAll('the client worker exited'));
  }

  send(request: FuzzRequest): Promise<FuzzAnswer> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#worker.postMessage({ id, method: request.method, path: request.path, headers: request.headers });
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  #failAll(error: string): void {
    for (const resolve of this.#pending.values()) resolve({ error });
    this.#pending.clear();
  }
}
