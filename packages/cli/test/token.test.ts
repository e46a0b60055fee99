import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { cleanup, emulatorEnv, ensureBuilt, lpAuth, workDir } from './cli-helpers.js';

let emu: Emulator;
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  emu = await startEmulator();
  env = emulatorEnv(emu);
}, 120_000);

afterAll(async () => {
  await cleanup();
  await emu.close();
});

/** Whether the emulator's sample APIs accept `token` for `flow` (the real test of a token). */
async function accepted(flow: string, token: string): Promise<number> {
  const account = emu.accountId;
  if (flow === 'appJwt') {
    const res = await fetch(`${emu.url}/api/account/${account}/configuration/le-users/skills`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return res.status;
  }
  if (flow === 'orchestratorV2') {
    const res = await fetch(`${emu.url}/v2/context/document/${account}/ns/s1?access_token=${token}`);
    return res.status;
  }
  const res = await fetch(`${emu.url}/api/account/${account}/agentSession`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  return res.status;
}

describe('lp-auth token', () => {
  test.each([
    ['appJwt', 200],
    ['orchestratorV2', 200],
    ['login', 201],
  ])('%s: prints a fresh token LivePerson accepts (--json)', async (flow, status) => {
    const run = await lpAuth(['token', flow, '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { flow: string; token: string; expiresAt: string };
    expect(out.flow).toBe(flow);
    expect(Date.parse(out.expiresAt)).toBeGreaterThan(Date.now());
    // login: the session must outlive the command, which must not log it out on exit.
    expect(await accepted(flow, out.token)).toBe(status);
  });

  test('plain output is the token alone on stdout, for $(lp-auth token appJwt)', async () => {
    const run = await lpAuth(['token', 'app-jwt'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(run.stderr).toMatch(/appJwt token for account \d+, expires in (59 minutes|1 hour)/);
    expect(await accepted('appJwt', run.stdout.trim())).toBe(200);
  });

  test.each([
    ['orchestratorV1', /static API key.*maven-api-key/],
    ['oauth1', /OAuth 1\.0.*no token/],
  ])('%s has no token: a clear message and exit code 2', async (flow, message) => {
    const run = await lpAuth(['token', flow], env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  test('an unconfigured flow names the variables to set; an unknown one lists the flows', async () => {
    const { LP_ACCOUNT_ID, LP_CSDS_URL } = env;
    const missing = await lpAuth(['token', 'appJwt'], {
      LP_ACCOUNT_ID: LP_ACCOUNT_ID!,
      LP_CSDS_URL: LP_CSDS_URL!,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no appJwt credential is configured: set LP_APP_JWT_CLIENT_ID/);
    const unknown = await lpAuth(['token', 'kerberos'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown flow "kerberos"; use one of appJwt, orchestratorV1/);
    const none = await lpAuth(['token'], env);
    expect(none.code).toBe(2);
  });

  test('a wrong secret exits 1 with core’s message, and the secret is not printed', async () => {
    const wrong = 'not-the-right-secret-0123456789';
    const run = await lpAuth(['token', 'appJwt'], { ...env, LP_APP_JWT_CLIENT_SECRET: wrong });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/rejected the configured credentials.*\[credentials_rejected\]/);
    expect(run.stdout + run.stderr).not.toContain(wrong);
  });

  test('reads --dotenv; variables already set win over the file; --account wins over both', async () => {
    const dir = await workDir();
    const file = join(dir, 'lp.env');
    const lines = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    await writeFile(file, [...lines, 'LP_ACCOUNT_ID=99999999', '# a comment', ''].join('\n'));
    const fromFile = await lpAuth(['token', 'appJwt', '--json', '--dotenv', file], {
      LP_ACCOUNT_ID: emu.accountId,
    });
    expect(fromFile.code).toBe(0);
    const wrongAccount = await lpAuth(['token', 'appJwt', '--dotenv', file, '--account', '11111111']);
    expect(wrongAccount.code).toBe(1);
    expect(wrongAccount.stderr).toMatch(/11111111/);
    // Unlike "--env-file", Node leaves "--dotenv" alone, so a missing file is lp-auth's own exit 2.
    const missing = await lpAuth(['token', 'appJwt', '--dotenv', join(dir, 'nope.env')]);
    // One expectation, so that a wrong exit code shows what the command printed.
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(
        /cannot read the env file .*nope\.env \(ENOENT\)\. Check the path given to --dotenv/,
      ),
    });
  });

  test('the old --env-file spelling is refused with a pointer to --dotenv (exit 2)', async () => {
    // An existing file: Node 20 would stop with exit 9 at a missing one before lp-auth runs.
    const file = join(await workDir(), 'old.env');
    await writeFile(
      file,
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    const run = await lpAuth(['token', 'appJwt', '--env-file', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/unknown option '--env-file'\. It is now --dotenv \(Node 20 reads/);
  });

  test('an empty env file is named as the problem, not the first missing variable (exit 2)', async () => {
    const file = join(await workDir(), 'empty.env');
    await writeFile(file, '');
    const run = await lpAuth(['token', 'appJwt', '--dotenv', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/empty\.env is empty: it defines no LP_\* variable.*--write-env/);
    expect(run.stderr).not.toMatch(/no appJwt credential|accountId/);
    // Next to a complete environment the empty file is harmless.
    const complete = await lpAuth(['token', 'appJwt', '--dotenv', file], env);
    expect(complete.code).toBe(0);
  });

  test('reads ./.env by default', async () => {
    const dir = await workDir();
    await writeFile(
      join(dir, '.env'),
      Object.entries(env)
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n'),
    );
    try {
      const run = await lpAuth(['token', 'orchestratorV2'], {}, { cwd: dir });
      expect(run.code).toBe(0);
      expect(run.stdout.trim().split('.')).toHaveLength(3);
    } finally {
      await rm(join(dir, '.env'));
    }
  });
});
