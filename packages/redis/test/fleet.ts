import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const PACKAGES = join(import.meta.dirname, '..', '..');

/** Newest modification time under `dir` (recursively), in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Worker processes run the built packages. Under Nx (`npm test`, `nx run @lp-auth/redis:test`) the
 * test target depends on this package's build and core's, so each `dist` is current and is never
 * rebuilt here: Nx restores a cached `dist` with the mtimes it was built with (older than a fresh
 * clone's sources), and rewriting core's `dist` would break the other tasks Nx runs alongside, which
 * load it. A direct Jest run may find a `dist` older than its sources: those are rebuilt (one line on
 * stderr says so).
 */
export function ensureBuilt(...packages: string[]): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const underNx = process.env.NX_TASK_TARGET_PROJECT !== undefined;
  for (const name of packages) {
    const dir = join(PACKAGES, name);
    const entry = join(dir, 'dist', 'index.js');
    if (underNx && existsSync(entry)) continue;
    if (existsSync(entry) && statSync(entry).mtimeMs >= newest(join(dir, 'src'))) continue;
    process.stderr.write(`[fleet] building packages/${name} (dist is older than src)\n`);
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'pipe' });
    } catch (error) {
      // tsc still emits on type errors; a missing entry is the failure that matters.
      if (!existsSync(entry)) throw error;
    }
  }
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/** A worker process of the fleet (test/fleet-worker.mjs) and its IPC orders. */
export class FleetWorker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #stderr = '';

  constructor(readonly index: number) {
    // No execArgv: Jest's flags (--experimental-vm-modules) are not the worker's business.
    this.child = fork(join(import.meta.dirname, 'fleet-worker.mjs'), [], {
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.child.once('message', () => resolve());
      this.child.once('exit', (code) =>
        reject(new Error(`worker ${index} exited (${code}) before ready: ${this.#stderr}`)),
      );
    });
    this.exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.on('message', (message: { id?: number; error?: string }) => {
      const pending = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id!);
      if (message.error !== undefined) pending.reject(new Error(`worker ${index}: ${message.error}`));
      else pending.resolve(message as Record<string, unknown>);
    });
    this.child.on('exit', (code, signal) => {
      for (const pending of this.#pending.values()) {
        pending.reject(new Error(`worker ${index} exited (${signal ?? code}) ${this.#stderr}`));
      }
      this.#pending.clear();
    });
  }

  /** Sends an order and resolves the worker's answer. */
  call<T = Record<string, unknown>>(type: string, fields: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as Pending['resolve'], reject });
      this.child.send({ ...fields, type, id });
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Lets the worker go (it exits on disconnect); SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface BurstResult {
  ok: number;
  failed: number;
  firstError?: string;
}

export interface PeekResult {
  issuedAt?: number;
  refreshAt?: number;
  expiresAt?: number;
  fingerprint?: string;
  warnings?: number;
}
