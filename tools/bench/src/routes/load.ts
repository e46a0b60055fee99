import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { percentile } from '../measure.js';
import { pinningAvailable, SERVER_CPU } from './cpus.js';
import { ROUTE, type ServerReady, type ServerSpec } from './spec.js';

/** A benchmark server running in its own process. */
export interface ServerProcess {
  url: string;
  /** CPU time (user + system) the server process has used so far, in microseconds. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

const SERVE = new URL('./serve.js', import.meta.url);
// autocannon checks whether a run is over once per sample; short samples end `amount` runs promptly.
const SAMPLE_MS = 100;

/**
 * Starts the server of `spec` in a child process (pinned to {@link SERVER_CPU} when pinning is
 * available) and waits for its port, or for its word that our adapter is pending.
 * `BENCH_SERVER_NODE_OPTIONS` (e.g. `--cpu-prof`) go to the child's node.
 */
export async function startServerProcess(spec: ServerSpec): Promise<ServerProcess | { pending: string }> {
  const execArgv = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const node = [process.execPath, ...execArgv, fileURLToPath(SERVE), JSON.stringify(spec)];
  const [command, ...args] = pinningAvailable() ? ['taskset', '-c', String(SERVER_CPU), ...node] : node;
  // The IPC channel survives taskset's exec: node finds it through NODE_CHANNEL_FD.
  const child = spawn(command!, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<ServerReady>((resolve, reject) => {
    child.once('message', (message) => resolve(message as ServerReady));
    child.once('exit', (code) =>
      reject(new Error(`${spec.framework}/${spec.variant} server exited (${code})`)),
    );
  });
  if ('pending' in ready) {
    await exited(child);
    return ready;
  }
  return {
    url: `http://127.0.0.1:${ready.port}${ROUTE}`,
    cpuMicros: () =>
      new Promise<number>((resolve) => {
        child.once('message', (message) => resolve((message as { cpuMicros: number }).cpuMicros));
        child.send('cpu');
      }),
    async stop() {
      const done = exited(child);
      if (child.connected) child.disconnect();
      await done;
    },
  };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface LoadResult {
  reqPerSec: number;
  p99: number;
  requests: number;
  /** Every answer's latency, in milliseconds. */
  latencies: number[];
  /** CPU time the server spent per request, in microseconds (when measured with {@link loadServer}). */
  cpuPerRequest?: number;
}

export interface LoadOptions {
  url: string;
  /** Run this long, in seconds (ignored with `eachOnce`). */
  seconds: number;
  /** The bearer token of every request, or with `eachOnce` a token per request. */
  tokens: readonly string[];
  /** Send each of `tokens` once, one per request, then stop. */
  eachOnce?: boolean;
  connections?: number;
}

/**
 * One autocannon run against `url`. With `eachOnce`, each request carries the next token of the
 * pool and the run sends exactly one request per token (so no token is seen twice); otherwise every
 * request carries `tokens[0]` for `seconds`. Every answer must be 200, else the run throws (a benchmark of refusals is no
 * benchmark). Latencies are collected from each response, in fractions of a millisecond.
 */
export function load({
  url,
  seconds,
  tokens,
  eachOnce = false,
  connections = 10,
}: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let last = 0;
  let next = 0;
  const options: autocannon.Options = eachOnce
    ? {
        url,
        connections,
        sampleInt: SAMPLE_MS,
        amount: tokens.length,
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
            }),
          },
        ],
      }
    : {
        url,
        connections,
        sampleInt: SAMPLE_MS,
        duration: seconds,
        headers: { authorization: `Bearer ${tokens[0]}` },
      };
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error);
      const ok = result.statusCodeStats?.['200']?.count ?? 0;
      if (result.errors > 0 || result.non2xx > 0 || ok === 0) {
        const codes = JSON.stringify(result.statusCodeStats ?? {});
        return reject(new Error(`${url}: ${result.errors} errors, status codes ${codes}`));
      }
      // From the first request to the last answer: autocannon notices the end only at its next
      // sample tick, so its own start and finish would round the time up.
      resolve({
        reqPerSec: (ok * 1000) / (last - start),
        p99: percentile(latencies, 99),
        requests: ok,
        latencies,
      });
    });
    instance.on('response', (_client, _status, _bytes, responseTime: number) => {
      latencies.push(responseTime);
      last = performance.now();
    });
  });
}

/** {@link load} against a server process, with the server's CPU time per request. */
export async function loadServer(
  server: ServerProcess,
  options: Omit<LoadOptions, 'url'>,
): Promise<LoadResult> {
  const before = await server.cpuMicros();
  const result = await load({ ...options, url: server.url });
  const used = (await server.cpuMicros()) - before;
  return { ...result, cpuPerRequest: used / result.requests };
}

/** Runs of one server put together: the median run's req/s, p99 of all answers, CPU over all requests. */
export function combineRuns(runs: readonly LoadResult[]): LoadResult {
  const latencies = runs.flatMap((r) => r.latencies);
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const cpu = runs.reduce((n, r) => n + (r.cpuPerRequest ?? Number.NaN) * r.requests, 0);
  return {
    reqPerSec: percentile(
      runs.map((r) => r.reqPerSec),
      50,
    ),
    p99: percentile(latencies, 99),
    requests,
    latencies,
    cpuPerRequest: cpu / requests,
  };
}
