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

  /**
   * Starts one and waits until it answers; `undefined` (with a notice) when there is no redis-server.
   * The port is one the kernel handed out and we released: another test may take it before
   * redis-server binds it. Then redis-server exits ("Address already in use") and a probe would reach
   * the other listener, so a probe counts only when the server answering is this child (its
   * `process_id`), and a child that exited is started again on another port.
   */
  static async start(suite: string): Promise<RedisChild | undefined> {
    const dir = await mkdtemp(join(tmpdir(), 'lp-auth-redis-'));
    for (let attempt = 1; ; attempt++) {
      const port = await closedPort();
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--enable-debug-command', 'yes'];
      args.push('--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning');
      const child = spawn('redis-server', args, { stdio: 'ignore' });
      const spawned = await Promise.race([
        once(child, 'spawn').then(() => true),
        once(child, 'error').then(() => false),
      ]);
      if (!spawned) {
        await rm(dir, { recursive: true, force: true });
        if (process.env.CI)
          throw new Error(`${suite}: redis-server is required under CI but is not installed`);
        process.stderr.write(`[skip] ${suite}: no redis-server on PATH to start a Redis of the test's own\n`);
        return undefined;
      }
      const server = new RedisChild(child, port, dir);
      if (await server.#answers()) return server;
      const exited = child.exitCode !== null || child.signalCode !== null;
      await server.#end();
      if (!exited || attempt >= 5) {
        await rm(dir, { recursive: true, force: true });
        throw new Error(`${suite}: redis-server on port ${port} did not start (attempt ${attempt})`);
      }
      // The port was taken between closedPort() and redis-server's bind: try another one.
    }
  }

  /** Waits until this child answers on its port; false once it has exited, or after about 5 s. */
  async #answers(): Promise<boolean> {
    for (let i = 0; i <= 100; i++) {
      if (this.#process.exitCode !== null || this.#process.signalCode !== null) return false;
      if ((await this.#answeringPid()) === this.#process.pid) return true;
      await sleep(50);
    }
    return false;
  }

  /** The `process_id` of the Redis answering on this port; undefined if none answers within a second. */
  async #answeringPid(): Promise<number | undefined> {
    const client = createClient({
      url: this.url,
      socket: { reconnectStrategy: false, connectTimeout: 1000 },
    });
    client.on('error', () => {});
    // Another kind of server on the port may never answer: give up on it after a second.
    let timer: NodeJS.Timeout | undefined;
    const info = await Promise.race([
      client
        .connect()
        .then(() => client.sendCommand(['INFO', 'server']))
        .catch(() => ''),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve(''), 1000))),
    ]);
    clearTimeout(timer);
    if (client.isOpen) client.destroy();
    const pid = String(info).match(/^process_id:(\d+)/m)?.[1];
    return pid === undefined ? undefined : Number(pid);
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
    await this.#end();
    await rm(this.#dir, { recursive: true, force: true });
  }

  /** Ends the redis-server process (if it still runs) and waits for its exit. */
  async #end(): Promise<void> {
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      const exited = once(this.#process, 'exit');
      // A stopped process acts on SIGTERM only once continued.
      if (this.#paused) this.resume();
      this.#process.kill('SIGTERM');
      await exited;
    }
  }
}
