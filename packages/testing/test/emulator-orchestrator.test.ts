import { afterEach, describe, expect, test } from '@jest/globals';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Emulator } from '../src/index.js';
import { basic, coLogin, emulators, sleep } from './emulator-helpers.js';

const emus = emulators();
afterEach(() => emus.closeAll());

describe('Conversation Orchestrator v1 Context Service (maven-api-key)', () => {
  const props = (emu: Emulator, session = 's1', account = emu.accountId) =>
    `${emu.url}/v1/account/${account}/myNamespace/${session}/properties`;
  const call = (emu: Emulator, method: string, body?: unknown, key = emu.credentials.orchestratorV1.apiKey) =>
    fetch(props(emu), {
      method,
      headers: { 'maven-api-key': key, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  test('PUT then GET round-trips; PATCH merges; an unknown session reads as {}', async () => {
    const emu = await emus.start();
    expect(await (await call(emu, 'GET')).json()).toEqual({});
    const put = await call(emu, 'PUT', { tier: 'gold', visits: 3 });
    expect(put.status).toBe(200);
    expect(await (await call(emu, 'GET')).json()).toEqual({ tier: 'gold', visits: 3 });
    await call(emu, 'PATCH', { visits: 4, vip: true });
    expect(await (await call(emu, 'GET')).json()).toEqual({ tier: 'gold', visits: 4, vip: true });
    await call(emu, 'PUT', { only: 1 });
    expect(await (await call(emu, 'GET')).json()).toEqual({ only: 1 });
  });

  test('401 without the key, with a wrong key, or for another account', async () => {
    const emu = await emus.start();
    const none = await fetch(props(emu));
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ message: 'Unauthorized' });
    expect((await call(emu, 'GET', undefined, 'f'.repeat(32))).status).toBe(401);
    const other = await fetch(props(emu, 's1', '99999999'), {
      headers: { 'maven-api-key': emu.credentials.orchestratorV1.apiKey },
    });
    expect(other.status).toBe(401);
  });

  test('a body that is not a JSON object is a 400', async () => {
    const emu = await emus.start();
    expect((await call(emu, 'PUT', [1, 2])).status).toBe(400);
    const text = await fetch(props(emu), {
      method: 'PUT',
      headers: { 'maven-api-key': emu.credentials.orchestratorV1.apiKey },
      body: 'tier=gold',
    });
    expect(text.status).toBe(400);
  });
});

describe('Conversation Orchestrator v2 (Basic login → token)', () => {
  const doc = (emu: Emulator, session = 'mySession') =>
    `${emu.url}/v2/context/document/${emu.accountId}/myNamespace/${session}`;

  test('login answers {token}: an RS256 Cognito-like id_token valid 24 hours', async () => {
    const emu = await emus.start({
      credentials: { orchestratorV2: { username: 'demo', password: 'p@55w0rd' } },
    });
    const res = await fetch(`${emu.url}/v2/authenticate/login`, {
      method: 'POST',
      headers: { authorization: 'Basic ZGVtbzpwQDU1dzByZA==' }, // the documented example
    });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ token_use: 'id', 'cognito:username': 'demo' });
    expect(claims.exp! - claims.iat!).toBe(24 * 60 * 60);
  });

  test('bad or missing credentials are 401', async () => {
    const emu = await emus.start();
    const login = (authorization?: string) =>
      fetch(`${emu.url}/v2/authenticate/login`, {
        method: 'POST',
        ...(authorization ? { headers: { authorization } } : {}),
      });
    expect((await login()).status).toBe(401);
    expect((await login(basic(emu.credentials.orchestratorV2.username, 'wrong'))).status).toBe(401);
    expect((await login('Basic !!!')).status).toBe(401);
    expect((await login(`Bearer ${'x'.repeat(20)}`)).status).toBe(401);
  });

  test('create then read a document, with the token as ?access_token= or as a Bearer header', async () => {
    const emu = await emus.start();
    const token = await coLogin(emu);
    const create = await fetch(`${emu.url}/v2/context/document/create?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        accountId: emu.accountId,
        nameSpace: 'myNamespace',
        sessionId: 'mySession',
        ttlSeconds: 3600,
        payload: { property1: 100, Property2: 'abc' },
      }),
    });
    expect(create.status).toBe(201);
    expect(await create.json()).toEqual({
      documentKey: `${emu.accountId}:myNamespace:mySession`,
      tenantId: emu.accountId,
      success: true,
    });
    const byQuery = await fetch(`${doc(emu)}?access_token=${token}`);
    expect(byQuery.status).toBe(200);
    expect(await byQuery.json()).toEqual({ property1: 100, Property2: 'abc' });
    const byHeader = await fetch(doc(emu), { headers: { authorization: `Bearer ${token}` } });
    expect(byHeader.status).toBe(200);
    expect(await byHeader.json()).toEqual({ property1: 100, Property2: 'abc' });
    const empty = await fetch(`${doc(emu, 'other')}?access_token=${token}`);
    expect(await empty.json()).toEqual({});
  });

  test('401 when the token is missing, forged, from the AppJWT issuer, or expired', async () => {
    const emu = await emus.start();
    expect((await fetch(doc(emu))).status).toBe(401);
    expect((await fetch(`${doc(emu)}?access_token=not-a-jwt`)).status).toBe(401);
    const { clientId, clientSecret } = emu.credentials.appJwt;
    const appJwt = (await (
      await fetch(`${emu.url}/sentinel/api/account/${emu.accountId}/app/token?v=1.0`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: 'client_credentials',
        }),
      })
    ).json()) as { access_token: string };
    expect((await fetch(`${doc(emu)}?access_token=${appJwt.access_token}`)).status).toBe(401);

    // exp is the issuing second plus the lifetime, so a 1 s lifetime can lapse within
    // milliseconds of issue; 3 s leaves the token at least 2 s to be seen valid.
    emu.faults.tokenLifetime('co.v2.login', 3);
    const shortLived = await coLogin(emu);
    expect((await fetch(`${doc(emu)}?access_token=${shortLived}`)).status).toBe(200);
    await sleep(3100);
    const expired = await fetch(`${doc(emu)}?access_token=${shortLived}`);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ message: 'Unauthorized' });
  });

  test("another account's document is 403", async () => {
    const emu = await emus.start();
    const token = await coLogin(emu);
    const res = await fetch(`${emu.url}/v2/context/document/99999999/ns/s?access_token=${token}`);
    expect(res.status).toBe(403);
  });
});
