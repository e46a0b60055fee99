import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { closedPort, sleep, type AdminClient } from './helpers.js';

/**
 * A `redis-server` of the test's own on a free loopback port, so that a test can stall it for
 * real (`DEBUG SLEEP`, SIGSTOP) without touching the shared Redis other tests use. Nothing is
 * persisted; DEBUG is enabled on this server only.
 */
export class RedisChild {
  readonly #process: ChildProcess;
  readonly #dir: string;
  readonly port: number;
  #paused = false;

  private constructor(child: ChildProcess, port: number, dir: string) {
    this.#process = child;
    this.port = port;
    this.#dir = dir;
  }

  /** Starts one and waits until it answers PING; `undefined` (with a notice) when there is no redis-server. */
  static async start(suite: string): Promise<RedisChild | undefined> {
    const port = await closedPort();
    const dir = await mkdtemp(join(tmpdir(), 'lp-auth-redis-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--enable-debug-command', 'yes'];
    args.push('--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning');
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    const spawned = await Promise.race([
      once(child, 'spawn').then(() => true),
      once(child, 'error').then(() => false),
    ]);
    if (!spawned) {
      await rm(dir, { recursive: true, force: true });
      if (process.env.CI) throw new Error(`${suite}: redis-server is required under CI but is not installed`);
      process.stderr.write(`[skip] ${suite}: no redis-server on PATH to start a Redis of the test's own\n`);
      return undefined;
    }
    const server = new RedisChild(child, port, dir);
    for (let attempt = 0; ; attempt++) {
      const probe = await server.connect().catch(() => undefined);
      if (probe) {
        probe.destroy();
        return server;
      }
      if (attempt > 100) {
        await server.stop();
        throw new Error(`${suite}: redis-server on port ${port} did not start`);
      }
      await sleep(50);
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** A plain client of this server (no reconnection), for the test's own reads and DEBUG SLEEP. */
  async connect(): Promise<AdminClient> {
    const client = createClient({ url: this.url, socket: { reconnectStrategy: false } });
    client.on('error', () => {});
    await client.connect();
    return client;
  }

  /** SIGSTOP: the server keeps its connections (the kernel still accepts bytes) but answers nothing. */
  pause(): void {
    this.#paused = true;
    this.#process.kill('SIGSTOP');
  }

  /** SIGCONT: the server answers again, starting with what queued up meanwhile. */
  resume(): void {
    this.#paused = false;
    this.#process.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      const exited = once(this.#process, 'exit');
      // A stopped process acts on SIGTERM only once continued.
      if (this.#paused) this.resume();
      this.#process.kill('SIGTERM');
      await exited;
    }
    await rm(this.#dir, { recursive: true, force: true });
  }
}
