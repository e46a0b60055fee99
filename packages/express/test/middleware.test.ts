import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from '@jest/globals';
import express from 'express';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { ConfigError, silentLogger, type LpClient } from '@lp-auth/core';
import { consumerOf, lpAuth, lpErrorHandler, lpOf } from '../src/index.js';

const SKILLS = '/api/account/{accountId}/configuration/le-users/skills';
let emu: Emulator | undefined;
let server: Server | undefined;
let closeLp: (() => Promise<void>) | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await closeLp?.();
  await emu?.close();
  server = undefined;
  emu = undefined;
  closeLp = undefined;
});

async function listen(app: express.Express): Promise<string> {
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function appWithEmulator(clientSecret?: string) {
  emu = await startEmulator();
  const middleware = lpAuth({
    ...emu.lpAuthOptions(),
    logger: silentLogger,
    http: { retry: { baseDelayMs: 10, maxDelayMs: 50 } },
    credentials: { appJwt: { ...emu.credentials.appJwt, ...(clientSecret ? { clientSecret } : {}) } },
  });
  closeLp = middleware.close;
  const app = express();
  app.use(middleware);
  const seen: LpClient[] = [];
  app.get('/skills', async (req, res) => {
    seen.push(lpOf(req).clients.appJwt!);
    const { data } = await lpOf(req).clients.appJwt!.request({
      service: 'accountConfigReadOnly',
      path: SKILLS,
    });
    res.json({ skills: data, account: lpOf(req).auth!.accountId });
  });
  app.get('/boom', () => {
    throw new Error('not ours');
  });
  app.use(lpErrorHandler());
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(418).json({ passedOn: error.message });
  });
  return { url: await listen(app), seen };
}

describe('lpAuth() for Express', () => {
  test('puts the clients on every request, built once', async () => {
    const { url, seen } = await appWithEmulator();
    const [a, b] = await Promise.all([fetch(`${url}/skills`), fetch(`${url}/skills`)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const body = (await a.json()) as { skills: unknown[]; account: string };
    expect(Array.isArray(body.skills)).toBe(true);
    expect(body.account).toBe(emu!.accountId);
    expect(seen[0]).toBe(seen[1]);
    expect(emu!.stats.count('sentinel.token')).toBe(1);
  });

  test('a core error becomes a JSON response with its status and code, without secrets', async () => {
    const wrong = 'wrong-secret-0123456789abcdef';
    const { url } = await appWithEmulator(wrong);
    const res = await fetch(`${url}/skills`);
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: 'credentials_rejected' });
    expect(text).not.toContain(wrong);
  });

  test('an upstream failure after retries is a 503 retry_budget_exceeded', async () => {
    const { url } = await appWithEmulator();
    emu!.faults.inject('api.skills', { status: 500, times: Infinity });
    const res = await fetch(`${url}/skills`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'retry_budget_exceeded' });
  });

  test('errors that are not ours pass on to the next handler', async () => {
    const { url } = await appWithEmulator();
    const res = await fetch(`${url}/boom`);
    expect(res.status).toBe(418);
    expect(await res.json()).toEqual({ passedOn: 'not ours' });
  });

  test('bad configuration fails when the middleware is built, naming the field', () => {
    expect(() => lpAuth({ accountId: '' })).toThrow(ConfigError);
    expect(() => lpAuth({ accountId: '1', csds: { baseUrl: 'http://csds.example.com' } })).toThrow(
      /csds\.baseUrl/,
    );
  });

  test('lpOf and consumerOf on a route lpAuth() does not run before: typed errors, not a TypeError', async () => {
    const app = express();
    app.get('/no-setup', (req, res) => res.json({ clients: Object.keys(lpOf(req).clients) }));
    app.get('/no-guard', (req, res) => res.json({ sub: consumerOf(req).sub }));
    app.use(lpErrorHandler());
    const url = await listen(app);

    const noSetup = await fetch(`${url}/no-setup`);
    expect(noSetup.status).toBe(500);
    const setupBody = (await noSetup.json()) as { error: string; message: string };
    expect(setupBody.error).toBe('config_invalid');
    expect(setupBody.message).toContain('app.use(lpAuth(options))');

    const noGuard = await fetch(`${url}/no-guard`);
    expect(noGuard.status).toBe(401);
    expect(noGuard.headers.get('www-authenticate')).toMatch(/^Bearer/);
    // RFC 6750 §3.1: a request without a token gets a challenge without an error code.
    expect(noGuard.headers.get('www-authenticate')).not.toContain('error=');
    expect(((await noGuard.json()) as { error: string }).error).toBe('unauthorized');
  });
  test('req.lp where lpAuth() runs, mounted apps included, and nowhere else; not an own property of the request', async () => {
    const middleware = lpAuth({ accountId: '12345678', logger: silentLogger });
    closeLp = middleware.close;
    const seen = (req: express.Request) => ({
      has: req.lp !== undefined,
      same: req.lp?.auth === middleware.lp,
      own: Object.prototype.hasOwnProperty.call(req, 'lp'),
    });
    const sub = express();
    sub.get('/x', (req, res) => res.json(seen(req)));
    const late = express();
    late.use(lpAuth(middleware.lp));
    late.get('/pass', (_req, _res, next) => next());
    const app = express();
    app.get('/before', (req, res) => res.json(seen(req)));
    app.use('/api', middleware);
    app.use('/api/sub', sub);
    app.get('/api/x', (req, res) => res.json(seen(req)));
    app.use('/late', late);
    app.get('/late/pass', (req, res) => res.json(seen(req)));
    app.get('/outside', (req, res) => res.json(seen(req)));
    const url = await listen(app);
    const read = async (path: string) => (await fetch(`${url}${path}`)).json();

    const inside = { has: true, same: true, own: false };
    expect(await read('/api/x')).toEqual(inside);
    expect(await read('/api/sub/x')).toEqual(inside);
    // Set inside a mounted app, still there once the request is back in the parent (as an own property would be).
    expect(await read('/late/pass')).toEqual(inside);
    const outside = { has: false, same: false, own: false };
    expect(await read('/before')).toEqual(outside);
    expect(await read('/outside')).toEqual(outside);
  });

  test('on a plain Node request (no Express prototype) req.lp is an own property', async () => {
    const middleware = lpAuth({ accountId: '12345678', logger: silentLogger });
    closeLp = middleware.close;
    const { createServer } = await import('node:http');
    server = createServer((req, res) => {
      middleware(req as express.Request, res as express.Response, () => {
        const lp = (req as express.Request).lp;
        res.end(
          JSON.stringify({
            own: Object.prototype.hasOwnProperty.call(req, 'lp'),
            same: lp?.auth === middleware.lp,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(await response.json()).toEqual({ own: true, same: true });
  });
});
