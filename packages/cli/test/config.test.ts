import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadEnvironment, optionsFromFlags, parseFlow } from '../src/config.js';
import { secretScrubber } from '../src/io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lp-auth-cli-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('configuration', () => {
  test('the env file fills in; the environment wins; --account wins over both', async () => {
    await writeFile(join(dir, '.env'), 'LP_ACCOUNT_ID=111\nLP_CSDS_URL="http://127.0.0.1:1"\n# comment\n');
    const { env, envFile } = await loadEnvironment({}, { LP_ACCOUNT_ID: '222', OTHER: undefined }, dir);
    expect(envFile).toBe(join(dir, '.env'));
    expect(env).toMatchObject({ LP_ACCOUNT_ID: '222', LP_CSDS_URL: 'http://127.0.0.1:1' });
    expect(optionsFromFlags({}, env).accountId).toBe('222');
    expect(optionsFromFlags({ account: '333' }, env).accountId).toBe('333');
  });

  test('no ./.env is fine; a missing --dotenv file is a usage error (exit 2) naming the path', async () => {
    const empty = await mkdtemp(join(dir, 'empty-'));
    await expect(loadEnvironment({}, { A: '1' }, empty)).resolves.toEqual({ env: { A: '1' } });
    await expect(loadEnvironment({ envFile: 'missing.env' }, {}, empty)).rejects.toMatchObject({
      code: 'env_file_unreadable',
      exitCode: 2,
      message: expect.stringContaining(join(empty, 'missing.env')),
    });
  });

  test('flows match without regard to case or dashes', () => {
    expect(parseFlow('app-jwt')).toBe('appJwt');
    expect(parseFlow('ORCHESTRATORV2')).toBe('orchestratorV2');
    expect(parseFlow('kerberos')).toBeUndefined();
  });

  test('the scrubber hides every configured secret, longest first, and leaves short values alone', () => {
    const scrub = secretScrubber({
      LP_APP_JWT_CLIENT_SECRET: 'abcdef123456',
      LP_LOGIN_PASSWORD: 'abc',
      LP_ACCOUNT_ID: '123456',
    });
    expect(scrub('secret abcdef123456, account 123456, abc')).toBe('secret [REDACTED], account 123456, abc');
  });
});
