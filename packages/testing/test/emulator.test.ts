import { request as httpRequest, Agent } from 'node:http';
import { afterEach, describe, expect, test } from '@jest/globals';
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { COMMON_SERVICES, type Emulator } from '../src/index.js';
import { appToken, emulators, skills, sleep } from './emulator-helpers.js';

const emus = emulators();
afterEach(() => emus.closeAll());

const csdsAll = (emu: Emulator, account = emu.accountId, query = '?version=1.0') =>
  fetch(`${emu.url}/api/account/${account}/service/baseURI.json${query}`);
const csdsOne = (emu: Emulator, service: string, account = emu.accountId, query = '?version=1.0') =>
  fetch(`${emu.url}/api/account/${account}/service/${service}/baseURI.json${query}`);

describe('CSDS (domain API)', () => {
  test('lists every common service with the bare host:port, no scheme', async () => {
    const emu = await emus.start();
    const res = await csdsAll(emu);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { baseURIs: { service: string; account: string; baseURI: string }[] };
    expect(body.baseURIs.map((e) => e.service).sort()).toEqual([...COMMON_SERVICES].sort());
    for (const entry of body.baseURIs) {
      expect(entry).toEqual({
        service: entry.service,
        account: emu.accountId,
        baseURI: `127.0.0.1:${emu.port}`,
      });
    }
    expect(emu.url).toBe(`http://127.0.0.1:${emu.port}`);
  });

  test('answers one service, case-sensitively', async () => {
    const emu = await emus.start();
    const res = await csdsOne(emu, 'sentinel');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      service: 'sentinel',
      account: emu.accountId,
      baseURI: `127.0.0.1:${emu.port}`,
    });
    const wrongCase = await csdsOne(emu, 'Sentinel');
    expect(wrongCase.status).toBe(404);
    expect(await wrongCase.json()).toMatchObject({ error: { responseStatus: 'NOT_FOUND' } });
  });

  test('401 for an unknown account, 400 for a missing or wrong version', async () => {
    const emu = await emus.start({ accountId: '12345678' });
    const unknown = await csdsAll(emu, '87654321');
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({
      error: { message: expect.stringContaining('87654321'), responseStatus: 'UNAUTHORIZED' },
    });
    expect((await csdsOne(emu, 'sentinel', '87654321')).status).toBe(401);
    expect((await csdsAll(emu, emu.accountId, '')).status).toBe(400);
    expect((await csdsOne(emu, 'sentinel', emu.accountId, '?version=2.0')).status).toBe(400);
  });

  test('the services option overrides, adds and removes entries', async () => {
    const emu = await emus.start({
      services: { msgHist: null, agentVep: 'va.agentvep.example.test', extra: 'x.test' },
    });
    const body = (await (await csdsAll(emu)).json()) as { baseURIs: { service: string; baseURI: string }[] };
    const map = Object.fromEntries(body.baseURIs.map((e) => [e.service, e.baseURI]));
    expect(map.msgHist).toBeUndefined();
    expect(map.agentVep).toBe('va.agentvep.example.test');
    expect(map.extra).toBe('x.test');
    expect(map.sentinel).toBe(`127.0.0.1:${emu.port}`);
    expect((await csdsOne(emu, 'msgHist')).status).toBe(404);
  });
});

describe('Sentinel AppJWT', () => {
  const tokenUrl = (emu: Emulator, query = '?v=1.0') =>
    `${emu.url}/sentinel/api/account/${emu.accountId}/app/token${query}`;
  const form = 'application/x-www-form-urlencoded';

  async function expectValidAppJwt(emu: Emulator, res: Response) {
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: '3600' });
    const token = body.access_token as string;
    const jwks = createRemoteJWKSet(new URL(`${emu.url}/sentinel/well-known/jwks`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: 'Sentinel',
      audience: emu.accountId,
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toEqual({
      kid: expect.stringMatching(/^appjwt-\d\d-\d\d-\d\d/),
      typ: 'JWT',
      alg: 'RS256',
    });
    expect(payload).toMatchObject({ azp: emu.credentials.appJwt.clientId, scope: 'msg.consumer' });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.jti).toEqual(expect.any(String));
    return token;
  }

  test('form body (documented), verified with jose against the JWKS', async () => {
    const emu = await emus.start();
    const { clientId, clientSecret } = emu.credentials.appJwt;
    const res = await fetch(tokenUrl(emu), {
      method: 'POST',
      headers: { 'content-type': form },
      body: `client_id=${clientId}&client_secret=${clientSecret}&grant_type=client_credentials`,
    });
    await expectValidAppJwt(emu, res);
  });

  test('grant_type in the query, client in the body (Send API doc)', async () => {
    const emu = await emus.start();
    const { clientId, clientSecret } = emu.credentials.appJwt;
    const res = await fetch(tokenUrl(emu, '?v=1.0&grant_type=client_credentials'), {
      method: 'POST',
      headers: { 'content-type': form },
      body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret }),
    });
    await expectValidAppJwt(emu, res);
  });

  test('everything in the query (demo code), and the v2 path', async () => {
    const emu = await emus.start();
    const q = new URLSearchParams({ ...credentialsOf(emu), grant_type: 'client_credentials' });
    await expectValidAppJwt(emu, await fetch(tokenUrl(emu, `?v=1.0&${q}`), { method: 'POST' }));
    const v2 = `${emu.url}/sentinel/api/v2/account/${emu.accountId}/app/token`;
    await expectValidAppJwt(
      emu,
      await fetch(v2, { method: 'POST', headers: { 'content-type': form }, body: q }),
    );
  });

  test('RFC 6749 errors: invalid_client 401, unsupported_grant_type 400, invalid_request 400', async () => {
    const emu = await emus.start();
    const post = (params: Record<string, string>, url = tokenUrl(emu)) =>
      fetch(url, { method: 'POST', headers: { 'content-type': form }, body: new URLSearchParams(params) });
    const wrongSecret = await post({
      ...credentialsOf(emu),
      client_secret: 'nope',
      grant_type: 'client_credentials',
    });
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toEqual({ error: 'invalid_client' });
    const wrongId = await post({
      ...credentialsOf(emu),
      client_id: 'someone-else',
      grant_type: 'client_credentials',
    });
    expect(wrongId.status).toBe(401);
    const otherAccount = await post(
      { ...credentialsOf(emu), grant_type: 'client_credentials' },
      `${emu.url}/sentinel/api/account/1${emu.accountId}/app/token?v=1.0`,
    );
    expect(otherAccount.status).toBe(401);
    const badGrant = await post({ ...credentialsOf(emu), grant_type: 'password' });
    expect(badGrant.status).toBe(400);
    expect(await badGrant.json()).toEqual({ error: 'unsupported_grant_type' });
    const missing = await post({
      client_id: emu.credentials.appJwt.clientId,
      grant_type: 'client_credentials',
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
    const json = await fetch(tokenUrl(emu), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...credentialsOf(emu), grant_type: 'client_credentials' }),
    });
    expect(json.status).toBe(400);
  });

  test('the secret never appears in a response, error or not', async () => {
    const emu = await emus.start();
    const { clientSecret } = emu.credentials.appJwt;
    const ok = await appToken(emu);
    expect(JSON.stringify(ok)).not.toContain(clientSecret);
    const res = await fetch(tokenUrl(emu), {
      method: 'POST',
      headers: { 'content-type': form },
      body: new URLSearchParams({ ...credentialsOf(emu), grant_type: 'nope' }),
    });
    expect(await res.text()).not.toContain(clientSecret);
  });

  test('rotateSigningKey: new kid, old key kept in the JWKS unless dropOld', async () => {
    const emu = await emus.start();
    // The AppJWT keys only: the application-authorization id_token key is published beside them.
    const jwksOf = async () =>
      (
        (await (await fetch(`${emu.url}/sentinel/well-known/jwks`)).json()) as { keys: { kid: string }[] }
      ).keys.filter((k) => k.kid.startsWith('appjwt-'));
    const first = (await appToken(emu)).access_token;
    const firstKid = decodeProtectedHeader(first).kid;
    const newKid = await emu.rotateSigningKey();
    expect(newKid).not.toBe(firstKid);
    expect((await jwksOf()).map((k) => k.kid)).toEqual([firstKid, newKid]);
    const second = (await appToken(emu)).access_token;
    expect(decodeProtectedHeader(second).kid).toBe(newKid);
    expect((await skills(emu, first)).status).toBe(200);
    expect((await skills(emu, second)).status).toBe(200);

    const third = await emu.rotateSigningKey({ dropOld: true });
    expect((await jwksOf()).map((k) => k.kid)).toEqual([third]);
    expect((await skills(emu, first)).status).toBe(401);
    expect((await skills(emu, second)).status).toBe(401);
  });
});

function credentialsOf(emu: Emulator) {
  return { client_id: emu.credentials.appJwt.clientId, client_secret: emu.credentials.appJwt.clientSecret };
}

describe('the protected skills API', () => {
  test('accepts a valid AppJWT and answers a JSON array of skills', async () => {
    const emu = await emus.start();
    const { access_token } = await appToken(emu);
    const res = await skills(emu, access_token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: number; name: string }[];
    expect(body.length).toBeGreaterThan(0);
    expect(body[0]).toMatchObject({ id: expect.any(Number), name: expect.any(String) });
  });

  test('401 with a LivePerson error body without a token or with a malformed one', async () => {
    const emu = await emus.start();
    for (const res of [await skills(emu), await skills(emu, 'not.a.jwt'), await skills(emu, 'abc')]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        error: {
          message: expect.any(String),
          internalCode: expect.any(Number),
          responseStatus: 'UNAUTHORIZED',
        },
      });
    }
    const raw = await fetch(`${emu.url}/api/account/${emu.accountId}/configuration/le-users/skills`, {
      headers: { authorization: (await appToken(emu)).access_token },
    });
    expect(raw.status).toBe(401);
  });

  test('rejects an expired token', async () => {
    const emu = await emus.start();
    emu.faults.tokenLifetime('sentinel.token', 1);
    const { access_token, expires_in } = await appToken(emu);
    expect(expires_in).toBe('1');
    await sleep(2100);
    const res = await skills(emu, access_token);
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).toMatch(/expired/);
  });

  test('rejects a token signed by a foreign key, even with the right kid and claims', async () => {
    const emu = await emus.start();
    const genuine = (await appToken(emu)).access_token;
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ azp: emu.credentials.appJwt.clientId, scope: 'msg.consumer' })
      .setProtectedHeader({ kid: decodeProtectedHeader(genuine).kid!, typ: 'JWT', alg: 'RS256' })
      .setIssuer('Sentinel')
      .setAudience(emu.accountId)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey);
    const res = await skills(emu, forged);
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).toMatch(/signature/);
  });

  test('rejects a token of another account', async () => {
    const a = await emus.start({ accountId: '11111111' });
    const b = await emus.start({ accountId: '22222222' });
    const fromA = (await appToken(a)).access_token;
    expect((await skills(b, fromA)).status).toBe(401);
  });

  test('every response carries x-request-id: random, or the one the client sent', async () => {
    const emu = await emus.start();
    const one = (await skills(emu)).headers.get('x-request-id');
    const two = (await skills(emu)).headers.get('x-request-id');
    expect(one).toEqual(expect.any(String));
    expect(one).not.toBe(two);
    const echoed = await skills(emu, undefined, { 'x-request-id': 'my-trace-42' });
    expect(echoed.headers.get('x-request-id')).toBe('my-trace-42');
    const notFound = await fetch(`${emu.url}/no/such/path`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-request-id')).toEqual(expect.any(String));
  });
});

describe('the handle', () => {
  test('credentials look like LivePerson ones, differ per start, and options override them', async () => {
    const a = await emus.start();
    const b = await emus.start({
      accountId: '12345678',
      credentials: {
        appJwt: { clientSecret: 'given-secret' },
        orchestratorV2: { username: 'demo', password: 'p@55w0rd' },
      },
    });
    expect(a.accountId).toMatch(/^[1-9]\d{7}$/);
    expect(a.credentials.appJwt.clientSecret).toMatch(/^[0-9a-f]{32}$/);
    expect(a.credentials.orchestratorV1.apiKey).toMatch(/^[0-9a-f]{32}$/);
    expect(a.credentials.appJwt.clientId).not.toBe(b.credentials.appJwt.clientId);
    expect(b.accountId).toBe('12345678');
    expect(b.credentials.appJwt.clientSecret).toBe('given-secret');
    expect(b.credentials.orchestratorV2).toEqual({ username: 'demo', password: 'p@55w0rd' });
    expect(b.lpAuthOptions()).toEqual({
      accountId: '12345678',
      csds: { baseUrl: b.url },
      domains: { orchestratorContext: b.url, orchestratorCcs: b.url, orchestratorAskMaven: b.url },
    });
  });

  test('listens on the given port; a busy port rejects', async () => {
    const a = await emus.start();
    await a.close();
    const b = await emus.start({ port: a.port });
    expect(b.port).toBe(a.port);
    await expect(emus.start({ port: b.port })).rejects.toThrow(/EADDRINUSE/);
  });

  test('close() ends keep-alive connections and resolves promptly', async () => {
    const emu = await emus.start();
    const agent = new Agent({ keepAlive: true });
    let responseEnded = () => {};
    const ended = new Promise<void>((resolve) => (responseEnded = resolve));
    const socketClosed = new Promise<void>((resolve) => {
      const req = httpRequest(`${emu.url}/sentinel/well-known/jwks`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          req.socket?.once('close', () => resolve());
          responseEnded();
        });
      });
      req.end();
    });
    // The response is in (however slow the machine: a fixed sleep could close mid-response, and then
    // 'end' never came), and after a turn of the loop the socket is idle in the agent's pool.
    await ended;
    await new Promise((resolve) => setImmediate(resolve));
    const started = Date.now();
    await emu.close();
    await socketClosed;
    expect(Date.now() - started).toBeLessThan(1000); // far below the 5 s keep-alive timeout
    await expect(fetch(`${emu.url}/sentinel/well-known/jwks`)).rejects.toThrow();
    await emu.close(); // idempotent
    agent.destroy();
  });
});
