import { execFileSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

/** The CPU the load generator (this process) runs on, and the one every server runs on. */
export const LOAD_CPU = 0;
export const SERVER_CPU = 1;

let available: boolean | undefined;

/**
 * Whether servers and the load generator can each be pinned to a CPU of their own: two CPUs or
 * more and `taskset` (util-linux) present, unless `BENCH_NO_PIN` is set. Pinned, a server's
 * libuv threadpool stays on its CPU too, so a peer that verifies in the threadpool (jose's WebCrypto)
 * cannot borrow the load generator's core, and every server gets the same one core.
 */
export function pinningAvailable(): boolean {
  available ??=
    !process.env.BENCH_NO_PIN &&
    cpus().length >= 2 &&
    spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  return available;
}

/** Pins this process (every thread of it) to `cpu`; false when pinning is not available. */
export function pinSelf(cpu: number): boolean {
  if (!pinningAvailable()) return false;
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
  return true;
}

/** Lets this process run on every CPU again. */
export function unpinSelf(): void {
  if (!pinningAvailable()) return;
  const all = `0-${cpus().length - 1}`;
  execFileSync('taskset', ['-a', '-p', '-c', all, String(process.pid)], { stdio: 'ignore' });
}
