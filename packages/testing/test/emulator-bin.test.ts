import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';

const packageDir = resolve(import.meta.dirname, '..');
const tsc = resolve(packageDir, '../../node_modules/typescript/bin/tsc');
let outDir: string;
let child: ChildProcess | undefined;

// The command is built from the sources into a temporary folder, so the test never runs a stale dist/.
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'lp-auth-emulator-bin-'));
  await promisify(execFile)(
    process.execPath,
    [
      tsc,
      '-p',
      'tsconfig.build.json',
      '--outDir',
      outDir,
      '--declaration',
      'false',
      '--declarationMap',
      'false',
      '--sourceMap',
      'false',
      // tsconfig.build.json inlines sources into its maps; without maps there is nothing to inline.
      '--inlineSources',
      'false',
    ],
    { cwd: packageDir },
  );
}, 120_000);

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

afterAll(() => rm(outDir, { recursive: true, force: true }));

/** Starts the command and resolves with its `LP_*` lines once it says it is ready. */
function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ vars: Record<string, string>; out: () => string }> {
  const proc = spawn(process.execPath, [join(outDir, 'bin/emulator.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let out = '';
  return new Promise((resolvePromise, reject) => {
    proc.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('Ctrl+C')) return;
      const vars = Object.fromEntries(
        out
          .split('\n')
          .filter((line) => line.startsWith('LP_'))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      resolvePromise({ vars, out: () => out });
    });
  });
}

const exited = (proc: ChildProcess) =>
  new Promise<{ code: number | null; signal: string | null }>((done) =>
    proc.once('exit', (code, signal) => done({ code, signal })),
  );

describe('lp-auth-emulator command', () => {
  test('prints working LP_* lines, takes LP_EMULATOR_PORT, and stops cleanly on SIGTERM', async () => {
    const freePort = () =>
      import('node:net').then(
        ({ createServer }) =>
          new Promise<number>((done) => {
            const s = createServer().listen(0, '127.0.0.1', () => {
              const port = (s.address() as { port: number }).port;
              s.close(() => done(port));
            });
          }),
      );
    // A port free a moment ago may be taken (by another test's listen(0)) before the command binds
    // it: the command then exits with EADDRINUSE, and another free port is tried.
    let probe = 0;
    let vars: Record<string, string> | undefined;
    for (let attempt = 1; !vars; attempt++) {
      probe = await freePort();
      try {
        ({ vars } = await run([], { LP_EMULATOR_PORT: String(probe) }));
      } catch (error) {
        if (attempt >= 5 || !String(error).includes('EADDRINUSE')) throw error;
      }
    }
    expect(Object.keys(vars).sort()).toEqual(
      [
        'LP_ACCOUNT_ID',
        'LP_CSDS_URL',
        'LP_APP_JWT_CLIENT_ID',
        'LP_APP_JWT_CLIENT_SECRET',
        'LP_ORCHESTRATOR_API_KEY',
        'LP_ORCHESTRATOR_USERNAME',
        'LP_ORCHESTRATOR_PASSWORD',
        'LP_DOMAINS',
      ].sort(),
    );
    const url = `http://127.0.0.1:${probe}`;
    expect(vars.LP_CSDS_URL).toBe(url);
    expect(vars.LP_DOMAINS).toBe(
      `orchestratorContext=${url},orchestratorCcs=${url},orchestratorAskMaven=${url}`,
    );
    const token = await fetch(`${url}/sentinel/api/account/${vars.LP_ACCOUNT_ID}/app/token?v=1.0`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: vars.LP_APP_JWT_CLIENT_ID!,
        client_secret: vars.LP_APP_JWT_CLIENT_SECRET!,
        grant_type: 'client_credentials',
      }),
    });
    expect(token.status).toBe(200);
    const proc = child!;
    const done = exited(proc);
    proc.kill('SIGTERM');
    expect(await done).toEqual({ code: 0, signal: null });
  });

  test('--port wins; SIGINT stops it with exit code 0', async () => {
    const { vars } = await run(['--port', '0']);
    expect(vars.LP_CSDS_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const proc = child!;
    const done = exited(proc);
    proc.kill('SIGINT');
    expect(await done).toEqual({ code: 0, signal: null });
  });

  test('an invalid port is an error that names it', async () => {
    await expect(run(['--port', 'eighty'])).rejects.toThrow(/invalid port "eighty"/);
  });
});
