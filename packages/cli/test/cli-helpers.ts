/**
 * Runs the built `lp-auth` (dist/bin.js) as a child process, as a user would, and keeps track of
 * every child so that `afterAll` can kill whatever is left and Jest exits by itself.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Emulator } from '@lp-auth/testing';
import { emulatorEnvironment } from '../src/commands/emulator.js';

export const packageDir = resolve(import.meta.dirname, '..');
export const bin = join(packageDir, 'dist/bin.js');
const children = new Set<ChildProcess>();

function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    }),
  );
}

/**
 * Builds dist/ when a direct Jest run finds it missing or older than src/, so that the tests never
 * run a stale command. Under Nx (`npm test`, `nx run @lp-auth/cli:test`) the test target depends on
 * this package's build and its dependencies', so dist/ is current and left alone: Nx restores a
 * cached dist/ with the mtimes it was built with, older than a fresh clone's src/, and a rebuild here
 * would rewrite files that the other tasks Nx runs alongside may be loading.
 */
export async function ensureBuilt(): Promise<void> {
  if (process.env.NX_TASK_TARGET_PROJECT !== undefined && existsSync(bin)) return;
  if (existsSync(bin) && statSync(bin).mtimeMs >= newestMtime(join(packageDir, 'src'))) return;
  const tsc = resolve(packageDir, '../../node_modules/typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageDir });
}

/** A scratch working directory (no stray ./.env), removed by {@link cleanup}. */
let scratch: string | undefined;
export async function workDir(): Promise<string> {
  scratch ??= await mkdtemp(join(tmpdir(), 'lp-auth-cli-test-'));
  return scratch;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `lp-auth …args` with only `env` (plus PATH) in its environment, in a scratch directory, and
 * resolves when it exits.
 */
export async function lpAuth(
  args: string[],
  env: Record<string, string> = {},
  options: { stdin?: string; cwd?: string } = {},
): Promise<RunResult> {
  const proc = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? (await workDir()),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  proc.stdin!.end(options.stdin ?? '');
  return new Promise((done, fail) => {
    proc.on('error', fail);
    proc.on('close', (code) => {
      children.delete(proc);
      done({ code, stdout, stderr });
    });
  });
}

/** Starts `lp-auth …args` and leaves it running; the caller (or {@link cleanup}) stops it. */
export function lpAuthRunning(
  args: string[],
  env: Record<string, string> = {},
  options: { cwd?: string } = {},
): ChildProcess {
  const proc = spawn(process.execPath, [bin, ...args], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  return proc;
}

/** Adds a child started otherwise (e.g. under `script`) to those {@link cleanup} kills. */
export function track(proc: ChildProcess): ChildProcess {
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  return proc;
}

/** Kills every child still running and removes the scratch directory. */
export async function cleanup(): Promise<void> {
  for (const proc of children) proc.kill('SIGKILL');
  children.clear();
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/**
 * The `LP_*` variables that point the command at `emu`, with every credential: the same lines
 * `lp-auth emulator` prints (its own test checks that doctor accepts what it prints).
 */
export const emulatorEnv = emulatorEnvironment;

/** Every secret value the emulator issued: none of them may appear in `doctor`'s output. */
export function emulatorSecrets(emu: Emulator): string[] {
  const c = emu.credentials;
  return [
    c.appJwt.clientSecret,
    c.orchestratorV1.apiKey,
    c.orchestratorV2.password,
    c.oauth1.consumerSecret,
    c.oauth1.tokenSecret,
    c.oauth1.token,
    c.login.password,
  ];
}
