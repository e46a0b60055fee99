import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { serveOnLoopback, startConsumerIdp, type ConsumerIdp } from '@lp-auth/testing';
import { ConfigError, findSde, silentLogger, type ConsumerVerifierOptions } from '@lp-auth/core';
import {
  consumerCheck,
  consumerClaimEquals,
  lpAuth,
  optionalConsumer,
  requireConsumer,
} from '../src/index.js';
import { asAlgNone, asHs256WithPublicKey, tamperPayload } from '../../core/test/consumer-support.js';

let idp: ConsumerIdp;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  idp = await startConsumerIdp({ audience: 'orders-api' });
});
afterAll(() => idp.close());
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Serves `app` on loopback until the test ends; the errors Koa itself saw are collected. */
async function serve(app: Koa): Promise<{ url: string; koaErrors: Error[] }> {
  const koaErrors: Error[] = [];
  app.silent = true;
  app.on('error', (error: Error) => koaErrors.push(error));
  const served = await serveOnLoopback(app.callback());
  closers.push(served.close);
  return { url: served.url, koaErrors };
}

/**
 * An app with `lpAuth({ consumer })` first, then (optionally) a body parser, a middleware that
 * records the errors passing through it, and the routes under test.
 */
async function appWith(consumer: ConsumerVerifierOptions | undefined, withBodyParser = false) {
  const middleware = lpAuth({
    accountId: '12345678',
    logger: silentLogger,
    ...(consumer ? { consumer } : {}),
  });
  closers.push(() => middleware.close());
  const rejected: string[] = [];
  middleware.lp.on('consumer.rejected', (e) => rejected.push(e.code));
  const seenBetween: string[] = [];
  const router = new Router();
  router.get('/orders', requireConsumer(), (ctx) => {
    const { consumer: who, clients } = ctx.state.lp;
    ctx.body = {
      sub: who!.sub,
      customerId: findSde(who!.sdes, 'ctmrinfo')?.info.customerId,
      hasClients: typeof clients === 'object',
    };
  });
  router.post('/orders', requireConsumer(), (ctx) => {
    ctx.body = { sub: ctx.state.lp.consumer!.sub };
  });
  router.get('/catalog', optionalConsumer(), (ctx) => {
    ctx.body = { sub: ctx.state.lp.consumer?.sub ?? null };
  });
  router.get(
    '/vip-sde',
    requireConsumer(),
    consumerCheck((_claims, c) => findSde(c.sdes, 'ctmrinfo')?.info.ctype === 'vip', 'the VIP check'),
    (ctx) => {
      ctx.body = { ok: true };
    },
  );
  const app = new Koa();
  app.use(middleware);
  if (withBodyParser) app.use(bodyParser());
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      seenBetween.push((error as { code?: string }).code ?? String(error));
      throw error;
    }
  });
  app.use(router.routes());
  return { ...(await serve(app)), rejected, seenBetween };
}

const get = (url: string, token?: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers } });

async function expectRefused(res: Response, status: number, error?: string, realm = 'api') {
  expect(res.status).toBe(status);
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge.startsWith(`Bearer realm="${realm}"`)).toBe(true);
  if (error) expect(challenge).toContain(`error="${error}"`);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body.error).toBe(error ?? 'unauthorized');
  return body;
}

const trusted = (): ConsumerVerifierOptions => ({ issuer: idp.issuer, audience: 'orders-api' });

describe('requireConsumer() under lpAuth()', () => {
  test('a valid token: the consumer (with its lp_sdes) next to the clients on ctx.state.lp', async () => {
    const { url } = await appWith(trusted());
    const lp_sdes = [{ type: 'ctmrinfo', info: { customerId: 'C-42', ctype: 'vip' } }];
    const res = await get(`${url}/orders`, await idp.issue({ claims: { sub: 'consumer-42', lp_sdes } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: 'consumer-42',
      customerId: 'C-42',
      hasClients: true,
    });
  });

  test('refusals are thrown to lpAuth(): middleware between them sees the error, lpAuth() answers', async () => {
    const { url, seenBetween, koaErrors } = await appWith(trusted());
    const body = await expectRefused(await get(`${url}/orders`), 401);
    expect(body.code).toBe('token_missing');
    await expectRefused(
      await get(`${url}/orders`, await idp.issue({ expiresInSeconds: -60 })),
      401,
      'invalid_token',
    );
    expect(seenBetween).toEqual(['token_missing', 'token_expired']);
    expect(koaErrors).toEqual([]); // a refused consumer is an answer, not a server error
  });

  test.each<[string, (i: ConsumerIdp) => Promise<string>, string]>([
    ['alg none', async (i) => asAlgNone(await i.issue()), 'algorithm_not_allowed'],
    [
      'HS256 signed with the public key',
      async (i) => asHs256WithPublicKey(await i.issue(), i.keys.current.publicKey),
      'algorithm_not_allowed',
    ],
    [
      'a tampered payload',
      async (i) => tamperPayload(await i.issue(), (p) => (p.sub = 'admin')),
      'signature_invalid',
    ],
    ['another audience', (i) => i.issue({ claims: { aud: 'another-api' } }), 'audience_mismatch'],
  ])('%s → 401 invalid_token, the route never runs', async (_name, make, code) => {
    const { url, rejected } = await appWith(trusted());
    await expectRefused(await get(`${url}/orders`, await make(idp)), 401, 'invalid_token');
    expect(rejected).toEqual([code]);
  });

  test('consumerCheck: 403 insufficient_scope when the rule fails', async () => {
    const { url, rejected } = await appWith(trusted());
    expect((await get(`${url}/vip-sde`, await idp.issue())).status).toBe(200);
    const plain = await idp.issue({
      claims: { lp_sdes: [{ type: 'ctmrinfo', info: { ctype: 'regular' } }] },
    });
    await expectRefused(await get(`${url}/vip-sde`, plain), 403, 'insufficient_scope');
    expect(rejected).toEqual(['claim_check_failed']);
  });

  test('the consumer is per request: the shared context never keeps it', async () => {
    const { url } = await appWith(trusted());
    await get(`${url}/catalog`, await idp.issue({ claims: { sub: 'first' } }));
    expect(await (await get(`${url}/catalog`)).json()).toEqual({ sub: null });
  });

  test('requireConsumer() without any verifier is 500 config_invalid naming "consumer", not a pass', async () => {
    const { url } = await appWith(undefined);
    const res = await get(`${url}/orders`, await idp.issue());
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'config_invalid', field: 'consumer' });
  });
});

describe('where Koa requests carry tokens', () => {
  const postForm = (url: string, fields: Record<string, string>, token?: string) =>
    fetch(`${url}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: new URLSearchParams(fields),
    });

  test('a form body token (@koa/bodyparser): 400 unless enabled, read when enabled, two tokens when also in the header', async () => {
    const token = await idp.issue({ claims: { sub: 'form-1' } });
    const strict = await appWith(trusted(), true);
    await expectRefused(await postForm(strict.url, { access_token: token }), 400, 'invalid_request');
    expect(strict.rejected).toEqual(['token_location_not_allowed']);

    const open = await appWith({ ...trusted(), tokenLocations: { body: true } }, true);
    const res = await postForm(open.url, { access_token: token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'form-1' });
    await expectRefused(await postForm(open.url, { access_token: token }, token), 400, 'invalid_request');
    expect(open.rejected).toEqual(['multiple_tokens']);
  });

  test('a JSON body is never a token location, even with body tokens enabled', async () => {
    const { url } = await appWith({ ...trusted(), tokenLocations: { body: true } }, true);
    const res = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: await idp.issue() }),
    });
    expect((await expectRefused(res, 401)).code).toBe('token_missing');
  });

  test('without a body parser the body is not read: a form token is no token (401 token_missing)', async () => {
    const { url } = await appWith({ ...trusted(), tokenLocations: { body: true } }, false);
    const body = await expectRefused(await postForm(url, { access_token: await idp.issue() }), 401);
    expect(body.code).toBe('token_missing');
  });

  test('query tokens when enabled; the parameter twice is two tokens', async () => {
    const { url } = await appWith({ ...trusted(), tokenLocations: { query: true } });
    const token = await idp.issue({ claims: { sub: 'q-1' } });
    expect(await (await get(`${url}/orders?access_token=${token}`)).json()).toMatchObject({ sub: 'q-1' });
    await expectRefused(
      await get(`${url}/orders?access_token=${token}&access_token=${token}`),
      400,
      'invalid_request',
    );
  });

  test('a cookie when configured, read from the Cookie header; the cookie twice is refused', async () => {
    const { url } = await appWith({ ...trusted(), tokenLocations: { cookie: 'lp_consumer' } });
    const token = await idp.issue({ claims: { sub: 'cookie-1' } });
    const res = await get(`${url}/orders`, undefined, { cookie: `theme=dark; lp_consumer=${token}` });
    expect(await res.json()).toMatchObject({ sub: 'cookie-1' });
    const twice = await get(`${url}/orders`, undefined, {
      cookie: `lp_consumer=${token}; lp_consumer=${token}`,
    });
    await expectRefused(twice, 400, 'invalid_request');
  });

  test('two Authorization headers are 400 invalid_request (counted from the raw headers)', async () => {
    const { url } = await appWith(trusted());
    const token = await idp.issue();
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${url}/orders`,
        { headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] as unknown as string } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });
});

describe('a guard used without lpAuth()', () => {
  async function soloApp() {
    const guard = requireConsumer({ verifier: { issuer: idp.issuer, jwksUri: idp.jwksUri, realm: 'solo' } });
    const router = new Router();
    router.get('/me', guard, (ctx) => {
      ctx.body = { sub: ctx.state.lp.consumer!.sub, clients: Object.keys(ctx.state.lp.clients) };
    });
    router.get('/me/vip', guard, consumerClaimEquals('given_name', 'Nobody'), (ctx) => {
      ctx.body = { ok: true };
    });
    router.get('/me/auth', guard, (ctx) => {
      // No core without lpAuth(): the route's own error, which the guard must leave to Koa.
      if (ctx.state.lp.auth === undefined) throw new ConfigError('lpAuth', 'add app.use(lpAuth(options))');
      ctx.body = { account: ctx.state.lp.auth.accountId };
    });
    const app = new Koa();
    app.use(router.routes());
    return serve(app);
  }

  test('it admits a valid token, with the consumer and no clients on ctx.state.lp', async () => {
    const { url } = await soloApp();
    const res = await get(`${url}/me`, await idp.issue({ claims: { sub: 'solo-1' } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'solo-1', clients: [] });
  });

  test('it answers its own refusals with RFC 6750 status, challenge and JSON (Koa alone would say 500)', async () => {
    const { url, koaErrors } = await soloApp();
    const missing = await get(`${url}/me`);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="solo"');
    expect((await expectRefused(missing, 401, undefined, 'solo')).code).toBe('token_missing');
    await expectRefused(
      await get(`${url}/me`, await idp.issue({ expiresInSeconds: -60 })),
      401,
      'invalid_token',
      'solo',
    );
    await expectRefused(await get(`${url}/me?access_token=x`), 400, 'invalid_request', 'solo');
    await expectRefused(await get(`${url}/me/vip`, await idp.issue()), 403, 'insufficient_scope', 'solo');
    expect(koaErrors).toEqual([]);
  });

  test('errors of the route after it are not its own: they go to Koa (ctx.state.lp has no auth without lpAuth())', async () => {
    const { url, koaErrors } = await soloApp();
    const res = await get(`${url}/me/auth`, await idp.issue());
    expect(res.status).toBe(500);
    expect(koaErrors).toHaveLength(1);
    expect(koaErrors[0]).toBeInstanceOf(ConfigError);
    expect(koaErrors[0]!.message).toContain('app.use(lpAuth(options))');
  });
});
