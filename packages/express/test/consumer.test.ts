import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import express from 'express';
import { startConsumerIdp, type ConsumerIdp } from '@lp-auth/testing';
import { findSde, silentLogger, type ConsumerVerifierOptions } from '@lp-auth/core';
import {
  consumerCheck,
  consumerClaimEquals,
  consumerClaimIncludes,
  consumerOf,
  lpAuth,
  lpErrorHandler,
  lpOf,
  optionalConsumer,
  requireConsumer,
  type LpAuthMiddleware,
} from '../src/index.js';
import {
  asAlgNone,
  asHs256WithPublicKey,
  partsOf,
  tamperPayload,
  withHeader,
} from '../../core/test/consumer-support.js';
import { startBrandIdp, type BrandIdp } from '../../core/test/consumer-oidc-support.js';

let idp: ConsumerIdp;
let brand: BrandIdp;
const servers: Server[] = [];
const middlewares: LpAuthMiddleware[] = [];

beforeAll(async () => {
  [idp, brand] = await Promise.all([startConsumerIdp({ audience: 'orders-api' }), startBrandIdp()]);
});
afterAll(async () => {
  await Promise.all([idp.close(), brand.close()]);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all(middlewares.splice(0).map((m) => m.close()));
});

async function listen(app: express.Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An app with lpAuth({ consumer }) and the routes under test; `rejected` collects stable codes. */
async function app(consumer: ConsumerVerifierOptions) {
  const middleware = lpAuth({ accountId: '12345678', logger: silentLogger, consumer });
  middlewares.push(middleware);
  const rejected: string[] = [];
  middleware.lp.on('consumer.rejected', (e) => rejected.push(e.code));
  const a = express();
  a.use(express.urlencoded({ extended: false }));
  a.use(middleware);
  a.get('/orders', requireConsumer(), (req, res) => {
    // Typed: req.lp.consumer is a ConsumerIdentity, next to the clients lpAuth() put there.
    const consumer = consumerOf(req);
    res.json({
      sub: consumer.sub,
      customerId: findSde(consumer.sdes, 'ctmrinfo')?.info.customerId,
      hasClients: typeof lpOf(req).clients === 'object',
    });
  });
  a.post('/orders', requireConsumer(), (req, res) => res.json({ sub: consumerOf(req).sub }));
  a.get('/catalog', optionalConsumer(), (req, res) => res.json({ sub: req.lp?.consumer?.sub ?? null }));
  a.get('/vip', requireConsumer(), consumerClaimEquals('given_name', 'John'), (_req, res) =>
    res.json({ ok: true }),
  );
  a.get('/gold', requireConsumer(), consumerClaimIncludes('groups', 'gold'), (_req, res) =>
    res.json({ ok: true }),
  );
  a.get(
    '/vip-sde',
    requireConsumer(),
    consumerCheck((_claims, c) => findSde(c.sdes, 'ctmrinfo')?.info.ctype === 'vip', 'the VIP check'),
    (_req, res) => res.json({ ok: true }),
  );
  a.use(lpErrorHandler());
  return { url: await listen(a), rejected };
}

const get = (url: string, token?: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers } });

async function expectRefused(res: Response, status: number, error?: string) {
  expect(res.status).toBe(status);
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="api"/);
  if (error) expect(challenge).toContain(`error="${error}"`);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body.error).toBe(error ?? 'unauthorized');
  return body;
}

const idpOptions = (): ConsumerVerifierOptions => ({ issuer: idp.issuer, audience: 'orders-api' });

describe('requireConsumer() with a real OpenID provider', () => {
  test('a real id_token from the authorization-code flow passes, and req.lp.consumer is set', async () => {
    const { url } = await app({ issuer: brand.issuer, audience: brand.clientId });
    const token = await brand.login('consumer-42');
    const res = await get(`${url}/orders`, token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: 'consumer-42',
      customerId: 'cust-consumer-42',
      hasClients: true,
    });
  });
});

describe('requireConsumer(): one refused token per rule, with status, challenge and code', () => {
  test('no token: 401 with the realm challenge only', async () => {
    const { url, rejected } = await app(idpOptions());
    const body = await expectRefused(await get(`${url}/orders`), 401);
    expect(body.code).toBe('token_missing');
    expect(rejected).toEqual(['token_missing']);
  });

  test.each<[string, (idp: ConsumerIdp) => Promise<string>, string]>([
    ['alg none', async (i) => asAlgNone(await i.issue()), 'algorithm_not_allowed'],
    [
      'HS256 with the public key as secret',
      async (i) => asHs256WithPublicKey(await i.issue(), i.keys.current.publicKey),
      'algorithm_not_allowed',
    ],
    ['an unknown kid', (i) => i.issue({ header: { kid: 'unknown-kid' } }), 'key_not_found'],
    [
      'a tampered payload',
      async (i) => tamperPayload(await i.issue(), (p) => (p.sub = 'admin')),
      'signature_invalid',
    ],
    ['a tampered header', async (i) => withHeader(await i.issue(), { typ: 'other' }), 'signature_invalid'],
    ['a wrong iss', (i) => i.issue({ claims: { iss: 'https://evil.example' } }), 'issuer_mismatch'],
    ['a wrong aud', (i) => i.issue({ claims: { aud: 'another-api' } }), 'audience_mismatch'],
    ['an expired token', (i) => i.issue({ expiresInSeconds: -60 }), 'token_expired'],
    [
      'nbf in the future',
      (i) => i.issue({ claims: { nbf: Math.floor(Date.now() / 1000) + 300 } }),
      'token_not_yet_valid',
    ],
    [
      'exp in milliseconds',
      (i) => i.issue({ claims: { exp: Date.now() + 600_000 } }),
      'time_in_milliseconds',
    ],
    ['no sub', (i) => i.issue({ claims: { sub: undefined } }), 'claim_missing'],
    ['an oversized token', (i) => i.issue({ claims: { padding: 'x'.repeat(9000) } }), 'token_too_large'],
  ])('%s → 401 invalid_token', async (_name, make, code) => {
    const { url, rejected } = await app(idpOptions());
    const body = await expectRefused(await get(`${url}/orders`, await make(idp)), 401, 'invalid_token');
    expect(rejected).toEqual([code]);
    // The body says why only for expiry; the precise code stays in the server's events and logs.
    expect(body.code).toBe(code === 'token_expired' ? 'token_expired' : 'invalid_token');
  });

  test('errorDetail: the precise reason reaches the client', async () => {
    const { url } = await app({ ...idpOptions(), errorDetail: true });
    const token = tamperPayload(await idp.issue(), (p) => (p.sub = 'admin'));
    const body = await expectRefused(await get(`${url}/orders`, token), 401, 'invalid_token');
    expect(body).toMatchObject({
      code: 'signature_invalid',
      error_description: "The token's signature is invalid.",
    });
    expect(JSON.stringify(body)).not.toContain(token);
  });

  test('two Authorization headers: 400 invalid_request', async () => {
    const { url, rejected } = await app(idpOptions());
    const token = await idp.issue();
    const status = await new Promise<{ status: number; challenge: string }>((resolve, reject) => {
      const req = httpRequest(
        `${url}/orders`,
        { headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] as unknown as string } },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, challenge: String(res.headers['www-authenticate']) });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status.status).toBe(400);
    expect(status.challenge).toContain('error="invalid_request"');
    expect(rejected).toEqual(['multiple_tokens']);
  });

  test('a token in the query when not allowed: 400 invalid_request', async () => {
    const { url, rejected } = await app(idpOptions());
    await expectRefused(await get(`${url}/orders?access_token=${await idp.issue()}`), 400, 'invalid_request');
    expect(rejected).toEqual(['token_location_not_allowed']);
  });

  test('query allowed: it works alone, and with a header it is two tokens', async () => {
    const { url, rejected } = await app({ ...idpOptions(), tokenLocations: { query: true } });
    const token = await idp.issue({ claims: { sub: 'q-1' } });
    const ok = await get(`${url}/orders?access_token=${token}`);
    expect(ok.status).toBe(200);
    await expectRefused(await get(`${url}/orders?access_token=${token}`, token), 400, 'invalid_request');
    expect(rejected).toEqual(['multiple_tokens']);
  });

  test('a form body token: refused unless enabled, read when enabled', async () => {
    const token = await idp.issue({ claims: { sub: 'form-1' } });
    const post = (url: string) =>
      fetch(`${url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: token }),
      });
    const strict = await app(idpOptions());
    await expectRefused(await post(strict.url), 400, 'invalid_request');
    const { url } = await app({ ...idpOptions(), tokenLocations: { body: true } });
    const res = await post(url);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'form-1' });
  });

  test('a cookie when configured', async () => {
    const { url } = await app({ ...idpOptions(), tokenLocations: { cookie: 'lp_consumer' } });
    const token = await idp.issue({ claims: { sub: 'cookie-1' } });
    const res = await get(`${url}/orders`, undefined, { cookie: `theme=dark; lp_consumer=${token}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: 'cookie-1' });
  });
});

describe('optionalConsumer() and claim checks', () => {
  test('optionalConsumer: no token passes without a consumer; a bad token is still refused', async () => {
    const { url } = await app(idpOptions());
    expect(await (await get(`${url}/catalog`)).json()).toEqual({ sub: null });
    expect(await (await get(`${url}/catalog`, await idp.issue({ claims: { sub: 'opt-1' } }))).json()).toEqual(
      { sub: 'opt-1' },
    );
    await expectRefused(
      await get(`${url}/catalog`, await idp.issue({ expiresInSeconds: -60 })),
      401,
      'invalid_token',
    );
  });

  test('consumerClaimEquals, consumerClaimIncludes and consumerCheck: pass, or 403 insufficient_scope', async () => {
    const { url, rejected } = await app(idpOptions());
    expect((await get(`${url}/vip`, await idp.issue())).status).toBe(200);
    await expectRefused(
      await get(`${url}/vip`, await idp.issue({ claims: { given_name: 'Jane' } })),
      403,
      'insufficient_scope',
    );
    expect((await get(`${url}/gold`, await idp.issue({ claims: { groups: ['gold', 'x'] } }))).status).toBe(
      200,
    );
    await expectRefused(
      await get(`${url}/gold`, await idp.issue({ claims: { groups: ['silver'] } })),
      403,
      'insufficient_scope',
    );
    expect((await get(`${url}/vip-sde`, await idp.issue())).status).toBe(200);
    const plain = await idp.issue({
      claims: { lp_sdes: [{ type: 'ctmrinfo', info: { ctype: 'regular' } }] },
    });
    await expectRefused(await get(`${url}/vip-sde`, plain), 403, 'insufficient_scope');
    expect(rejected).toEqual(['claim_check_failed', 'claim_check_failed', 'claim_check_failed']);
  });
});

describe('wiring', () => {
  test('requireConsumer({ verifier }) works without lpAuth()', async () => {
    const a = express();
    const guard = requireConsumer({ verifier: { issuer: idp.issuer, jwksUri: idp.jwksUri, realm: 'solo' } });
    a.get('/me', guard, (req, res) => res.json({ sub: consumerOf(req).sub }));
    a.get('/me/vip', guard, consumerClaimEquals('given_name', 'Nobody'), (_req, res) =>
      res.json({ ok: true }),
    );
    a.use(lpErrorHandler());
    const url = await listen(a);
    const res = await get(`${url}/me`, await idp.issue({ claims: { sub: 'solo' } }));
    expect(await res.json()).toEqual({ sub: 'solo' });
    const missing = await get(`${url}/me`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="solo"');
    const denied = await get(`${url}/me/vip`, await idp.issue());
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="solo", error="insufficient_scope"/,
    );
  });

  test('requireConsumer() without any verifier is a config error, not a pass', async () => {
    const middleware = lpAuth({ accountId: '12345678', logger: silentLogger });
    middlewares.push(middleware);
    const a = express();
    a.use(middleware);
    a.get('/orders', requireConsumer(), (_req, res) => res.json({ ok: true }));
    a.use(lpErrorHandler());
    const res = await get(`${await listen(a)}/orders`, await idp.issue());
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'config_invalid', field: 'consumer' });
  });

  test('the identity provider unreachable with no known keys: 503 jwks_unavailable', async () => {
    const { url } = await app({ issuer: 'http://127.0.0.1:9', jwks: { timeoutMs: 500 } });
    const token = await idp.issue({ claims: { iss: 'http://127.0.0.1:9' } });
    const res = await get(`${url}/orders`, token);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'jwks_unavailable' });
    expect(partsOf(token).payload.iss).toBe('http://127.0.0.1:9');
  });
});
