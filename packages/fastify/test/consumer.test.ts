import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { startConsumerIdp, type ConsumerIdp } from '@lp-auth/testing';
import { silentLogger, type ConsumerVerifierOptions } from '@lp-auth/core';
import {
  consumerCheck,
  consumerClaimEquals,
  lpAuth,
  optionalConsumer,
  requireConsumer,
  type LpAuthFastifyOptions,
} from '../src/index.js';
import { asAlgNone, tamperPayload } from '../../core/test/consumer-support.js';

let idp: ConsumerIdp;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  idp = await startConsumerIdp();
});
afterAll(async () => {
  await idp.close();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** A Fastify app with the plugin (`consumer` trusting the IdP) and `routes`, listening on loopback. */
async function serve(
  routes: (app: FastifyInstance) => void | Promise<void>,
  pluginOptions: LpAuthFastifyOptions & { consumer?: ConsumerVerifierOptions | false } = {},
): Promise<{ url: string; app: FastifyInstance; rejected: string[] }> {
  const app = Fastify();
  apps.push(app);
  const { consumer = { issuer: idp.issuer }, ...rest } = pluginOptions;
  await app.register(lpAuth, {
    accountId: '12345678',
    logger: silentLogger,
    ...(consumer ? { consumer } : {}),
    ...rest,
  });
  const rejected: string[] = [];
  app.lp.on('consumer.rejected', (e) => rejected.push(e.code));
  await routes(app);
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), app, rejected };
}

const get = (url: string, token?: string) =>
  fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

async function expectRefused(res: Response, status: number, error?: string, realm = 'api') {
  expect(res.status).toBe(status);
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge.startsWith(`Bearer realm="${realm}"`)).toBe(true);
  if (error) expect(challenge).toContain(`error="${error}"`);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body.error).toBe(error ?? 'unauthorized');
  return body;
}

describe('consumerGuard option and config.lpAuth on routes', () => {
  const routes = async (app: FastifyInstance) => {
    app.get('/orders', async (request) => ({ sub: request.lp!.consumer!.sub }));
    app.get('/health', { config: { lpAuth: { public: true } } }, async () => ({ ok: true }));
    app.get('/catalog', { config: { lpAuth: { consumer: 'optional' } } }, async (request) => ({
      sub: request.lp!.consumer?.sub ?? null,
    }));
    app.get('/vip', { preHandler: consumerClaimEquals('tier', 'vip') }, async () => ({ vip: true }));
    await app.register(
      async (child) => {
        child.get('/invoices', async (request) => ({ sub: request.lp!.consumer!.sub }));
      },
      { prefix: '/billing' },
    );
  };

  test("'required' guards every route, in child plugins too, unless the route opts out", async () => {
    const { url } = await serve(routes, { consumerGuard: 'required' });
    const token = await idp.issue({ claims: { sub: 'c-1', tier: 'vip' } });
    for (const path of ['/orders', '/billing/invoices']) {
      await expectRefused(await get(`${url}${path}`), 401);
      const ok = await get(`${url}${path}`, token);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ sub: 'c-1' });
    }
    const health = await get(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    // An unknown path is guarded too: without a token it reveals nothing about which routes exist.
    await expectRefused(await get(`${url}/no-such-route`), 401);
    expect((await get(`${url}/no-such-route`, token)).status).toBe(404);
  });

  test("a route's consumer: 'optional' lets no token through and still refuses a bad one", async () => {
    const { url, rejected } = await serve(routes, { consumerGuard: 'required' });
    expect(await (await get(`${url}/catalog`)).json()).toEqual({ sub: null });
    expect(await (await get(`${url}/catalog`, await idp.issue({ claims: { sub: 'c-2' } }))).json()).toEqual({
      sub: 'c-2',
    });
    await expectRefused(
      await get(`${url}/catalog`, await idp.issue({ expiresInSeconds: -60 })),
      401,
      'invalid_token',
    );
    expect(rejected).toEqual(['token_expired']);
  });

  test('a route claim check runs after the plugin guard: 403 for the wrong claim, 401 without a token', async () => {
    const { url } = await serve(routes, { consumerGuard: 'required' });
    expect((await get(`${url}/vip`, await idp.issue({ claims: { tier: 'vip' } }))).status).toBe(200);
    await expectRefused(
      await get(`${url}/vip`, await idp.issue({ claims: { tier: 'basic' } })),
      403,
      'insufficient_scope',
    );
    await expectRefused(await get(`${url}/vip`), 401);
  });

  test("'optional' for every route: the consumer is there when a token is", async () => {
    const { url } = await serve(routes, { consumerGuard: 'optional' });
    const token = await idp.issue({ claims: { sub: 'c-3' } });
    expect(await (await get(`${url}/catalog`, token)).json()).toEqual({ sub: 'c-3' });
    expect((await get(`${url}/health`)).status).toBe(200);
    await expectRefused(await get(`${url}/orders`, asAlgNone(token)), 401, 'invalid_token');
  });

  test('without the option, config.lpAuth.consumer guards that route alone', async () => {
    const { url } = await serve(async (app) => {
      app.get('/open', async (request) => ({ sub: request.lp!.consumer?.sub ?? null }));
      app.get('/closed', { config: { lpAuth: { consumer: 'required' } } }, async (request) => ({
        sub: request.lp!.consumer!.sub,
      }));
    });
    expect(await (await get(`${url}/open`)).json()).toEqual({ sub: null });
    await expectRefused(await get(`${url}/closed`), 401);
    const forged = tamperPayload(await idp.issue(), (p) => (p.sub = 'admin'));
    await expectRefused(await get(`${url}/closed`, forged), 401, 'invalid_token');
    expect((await get(`${url}/closed`, await idp.issue())).status).toBe(200);
  });

  test('the guard runs before schema validation: a request without a token learns nothing about the schema', async () => {
    const { url } = await serve(
      (app) => {
        const schema = {
          body: { type: 'object', required: ['item'], properties: { item: { type: 'string' } } },
        };
        app.post('/orders', { schema }, async (request) => ({ sub: request.lp!.consumer!.sub }));
      },
      { consumerGuard: 'required' },
    );
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ wrong: 1 }),
      });
    await expectRefused(await post({}), 401);
    expect((await post({ authorization: `Bearer ${await idp.issue()}` })).status).toBe(400);
  });

  test('a form body token: refused unless enabled, read by the plugin guard when enabled', async () => {
    const token = await idp.issue({ claims: { sub: 'form-1' } });
    const routesWithForms = (app: FastifyInstance) => {
      // How a Fastify app without @fastify/formbody reads forms.
      app.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string' },
        (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
      );
      app.post('/orders', async (request) => ({ sub: request.lp!.consumer!.sub }));
    };
    const post = (url: string) =>
      fetch(`${url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: token }),
      });
    const strict = await serve(routesWithForms, { consumerGuard: 'required' });
    await expectRefused(await post(strict.url), 400, 'invalid_request');
    const open = await serve(routesWithForms, {
      consumerGuard: 'required',
      consumer: { issuer: idp.issuer, tokenLocations: { body: true } },
    });
    const res = await post(open.url);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'form-1' });
  });

  test('two Authorization headers on a guarded route: 400 invalid_request', async () => {
    const { url, rejected } = await serve(routes, { consumerGuard: 'required' });
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
    expect(rejected).toEqual(['multiple_tokens']);
  });
});

describe('start-up checks', () => {
  test('consumerGuard without any verifier fails register, naming the option', async () => {
    const app = Fastify();
    await expect(
      app.register(lpAuth, { accountId: '12345678', logger: silentLogger, consumerGuard: 'required' }),
    ).rejects.toMatchObject({ code: 'config_invalid', field: 'consumer' });
    await app.close();
  });

  test('an unknown consumerGuard mode fails register', async () => {
    const app = Fastify();
    await expect(
      app.register(lpAuth, {
        accountId: '12345678',
        logger: silentLogger,
        consumer: { issuer: idp.issuer },
        consumerGuard: 'sometimes' as 'required',
      }),
    ).rejects.toMatchObject({ code: 'config_invalid', field: 'consumerGuard' });
    await app.close();
  });

  test.each<[string, unknown, RegExp]>([
    ['a misspelt mode', { consumer: 'requried' }, /"consumer" must be 'required' or 'optional'/],
    ['public with a guard', { public: true, consumer: 'required' }, /cannot also have a consumer guard/],
    ['public not a boolean', { public: 'yes' }, /"public" must be true or false/],
  ])('a route with %s in config.lpAuth fails when it is declared', async (_name, lpAuthConfig, message) => {
    const declare = serve((app) => {
      app.get('/x', { config: { lpAuth: lpAuthConfig as { public?: boolean } } }, async () => ({}));
    });
    await expect(declare).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(message),
    });
    await expect(declare).rejects.toMatchObject({ field: 'config.lpAuth of GET /x' });
  });

  test('config.lpAuth.consumer on an app without the consumer option fails when it is declared', async () => {
    const declare = serve(
      (app) => {
        app.get('/x', { config: { lpAuth: { consumer: 'optional' } } }, async () => ({}));
      },
      { consumer: false },
    );
    await expect(declare).rejects.toMatchObject({ code: 'config_invalid', field: 'consumer' });
  });
});

describe('app.lp.requireConsumer() and app.lp.optionalConsumer()', () => {
  test("guard with the app's verifier, next to the core's clients and events", async () => {
    const { url, app, rejected } = await serve((a) => {
      a.get('/orders', { preHandler: a.lp.requireConsumer() }, async (request) => ({
        sub: request.lp!.consumer!.sub,
        hasClients: typeof request.lp!.clients === 'object',
      }));
      a.get('/catalog', { preHandler: a.lp.optionalConsumer() }, async (request) => ({
        sub: request.lp!.consumer?.sub ?? null,
      }));
    });
    expect(await (await get(`${url}/orders`, await idp.issue({ claims: { sub: 'lp-1' } }))).json()).toEqual({
      sub: 'lp-1',
      hasClients: true,
    });
    await expectRefused(await get(`${url}/orders`), 401);
    expect(await (await get(`${url}/catalog`)).json()).toEqual({ sub: null });
    expect(rejected).toEqual(['token_missing']);
    // app.lp is the core: its properties and methods read through.
    expect(app.lp.accountId).toBe('12345678');
    expect(app.lp.consumer).toBeDefined();
    expect(() => app.lp.client('appJwt')).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });

  test('{ verifier: options } builds a verifier for this guard, whose refusals reach app.lp events', async () => {
    const other = await startConsumerIdp();
    try {
      const { url, rejected } = await serve((a) => {
        const guard = a.lp.requireConsumer({ verifier: { issuer: other.issuer, realm: 'partners' } });
        a.get('/partners', { preHandler: guard }, async (request) => ({ sub: request.lp!.consumer!.sub }));
      });
      const ok = await get(`${url}/partners`, await other.issue({ claims: { sub: 'p-1' } }));
      expect(await ok.json()).toEqual({ sub: 'p-1' });
      // A token of the app's own IdP is not one of the partners'.
      await expectRefused(await get(`${url}/partners`, await idp.issue()), 401, 'invalid_token', 'partners');
      expect(rejected).toEqual(['issuer_mismatch']);
    } finally {
      await other.close();
    }
  });

  test('without a verifier, app.lp.requireConsumer() throws at start-up, not on a request', async () => {
    await expect(
      serve(
        (a) => {
          a.get('/orders', { preHandler: a.lp.requireConsumer() }, async () => ({}));
        },
        { consumer: false },
      ),
    ).rejects.toMatchObject({ code: 'config_invalid', field: 'consumer' });
  });

  test('typed for routes with their own generics', async () => {
    const { url } = await serve((a) => {
      a.get<{ Params: { id: string } }>(
        '/orders/:id',
        { preHandler: [a.lp.requireConsumer(), consumerCheck((claims) => claims.sub === 'owner-1')] },
        async (request) => ({ id: request.params.id, sub: request.lp!.consumer!.sub }),
      );
    });
    const owner = await idp.issue({ claims: { sub: 'owner-1' } });
    expect(await (await get(`${url}/orders/7`, owner)).json()).toEqual({ id: '7', sub: 'owner-1' });
    await expectRefused(await get(`${url}/orders/7`, await idp.issue()), 403, 'insufficient_scope');
  });
});

describe('guards without the plugin', () => {
  test('a guard given its own verifier answers its refusals itself, with the challenge', async () => {
    const app = Fastify();
    apps.push(app);
    const guard = requireConsumer({ verifier: { issuer: idp.issuer, jwksUri: idp.jwksUri, realm: 'solo' } });
    app.get('/me', { preHandler: guard }, async (request) => ({ sub: request.lp!.consumer!.sub }));
    app.get('/me/vip', { preHandler: [guard, consumerClaimEquals('tier', 'vip')] }, async () => ({ ok: 1 }));
    app.get('/maybe', { preHandler: optionalConsumer({ verifier: { issuer: idp.issuer } }) }, async (r) => ({
      sub: r.lp?.consumer?.sub ?? null,
    }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    expect(await (await get(`${url}/me`, await idp.issue({ claims: { sub: 'solo-1' } }))).json()).toEqual({
      sub: 'solo-1',
    });
    const missing = await get(`${url}/me`);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="solo"');
    await expectRefused(missing, 401, undefined, 'solo');
    await expectRefused(await get(`${url}/me/vip`, await idp.issue()), 403, 'insufficient_scope', 'solo');
    expect(await (await get(`${url}/maybe`)).json()).toEqual({ sub: null });
  });

  test('requireConsumer() with no verifier anywhere is a config error, not a pass', async () => {
    const { url } = await serve(
      (a) => {
        a.get('/orders', { preHandler: requireConsumer() }, async () => ({ ok: true }));
      },
      { consumer: false },
    );
    const res = await get(`${url}/orders`, await idp.issue());
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'config_invalid', field: 'consumer' });
  });
});
