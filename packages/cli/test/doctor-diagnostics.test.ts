/**
 * What `doctor` (and `token`) show when things go wrong in ways a person would otherwise have to
 * guess at: an empty env file, a refused connection, a CSDS that hangs, a narrow terminal.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import {
  bin,
  cleanup,
  emulatorEnv,
  ensureBuilt,
  lpAuth,
  lpAuthRunning,
  track,
  workDir,
} from './cli-helpers.js';

let emu: Emulator;
let env: Record<string, string>;
const servers: Server[] = [];

beforeAll(async () => {
  await ensureBuilt();
  emu = await startEmulator();
  env = emulatorEnv(emu);
}, 120_000);

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

afterAll(async () => {
  await cleanup();
  await emu.close();
});

/** A server of the test's own on 127.0.0.1, closed after the test. */
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

/** Resolves when `predicate` holds, checked on each event; rejects after `ms` (a generous bound). */
function waitFor(subscribe: (check: () => void) => void, predicate: () => boolean, ms: number, what: string) {
  return new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`waited ${ms} ms for ${what}`)), ms);
    const check = () => {
      if (!predicate()) return;
      clearTimeout(timer);
      done();
    };
    subscribe(check);
    check();
  });
}

describe('lp-auth doctor diagnostics', () => {
  test('an empty ./.env is named as the problem (exit 2), not the first missing variable', async () => {
    const dir = join(await workDir(), 'empty-env');
    await mkdir(dir);
    await writeFile(join(dir, '.env'), '');
    const run = await lpAuth(['doctor'], {}, { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /\noptions\s+FAIL: \S+\.env is empty: it defines no LP_\* variable\s+Fill it, or let the emulator write it whole: "lp-auth emulator --write-env \.env"/,
    );
    expect(run.stdout).not.toMatch(/accountId/);
    const json = JSON.parse((await lpAuth(['doctor', '--json'], {}, { cwd: dir })).stdout) as {
      checks: { check: string; status: string; result: string }[];
    };
    expect(json.checks).toEqual([
      expect.objectContaining({
        check: 'options',
        status: 'fail',
        result: expect.stringMatching(/is empty/),
      }),
    ]);
  });

  test('a refused connection names its cause (ECONNREFUSED and the address), not just "fetch failed"', async () => {
    // A port that refuses for the whole test: below 1024, so no other test's listen(0) is handed it
    // (a port listened on and closed here was, in between, free for any), and not one of fetch's
    // "bad ports" (1 is), which fetch refuses without dialling.
    const port = 2;
    const refused = { ...env, LP_CSDS_URL: `http://127.0.0.1:${port}` };
    const doctor = await lpAuth(['doctor'], refused);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(new RegExp(`\\ncsds\\s+FAIL: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
    const token = await lpAuth(['token', 'appJwt'], refused);
    expect(token.code).toBe(1);
    expect(token.stderr).toMatch(new RegExp(`^lp-auth token: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
  });

  test('a hanging CSDS: the step is announced on stderr while CSDS still has not answered', async () => {
    let held: ServerResponse | undefined;
    let answered = false;
    const csds = await listen((_req, res) => {
      if (answered) res.writeHead(503).end();
      else held = res;
    });
    // A timeout far beyond the test's own bound: only the test's release ends the wait.
    const proc = lpAuthRunning(
      ['doctor'],
      { ...env, LP_CSDS_URL: `http://127.0.0.1:${portOf(csds)}`, LP_HTTP_TIMEOUT_MS: '120000' },
      { cwd: await workDir() },
    );
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => proc.on('close', done));
    await waitFor(
      (check) => {
        proc.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          check();
        });
        csds.on('request', () => setImmediate(check));
      },
      () =>
        held !== undefined &&
        /… checking CSDS: asking http:\/\/127\.0\.0\.1:\d+ for account \d+\n/.test(stderr),
      20_000,
      'the progress line while CSDS holds the request',
    );
    expect(stdout).toBe('');
    answered = true;
    held!.writeHead(503).end();
    expect(await exited).toBe(1);
    expect(stdout).toMatch(/\ncsds\s+FAIL: .*CSDS answered 503/);
  }, 60_000);

  test('$COLUMNS: the table wraps to that width (80) and loses no word of a fix', async () => {
    const run = await lpAuth(['doctor', '--account', '11111111'], { ...env, COLUMNS: '80' });
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    // The FIX column starts where the rule's third dash run does; the csds row spans lines until the next check.
    const fixAt = lines[1]!.lastIndexOf(' ') + 1;
    const start = lines.findIndex((line) => line.startsWith('csds '));
    const end = lines.findIndex((line, i) => i > start && /^\S/.test(line));
    const fix = lines
      .slice(start, end)
      .map((line) => line.slice(fixAt).trim())
      .filter(Boolean)
      .join(' ');
    expect(fix).toBe(
      `Check LP_ACCOUNT_ID (or --account): 11111111 is not an account CSDS at ${emu.url} knows.`,
    );
  });

  // `script` (util-linux) gives the command a real terminal, where process.stdout.columns is set.
  const script = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));
  (script ? test : test.skip)(
    'in a terminal the table fits its width',
    async () => {
      const proc = track(
        spawn(script!, ['-qec', `stty cols 50; exec "${process.execPath}" "${bin}" doctor`, '/dev/null'], {
          cwd: await workDir(),
          env: { PATH: process.env.PATH ?? '', ...env },
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
      );
      let out = '';
      proc.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const code = await new Promise<number | null>((done) => proc.on('close', done));
      expect(code).toBe(0);
      // The spinner (stderr, the same terminal) erases its line before the table is printed.
      const table = out.split('\x1b[2K').at(-1)!.replaceAll('\r\n', '\n');
      expect(table).toMatch(/^CHECK\s+RESULT\s+FIX\n/);
      expect(table).toMatch(/All checks passed\.\n$/);
      for (const line of table.split('\n')) expect(line.length).toBeLessThanOrEqual(50);
    },
    60_000,
  );
});
