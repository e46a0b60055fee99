import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { cleanup, emulatorEnv, emulatorSecrets, ensureBuilt, lpAuth } from './cli-helpers.js';

interface DoctorJson {
  ok: boolean;
  checks: { check: string; status: string; result: string; fix: string | null }[];
  warnings: string[];
}

let emu: Emulator;
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  emu = await startEmulator();
  env = emulatorEnv(emu);
}, 120_000);

afterEach(() => emu.faults.clear());

afterAll(async () => {
  await cleanup();
  await emu.close();
});

const statuses = (out: DoctorJson) => Object.fromEntries(out.checks.map((c) => [c.check, c.status]));

/** Neither secrets nor spinner frames (stderr is a pipe here, not a terminal). */
function expectClean(text: string): void {
  for (const secret of emulatorSecrets(emu)) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|\r/);
}

describe('lp-auth doctor', () => {
  test('all green against the emulator: options, csds, every credential, clock, consumer jwks', async () => {
    const run = await lpAuth(['doctor', '--json'], {
      ...env,
      LP_CONSUMER_JWKS_URI: `${emu.url}/sentinel/well-known/jwks`,
    });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as DoctorJson;
    expect(out.ok).toBe(true);
    expect(statuses(out)).toEqual({
      options: 'ok',
      csds: 'ok',
      appJwt: 'ok',
      orchestratorV1: 'ok',
      orchestratorV2: 'ok',
      oauth1: 'ok',
      login: 'ok',
      clock: 'ok',
      'consumer jwks': 'ok',
    });
    expect(out.checks.find((c) => c.check === 'appJwt')!.result).toMatch(
      /token obtained, expires in (59 minutes|1 hour)/,
    );
    // The OAuth 1.0 deprecation warning is collected, not printed through the report.
    expect(out.warnings.join('\n')).toMatch(/OAuth 1\.0/);
    // The login check logged out again.
    expect(emu.loginSessions.count()).toBe(0);
    expectClean(run.stdout + run.stderr);
  });

  test('the table: one line per check in a pipe, a closing verdict; stderr says each step, no spinner', async () => {
    const run = await lpAuth(['doctor'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^CHECK\s+RESULT\s+FIX\n/);
    expect(run.stdout).toMatch(/\ncsds\s+ok: \d+ services resolved from http:\/\/127\.0\.0\.1:\d+\n/);
    // Not a terminal: no width to fit, so each check stays on one line, however long.
    expect(run.stdout).toMatch(
      /\noptions\s+ok: account \d+, credentials: appJwt, .*login, from the environment\n/,
    );
    expect(run.stdout).toMatch(/All checks passed\.\n$/);
    expect(run.stderr.split('\n')).toEqual([
      expect.stringMatching(/^… checking CSDS: asking http:\/\/127\.0\.0\.1:\d+ for account \d+$/),
      '… checking the appJwt credential',
      '… checking the orchestratorV1 credential',
      '… checking the orchestratorV2 credential',
      '… checking the oauth1 credential',
      '… checking the login credential',
      '… closing (logging out of sessions)',
      '',
    ]);
    expectClean(run.stdout + run.stderr);
  });

  test('--json: every check has the same keys, fix null when there is nothing to fix', async () => {
    const run = await lpAuth(['doctor', '--json', '--account', '11111111'], env);
    const out = JSON.parse(run.stdout) as DoctorJson;
    for (const check of out.checks) expect(Object.keys(check)).toEqual(['check', 'status', 'result', 'fix']);
    const fixes = Object.fromEntries(out.checks.map((c) => [c.check, c.fix]));
    expect(fixes.options).toBeNull();
    expect(fixes.csds).toMatch(/Check LP_ACCOUNT_ID/);
  });

  test('a wrong client secret: the appJwt check fails with a fix, exit 1, the secret appears nowhere', async () => {
    const wrong = 'f00dfeedf00dfeedf00dfeedf00dfeed';
    const run = await lpAuth(['doctor'], { ...env, LP_APP_JWT_CLIENT_SECRET: wrong });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /\nappJwt\s+FAIL: LivePerson rejected the credentials \(401\)\s+Check LP_APP_JWT_CLIENT_ID and LP_APP_JWT_CLIENT_SECRET/,
    );
    expect(run.stdout).toMatch(/1 check failed\.\n$/);
    expect(run.stdout + run.stderr).not.toContain(wrong);
    expectClean(run.stdout + run.stderr);
    const json = await lpAuth(['doctor', '--json'], { ...env, LP_APP_JWT_CLIENT_SECRET: wrong });
    const out = JSON.parse(json.stdout) as DoctorJson;
    expect(out.ok).toBe(false);
    expect(statuses(out)).toMatchObject({ csds: 'ok', appJwt: 'fail', orchestratorV2: 'ok' });
    expect(json.stdout).not.toContain(wrong);
  });

  test('CSDS down: the csds check fails with a fix, flows that need it are skipped, exit 1', async () => {
    emu.faults.inject('csds.all', { status: 503, times: Infinity });
    const run = await lpAuth(['doctor', '--json'], env);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as DoctorJson;
    const csds = out.checks.find((c) => c.check === 'csds')!;
    expect(csds).toMatchObject({ status: 'fail', result: expect.stringMatching(/CSDS answered 503/) });
    expect(csds.fix).toMatch(/LP_CSDS_URL, now http:\/\/127\.0\.0\.1:\d+/);
    // appJwt finds Sentinel through CSDS; the Orchestrator hosts come from LP_DOMAINS and still work.
    expect(statuses(out)).toMatchObject({
      appJwt: 'skip',
      oauth1: 'skip',
      login: 'skip',
      orchestratorV2: 'ok',
    });
    expectClean(run.stdout + run.stderr);
  });

  test('a wrong account: CSDS does not know it, and the fix says to check LP_ACCOUNT_ID', async () => {
    const run = await lpAuth(['doctor', '--account', '11111111'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/csds\s+FAIL: CSDS does not know account 11111111\s+Check LP_ACCOUNT_ID/);
  });

  test('a clock more than 30 s off LivePerson’s is a warning (exit 0) with a fix', async () => {
    const skewed = new Date(Date.now() - 5 * 60_000).toUTCString();
    const { baseURIs } = (await (
      await fetch(`${emu.url}/api/account/${emu.accountId}/service/baseURI.json?version=1.0`)
    ).json()) as { baseURIs: unknown[] };
    emu.faults.inject('csds.all', { status: 200, body: { baseURIs }, headers: { date: skewed } });
    const run = await lpAuth(['doctor', '--json'], {
      LP_ACCOUNT_ID: env.LP_ACCOUNT_ID!,
      LP_CSDS_URL: emu.url,
    });
    expect(run.code).toBe(0);
    const clock = (JSON.parse(run.stdout) as DoctorJson).checks.find((c) => c.check === 'clock')!;
    expect(clock).toMatchObject({
      status: 'warn',
      result: expect.stringMatching(/clock is [45] minutes ahead of LivePerson's clock/),
    });
    expect(clock.fix).toMatch(/NTP/);
  });

  test('a consumer JWKS URL that is not a JWKS fails with a fix', async () => {
    const run = await lpAuth(['doctor', '--json'], {
      ...env,
      LP_CONSUMER_JWKS_URI: `${emu.url}/api/account/${emu.accountId}/service/baseURI.json?version=1.0`,
    });
    expect(run.code).toBe(1);
    const jwks = (JSON.parse(run.stdout) as DoctorJson).checks.find((c) => c.check === 'consumer jwks')!;
    expect(jwks).toMatchObject({ status: 'fail', result: expect.stringMatching(/not a JWKS/) });
    expect(jwks.fix).toMatch(/LP_CONSUMER_JWKS_URI/);
  });

  test('invalid configuration is exit 2, with the field named and no secret shown', async () => {
    const { LP_ACCOUNT_ID: _, ...noAccount } = env;
    const run = await lpAuth(['doctor'], noAccount);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /options\s+FAIL: Invalid @lp-auth option "accountId": is required.*Fix accountId/,
    );
    expectClean(run.stdout + run.stderr);
    const badFlag = await lpAuth(['doctor', '--acount', '1'], env);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stdout).toBe('');
    expect(badFlag.stderr).toBe(
      `lp-auth doctor: unknown option '--acount'. Did you mean --account? See "lp-auth doctor --help".\n`,
    );
  });
});
