import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { cleanup, ensureBuilt, lpAuth } from './cli-helpers.js';

let emu: Emulator;
let token: string;

beforeAll(async () => {
  await ensureBuilt();
  emu = await startEmulator();
  const { clientId, clientSecret } = emu.credentials.appJwt;
  const res = await fetch(`${emu.url}/sentinel/api/account/${emu.accountId}/app/token?v=1.0`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: 'client_credentials',
    }),
  });
  token = ((await res.json()) as { access_token: string }).access_token;
}, 120_000);

afterAll(async () => {
  await cleanup();
  await emu.close();
});

describe('lp-auth decode', () => {
  test('shows header and claims of a real AppJWT, times in words, and says nothing was verified', async () => {
    const run = await lpAuth(['decode', token]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^NOT VERIFIED: the signature was not checked/);
    expect(run.stdout).toMatch(/\n {2}alg\s+RS256\n/);
    expect(run.stdout).toMatch(/\n {2}iss\s+Sentinel\n/);
    expect(run.stdout).toMatch(new RegExp(`\\n {2}aud\\s+${emu.accountId}\\n`));
    expect(run.stdout).toMatch(/\n {2}exp\s+\d+ {2}\(\d{4}-\d\d-\d\dT[\d:.]+Z, expires in 59 minutes\)\n/);
    expect(run.stdout).toMatch(/\n {2}iat\s+\d+ {2}\(.*, issued (now|\d+ seconds? ago)\)\n/);
  });

  test('--json, and "-" reads the token from stdin (a "Bearer " prefix is ignored)', async () => {
    const run = await lpAuth(['decode', '-', '--json'], {}, { stdin: `Bearer ${token}\n` });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      verified: boolean;
      header: Record<string, unknown>;
      claims: Record<string, unknown>;
      times: Record<string, { at: string; description: string }>;
    };
    expect(out.verified).toBe(false);
    expect(out.header.alg).toBe('RS256');
    expect(out.claims).toMatchObject({
      iss: 'Sentinel',
      aud: emu.accountId,
      azp: emu.credentials.appJwt.clientId,
    });
    expect(out.times.exp!.description).toBe('expires in 59 minutes');
  });

  test('an expired token says how long ago', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const old = `${encode({ alg: 'RS256' })}.${encode({ exp: now - 3 * 3600 - 5, nbf: now + 300 })}.c2ln`;
    const run = await lpAuth(['decode', old]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/expired 3 hours ago/);
    expect(run.stdout).toMatch(/not valid before in 5 minutes|not valid before in 4 minutes/);
  });

  test.each([
    ['garbage', /not a JWT: a JWT has three parts separated by dots; this has 1\./],
    ['a.b.c', /not a JWT: the header is not JSON once decoded\./],
    ['a.b.c.d.e', /encrypted JWT \(JWE\)/],
    ['e30.bm90IGpzb24.', /the payload is not JSON/],
    ['W10.e30.x', /the header is not a JSON object/],
  ])('malformed input %p: a clear error and exit 2', async (input, message) => {
    const run = await lpAuth(['decode', input]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  test('no token is a usage error', async () => {
    const run = await lpAuth(['decode']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/decode takes one token/);
  });
});
