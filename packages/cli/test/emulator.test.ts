import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cleanup, ensureBuilt, lpAuth, lpAuthRunning, workDir } from './cli-helpers.js';

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanup());

/** Resolves with everything the command printed once `ready` matches its stdout. */
function readUntil(proc: ChildProcess, ready: RegExp): Promise<string> {
  let out = '';
  let err = '';
  return new Promise((done, fail) => {
    proc.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('exit', (code) => fail(new Error(`exited with ${code}: ${out}${err}`)));
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (ready.test(out)) done(out);
    });
  });
}

const exited = (proc: ChildProcess) =>
  new Promise<{ code: number | null; signal: string | null }>((done) =>
    proc.once('exit', (code, signal) => done({ code, signal })),
  );

describe('lp-auth emulator', () => {
  test('prints LP_* lines that doctor accepts, then stops on SIGTERM with exit 0', async () => {
    const proc = lpAuthRunning(['emulator', '--account', '12345678']);
    const out = await readUntil(proc, /Ctrl\+C to stop/);
    const env = Object.fromEntries(
      out
        .split('\n')
        .filter((line) => line.startsWith('LP_'))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(env.LP_ACCOUNT_ID).toBe('12345678');
    expect(env.LP_CSDS_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const doctor = await lpAuth(['doctor', '--json'], env);
    expect(doctor.code).toBe(0);
    const checks = (JSON.parse(doctor.stdout) as { checks: { check: string; status: string }[] }).checks;
    expect(checks.map((c) => c.check)).toEqual(
      expect.arrayContaining(['csds', 'appJwt', 'orchestratorV1', 'orchestratorV2', 'oauth1', 'login']),
    );
    expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
    const token = await lpAuth(['token', 'appJwt'], env);
    expect(token.code).toBe(0);
    const done = exited(proc);
    proc.kill('SIGTERM');
    expect(await done).toEqual({ code: 0, signal: null });
  });

  test('--json prints one line; --port is honoured; SIGINT stops it', async () => {
    const proc = lpAuthRunning(['emulator', '--json', '--port', '0']);
    const line = await readUntil(proc, /\n/);
    const out = JSON.parse(line) as { url: string; accountId: string; env: Record<string, string> };
    expect(out.env.LP_CSDS_URL).toBe(out.url);
    expect(out.env.LP_ACCOUNT_ID).toBe(out.accountId);
    const done = exited(proc);
    proc.kill('SIGINT');
    expect(await done).toEqual({ code: 0, signal: null });
  });

  test('--write-env replaces the file whole before the banner; the banner holds no secret; doctor reads it', async () => {
    const dir = join(await workDir(), 'write-env');
    await mkdir(dir);
    const file = join(dir, '.env');
    await writeFile(file, 'LP_ACCOUNT_ID=1\n');
    const before = await stat(file);
    const proc = lpAuthRunning(
      ['emulator', '--write-env', '.env', '--account', '23456789'],
      {},
      { cwd: dir },
    );
    const banner = await readUntil(proc, /Ctrl\+C to stop/);
    expect(banner).toContain(`Wrote its LP_* variables to ${file}`);
    // The terminal gets the banner only: the credentials are in the file, not on the screen.
    expect(banner).not.toMatch(/^LP_/m);
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/^LP_ACCOUNT_ID=23456789\n/);
    expect(text).toMatch(/\nLP_LOGIN_PASSWORD=.+\n$/);
    const after = await stat(file);
    // A new file renamed over the old one (not the old one emptied and refilled), owner-only,
    // and no temporary file left beside it.
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['.env']);
    const doctor = await lpAuth(['doctor', '--json'], {}, { cwd: dir });
    expect(doctor.code).toBe(0);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: true });
    const done = exited(proc);
    proc.kill('SIGTERM');
    expect(await done).toEqual({ code: 0, signal: null });
  });

  test('--write-env into a directory that does not exist: exit 2, nothing left running', async () => {
    const run = await lpAuth(['emulator', '--write-env', 'no/such/dir/.env']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot write .*no\/such\/dir\/\.env \(ENOENT\)/);
  });

  test('a bad --port or --account is a usage error (exit 2)', async () => {
    const port = await lpAuth(['emulator', '--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/invalid --port "eighty"/);
    const account = await lpAuth(['emulator', '--account', 'no spaces!']);
    expect(account.code).toBe(2);
    expect(account.stderr).toMatch(/accountId must be/);
  });
});
