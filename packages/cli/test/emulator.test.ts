import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cleanup, ensureBuilt, lpAuth, lpAuthRunning } from './cli-helpers.js';

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

  test('a bad --port or --account is a usage error (exit 2)', async () => {
    const port = await lpAuth(['emulator', '--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/invalid --port "eighty"/);
    const account = await lpAuth(['emulator', '--account', 'no spaces!']);
    expect(account.code).toBe(2);
    expect(account.stderr).toMatch(/accountId must be/);
  });
});
