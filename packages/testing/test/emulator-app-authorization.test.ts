import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { afterEach, describe, expect, test } from '@jest/globals';
import { loginThroughEmulator, type Emulator } from '../src/index.js';
import { emulators, skills } from './emulator-helpers.js';

const pool = emulators();
afterEach(() => pool.closeAll());

const REDIRECT = 'http://127.0.0.1:9/callback';

async function started(): Promise<Emulator> {
  return pool.start({ credentials: { appAuthorization: { redirectUris: [REDIRECT] } } });
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(emu: Emulator, params: Record<string, string | null> = {}): string {
  const url = new URL(`${emu.url}/sentinel/api/account/${emu.accountId}/authorize`);
  const all: Record<string, string | null> = {
    v: '1.0',
    response_type: 'code',
    client_id: emu.credentials.appAuthorization.clientId,
    redirect_uri: REDIRECT,
    state: 'state-1',
    ...params,
  };
  for (const [key, value] of Object.entries(all)) if (value !== null) url.searchParams.set(key, value);
  return url.toString();
}

async function tokenCall(emu: Emulator, form: Record<string, string>) {
  const { clientId, clientSecret } = emu.credentials.appAuthorization;
  const res = await fetch(`${emu.url}/sentinel/api/account/${emu.accountId}/token?v=1.0`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, ...form }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

async function codeFor(emu: Emulator, challenge?: string): Promise<string> {
  const back = await loginThroughEmulator(
    authorizeUrl(emu, challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
    emu.credentials.login,
  );
  expect(back.origin + back.pathname).toBe(REDIRECT);
  expect(back.searchParams.get('state')).toBe('state-1');
  return back.searchParams.get('code')!;
}

async function login(emu: Emulator) {
  const { verifier, challenge } = pkce();
  const code = await codeFor(emu, challenge);
  return tokenCall(emu, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
  });
}

describe('emulator: application authorization (wire page §5)', () => {
  test('authorize redirects to a login page with a form; the login redirects back with code and state', async () => {
    const emu = await started();
    const first = await fetch(authorizeUrl(emu), { redirect: 'manual' });
    expect(first.status).toBe(302);
    const page = await fetch(first.headers.get('location')!);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toMatch(/<form method="post"/);
    expect(html).toMatch(/name="password"/);
    const code = await codeFor(emu);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(emu.stats.count('sentinel.authorize')).toBe(2);
  });

  test('code exchange gives a 64-hex access token, a refresh token and an id_token that verifies against the JWKS', async () => {
    const emu = await started();
    const { status, body } = await login(emu);
    expect(status).toBe(200);
    expect(body.access_token).toMatch(/^[0-9a-f]{64}$/);
    expect(body.token_type).toBe('Bearer');
    expect(body.refresh_token).toEqual(expect.any(String));
    expect(body.expires_in).toBe('3600');
    const [head, payload, signature] = body.id_token!.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as { kid: string; alg: string };
    expect(header.kid).toMatch(/^idtoken-\d\d-\d\d-\d\d$/);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      sub: emu.credentials.login.userId,
      aud: emu.credentials.appAuthorization.clientId,
      iss: 'Sentinel',
      is_admin: false,
      is_lpa: false,
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    const jwks = (await (await fetch(`${emu.url}/sentinel/well-known/jwks`)).json()) as {
      keys: { kid: string }[];
    };
    const jwk = jwks.keys.find((k) => k.kid === header.kid)!;
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    expect(
      verify('sha256', Buffer.from(`${head}.${payload}`), key, Buffer.from(signature, 'base64url')),
    ).toBe(true);
    expect((await skills(emu, body.access_token)).status).toBe(200);
  });

  test('a code works once; the replay is invalid_grant and revokes what the first use got', async () => {
    const emu = await started();
    const { verifier, challenge } = pkce();
    const code = await codeFor(emu, challenge);
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
    const first = await tokenCall(emu, form);
    expect(first.status).toBe(200);
    const replay = await tokenCall(emu, form);
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await skills(emu, first.body.access_token)).status).toBe(401);
    const refresh = await tokenCall(emu, {
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token!,
    });
    expect(refresh.body.error).toBe('invalid_grant');
  });

  test('the code is bound to the redirect URI and the PKCE verifier', async () => {
    const emu = await started();
    const { verifier, challenge } = pkce();
    const exchange = (form: Record<string, string>) =>
      tokenCall(emu, {
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        ...form,
      });
    let code = await codeFor(emu, challenge);
    expect((await exchange({ code, redirect_uri: 'http://127.0.0.1:9/other' })).body.error).toBe(
      'invalid_grant',
    );
    code = await codeFor(emu, challenge);
    expect((await exchange({ code, code_verifier: pkce().verifier })).body.error).toBe('invalid_grant');
    code = await codeFor(emu, challenge);
    const missing = await tokenCall(emu, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(missing.body).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/PKCE/),
    });
  });

  test('refresh tokens rotate; reusing an old one is invalid_grant and ends the session', async () => {
    const emu = await started();
    const { body } = await login(emu);
    const second = await tokenCall(emu, { grant_type: 'refresh_token', refresh_token: body.refresh_token! });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(body.refresh_token);
    expect(second.body.id_token).toBeUndefined();
    expect(emu.appAuthorization.liveSessions()).toBe(1);
    const reuse = await tokenCall(emu, { grant_type: 'refresh_token', refresh_token: body.refresh_token! });
    expect(reuse).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(emu.appAuthorization.liveSessions()).toBe(0);
    const latest = await tokenCall(emu, {
      grant_type: 'refresh_token',
      refresh_token: second.body.refresh_token!,
    });
    expect(latest.body.error).toBe('invalid_grant');
    expect((await skills(emu, second.body.access_token)).status).toBe(401);
  });

  test('revoke ends the session; unknown tokens are answered 200 too', async () => {
    const emu = await started();
    const { body } = await login(emu);
    const { clientId, clientSecret } = emu.credentials.appAuthorization;
    const revoke = (token: string, secret = clientSecret) =>
      fetch(`${emu.url}/sentinel/api/account/${emu.accountId}/token/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: clientId, client_secret: secret }),
      });
    expect((await revoke(body.refresh_token!, 'wrong')).status).toBe(401);
    expect((await revoke(body.refresh_token!)).status).toBe(200);
    expect((await skills(emu, body.access_token)).status).toBe(401);
    expect((await revoke('f'.repeat(64))).status).toBe(200);
    expect(emu.stats.count('sentinel.revoke')).toBe(3);
  });

  test('documented failures: bad query 400, unknown account or client 401, unregistered redirect URI 400', async () => {
    const emu = await started();
    const status = async (url: string) => (await fetch(url, { redirect: 'manual' })).status;
    expect(await status(authorizeUrl(emu, { v: null }))).toBe(400);
    expect(await status(authorizeUrl(emu, { client_id: 'nobody' }))).toBe(401);
    expect(await status(authorizeUrl(emu).replace(`/account/${emu.accountId}/`, '/account/1/'))).toBe(401);
    expect(await status(authorizeUrl(emu, { redirect_uri: 'https://evil.example/callback' }))).toBe(400);
    expect(await status(authorizeUrl(emu, { redirect_uri: `${REDIRECT}/` }))).toBe(400);
    // Errors after the redirect URI is trusted go back to it.
    const back = await loginThroughEmulator(
      authorizeUrl(emu, { code_challenge_method: 'plain' }),
      emu.credentials.login,
    );
    expect(back.searchParams.get('error')).toBe('invalid_request');
    const cancelled = await loginThroughEmulator(authorizeUrl(emu), emu.credentials.login, { cancel: true });
    expect(cancelled.searchParams.get('error')).toBe('access_denied');
    expect(cancelled.searchParams.get('state')).toBe('state-1');
    await expect(
      loginThroughEmulator(authorizeUrl(emu), {
        username: emu.credentials.login.username,
        password: 'wrong',
      }),
    ).rejects.toThrow(/got 401/);
  });

  test('token endpoint: wrong secret 401 invalid_client, unknown grant 400 unsupported_grant_type', async () => {
    const emu = await started();
    const res = await fetch(`${emu.url}/sentinel/api/account/${emu.accountId}/token?v=1.0`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: emu.credentials.appAuthorization.clientId,
        client_secret: 'wrong',
        grant_type: 'authorization_code',
        code: 'x',
      }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid_client' });
    expect((await tokenCall(emu, { grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
  });

  test('redirect URIs can be registered once the app listens; faults and short lifetimes apply', async () => {
    const emu = await pool.start();
    expect((await fetch(authorizeUrl(emu), { redirect: 'manual' })).status).toBe(400);
    emu.appAuthorization.registerRedirectUri(REDIRECT);
    emu.faults.tokenLifetime('sentinel.userToken', 2);
    const { body } = await login(emu);
    expect(body.expires_in).toBe('2');
    emu.faults.inject('sentinel.userToken', { status: 503 });
    expect(
      (await tokenCall(emu, { grant_type: 'refresh_token', refresh_token: body.refresh_token! })).status,
    ).toBe(503);
    expect(() => emu.appAuthorization.registerRedirectUri('not a url')).toThrow(TypeError);
  });
});
