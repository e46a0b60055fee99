import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { createLpAuth, LpApiError, signOAuth1, type LpAuth, type OAuth1Options } from './core.js';
import { expectNoSecret, printed, recordingLogger } from './helpers.js';

const USERS = '/api/account/{accountId}/configuration/le-users/users';
const WARNED = Symbol.for('@lp-auth/core:oauth1-deprecation-warned');

let emu: Emulator;
const opened: LpAuth[] = [];
beforeEach(async () => {
  emu = await startEmulator();
  // The deprecation warning is once per process; each test starts from "not warned yet".
  delete (globalThis as Record<symbol, unknown>)[WARNED];
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((lp) => lp.close()));
  await emu.close();
});

function lpWith(oauth1: Partial<OAuth1Options> = {}, logger = recordingLogger()) {
  const lp = createLpAuth({
    ...emu.lpAuthOptions(),
    logger,
    http: { retry: { baseDelayMs: 20, maxDelayMs: 100 } },
    credentials: { oauth1: { ...emu.credentials.oauth1, ...oauth1 } },
  });
  opened.push(lp);
  return { lp, logger, client: lp.client('oauth1') };
}

const secrets = () => [emu.credentials.oauth1.consumerSecret, emu.credentials.oauth1.tokenSecret];
const usersUrl = () => `${emu.url}/api/account/${emu.accountId}/configuration/le-users/users`;

/** A raw request signed by hand, to play the attacker. */
async function rawCall(authorization: string, init: RequestInit = {}) {
  const res = await fetch(usersUrl(), { ...init, headers: { ...init.headers, authorization } });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: new URLSearchParams(await res.text()),
  };
}

describe('OAuth 1.0 API keys against the emulator (which recomputes every signature)', () => {
  test('GET with a query, a form POST and a JSON POST are all accepted', async () => {
    const { client } = lpWith();
    const got = await client.request<unknown[]>({
      service: 'accountConfigReadOnly',
      path: USERS,
      query: { v: '4.0', select: 'id,loginName' },
    });
    expect(got.status).toBe(200);
    expect(Array.isArray(got.data)).toBe(true);
    const form = await client.request<Record<string, string>>({
      service: 'accountConfigReadOnly',
      path: USERS,
      method: 'POST',
      query: { v: '4.0' },
      body: new URLSearchParams({ loginName: 'José Ñandú', note: 'a+b=c&d' }),
    });
    expect(form.status).toBe(201);
    expect(form.data).toMatchObject({ loginName: 'José Ñandú', note: 'a+b=c&d' });
    const json = await client.request({
      service: 'accountConfigReadOnly',
      path: USERS,
      method: 'POST',
      query: { v: '4.0' },
      json: { loginName: 'json.user' },
    });
    expect(json.status).toBe(201);
    expect(emu.stats.count('oauth1.api')).toBe(3);
  });

  test('fetch() with a Request carrying a form body is signed over that body', async () => {
    const { client } = lpWith();
    const res = await client.fetch(
      new Request(`${usersUrl()}?v=4.0`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'loginName=r%C3%A9my&x=1&x=2',
      }),
    );
    expect(res.status).toBe(201);
  });

  test('a retried request is signed again (fresh nonce), so the retry is not a replay', async () => {
    // A fetch that only watches the real requests go by, to see each attempt's header.
    const sent: string[] = [];
    const lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: recordingLogger(),
      http: {
        retry: { baseDelayMs: 20, maxDelayMs: 100 },
        fetch: (input, init) => {
          const auth = new Headers(init?.headers).get('authorization');
          if (auth) sent.push(auth);
          return fetch(input, init);
        },
      },
      credentials: { oauth1: emu.credentials.oauth1 },
    });
    opened.push(lp);
    emu.faults.inject('oauth1.api', { status: 503 });
    const res = await lp.client('oauth1').request({ service: 'accountConfigReadOnly', path: USERS });
    expect(res.status).toBe(200);
    expect(emu.stats.count('oauth1.api')).toBe(2);
    expect(sent).toHaveLength(2);
    const nonce = (h: string) => /oauth_nonce="([^"]+)"/.exec(h)?.[1];
    expect(nonce(sent[0]!)).not.toBe(nonce(sent[1]!));
    // Replaying the first attempt's header is refused: only a re-signed retry can pass.
    expect((await rawCall(sent[1]!)).body.get('oauth_problem')).toBe('nonce_used');
  });

  test('a wrong consumer secret: 401 signature_invalid, not retried, no secret printed', async () => {
    const logger = recordingLogger();
    const wrong = 'f'.repeat(32);
    const { client } = lpWith({ consumerSecret: wrong }, logger);
    const error = await client
      .request({ service: 'accountConfigReadOnly', path: USERS })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LpApiError);
    const api = error as LpApiError;
    expect(api.status).toBe(401);
    expect(new URLSearchParams(String(api.body)).get('oauth_problem')).toBe('signature_invalid');
    expect(emu.stats.count('oauth1.api')).toBe(1);
    expectNoSecret(printed(error) + logger.lines.join('\n'), [...secrets(), wrong]);
  });

  test('unknown consumer key and wrong token are named as LivePerson names them', async () => {
    const a = await lpWith({ consumerKey: '0'.repeat(32) }).client.fetch(usersUrl());
    expect(a.status).toBe(401);
    expect(a.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(new URLSearchParams(await a.text()).get('oauth_problem')).toBe('consumer_key_unknown');
    const b = await lpWith({ token: '1'.repeat(32) }).client.fetch(usersUrl());
    expect(new URLSearchParams(await b.text()).get('oauth_problem')).toBe('token_rejected');
  });

  test('attacks: forged signature, replayed nonce, stale timestamp, missing parameter', async () => {
    const keys = emu.credentials.oauth1;
    const request = { method: 'GET', url: usersUrl() };
    // Forged: signed with a guessed secret.
    const forged = signOAuth1(request, { ...keys, tokenSecret: 'guess' });
    expect((await rawCall(forged.authorization)).body.get('oauth_problem')).toBe('signature_invalid');
    // Tampered: a valid signature for another URL.
    const other = signOAuth1({ method: 'GET', url: `${usersUrl()}?admin=true` }, keys);
    expect((await rawCall(other.authorization)).body.get('oauth_problem')).toBe('signature_invalid');
    // Replayed: the same signed header twice.
    const once = signOAuth1(request, keys);
    expect((await rawCall(once.authorization)).status).toBe(200);
    const replay = await rawCall(once.authorization);
    expect(replay.status).toBe(401);
    expect(replay.type).toMatch(/^text\/plain/);
    expect(replay.body.get('oauth_problem')).toBe('nonce_used');
    // Stale: ten minutes old (outside ±300 s), and in the future.
    const stale = signOAuth1(request, keys, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect((await rawCall(stale.authorization)).body.get('oauth_problem')).toBe('timestamp_refused');
    const future = signOAuth1(request, keys, { timestamp: Math.floor(Date.now() / 1000) + 600 });
    expect((await rawCall(future.authorization)).body.get('oauth_problem')).toBe('timestamp_refused');
    // A form body changed after signing.
    const signedBody = signOAuth1(
      {
        method: 'POST',
        url: usersUrl(),
        body: 'loginName=a',
        contentType: 'application/x-www-form-urlencoded',
      },
      keys,
    );
    const swapped = await rawCall(signedBody.authorization, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'loginName=admin',
    });
    expect(swapped.body.get('oauth_problem')).toBe('signature_invalid');
    // Missing parameter.
    const noNonce = once.authorization.replace(/, oauth_nonce="[^"]*"/, '');
    const absent = await rawCall(noNonce);
    expect(absent.body.get('oauth_problem')).toBe('parameter_absent');
    expect(absent.body.get('oauth_problem_advice')).toContain('oauth_nonce');
  });

  test('the deprecation warning is logged once per process, across clients and credentials', async () => {
    const logger = recordingLogger();
    const one = lpWith({}, logger).client;
    const two = lpWith({}, logger).client;
    await Promise.all([
      one.request({ service: 'accountConfigReadOnly', path: USERS }),
      one.request({ service: 'accountConfigReadOnly', path: USERS }),
      two.request({ service: 'accountConfigReadOnly', path: USERS }),
    ]);
    const warnings = logger.lines.filter((l) => l.startsWith('warn') && l.includes('OAuth 1.0'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('2026-05-31');
    expectNoSecret(logger.lines.join('\n'), secrets());
  });

  test('keys that do not look like LivePerson keys are used, with a warning naming the field only', async () => {
    const logger = recordingLogger();
    lpWith({ consumerKey: 'not-hex' }, logger);
    const line = logger.lines.find((l) => l.includes('consumerKey'));
    expect(line).toBeDefined();
    expect(line).not.toContain('not-hex');
  });
});
