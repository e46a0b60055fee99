import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cleanup, ensureBuilt, lpAuth } from './cli-helpers.js';

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanup());

describe('lp-auth', () => {
  test('--help lists the commands; no command is a usage error', async () => {
    const help = await lpAuth(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['token', 'doctor', 'decode', 'emulator'])
      expect(help.stdout).toMatch(new RegExp(`\\n {2}${name}\\s`));
    const none = await lpAuth([]);
    expect(none.code).toBe(2);
  });

  test.each(['token', 'doctor', 'decode', 'emulator'])(
    '%s --help shows its usage and exit codes',
    async (name) => {
      const run = await lpAuth([name, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: lp-auth ${name}`));
      expect(run.stdout).toMatch(/Exit codes: 0/);
    },
  );

  test('an unknown command exits 2; --version prints the package version', async () => {
    const unknown = await lpAuth(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const version = await lpAuth(['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test('a mistyped option or command gets the closest known name, and exit 2', async () => {
    const flag = await lpAuth(['token', 'appJwt', '--jsno']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(
      `lp-auth token: unknown option '--jsno'. Did you mean --json? See "lp-auth token --help".\n`,
    );
    const emulatorFlag = await lpAuth(['emulator', '--write-evn', '.env']);
    expect(emulatorFlag.code).toBe(2);
    expect(emulatorFlag.stderr).toMatch(/unknown option '--write-evn'\. Did you mean --write-env\?/);
    // Nothing close: no guess, still the pointer to --help.
    const far = await lpAuth(['doctor', '--frobnicate']);
    expect(far.code).toBe(2);
    expect(far.stderr).toBe(`lp-auth doctor: unknown option '--frobnicate'. See "lp-auth doctor --help".\n`);
    const command = await lpAuth(['docter']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^lp-auth: unknown command "docter"\. Did you mean "doctor"\?\n/);
  });
});
