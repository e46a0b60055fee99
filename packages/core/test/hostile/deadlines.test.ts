/**
 * Deadlines that always fire (hardening item 1) and typed failures (item 2), against upstreams of
 * the test's own that stall, reset and refuse. Runs under --expose-gc: each stalled call is awaited
 * while gc() runs every 20 ms, since a collected timer is exactly how a deadline used to vanish.
 */
import { describe, expect, test } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { generateKeyPair, SignJWT } from 'jose';
import { fetch as undiciFetch } from 'undici';
import {
  createConsumerVerifier,
  createLpAuth,
  isLpAuthError,
  LpAuthError,
  silentLogger,
  type LpAuth,
  type LpAuthOptions,
} from '../core.js';
import { hostileScope, stallBody, timed, underGcPressure } from './hostile-server.js';
import { TRANSPORTS } from './transports.js';

const ACCOUNT = '1234';
const TOKEN_PATH = `/sentinel/api/account/${ACCOUNT}/app/token`;
const SKILLS = '/api/account/{accountId}/configuration/le-users/skills';
/** Each exchange's deadline; a stalled call must fail in under 3× it (generous on a loaded 2-core CI machine). */
const DEADLINE_MS = 1000;
const BOUND_MS = 3 * DEADLINE_MS;
const { serve, onCleanup } = hostileScope();
/**
 * A port that refuses connections for the whole test: below 1024, so the kernel never hands it to
 * another test's listen(0) (a port bound and released here could be), and not one of fetch's
 * "bad ports" (1 is), which fetch would refuse without dialling.
 */
const REFUSED_PORT = 2;

// A client id of its own per test: a refusal is remembered process-wide per account and client id.
let clients = 0;

function lpAuth(sentinel: string, api: string, extra: Partial<LpAuthOptions> = {}): LpAuth {
  const lp = createLpAuth({
    accountId: ACCOUNT,
    logger: silentLogger,
    domains: { sentinel, accountConfigReadOnly: api, idp: api },
    credentials: { appJwt: { clientId: `client-${++clients}`, clientSecret: 'a-client-secret-of-ours' } },
    ...extra,
    http: {
      timeoutMs: DEADLINE_MS,
      retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 20 },
      ...extra.http,
    },
  });
  onCleanup(() => lp.close());
  return lp;
}

/** A token endpoint that works: a token valid for an hour. */
function goodToken(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ access_token: 'header.payload.sig', token_type: 'Bearer', expires_in: 3600 }));
}

describe('every outgoing request ends within its deadline, headers and body, under forced GC', () => {
  test('a token endpoint that sends headers and then stalls: typed timeout within 3× the deadline', async () => {
    const sentinel = await serve((_req, res) => stallBody(res));
    const lp = lpAuth(sentinel.url, sentinel.url);
    const { ms, error } = await timed(() =>
      underGcPressure(lp.clients.appJwt!.request({ service: 'accountConfigReadOnly', path: SKILLS })),
    );
    expect(isLpAuthError(error)).toBe(true);
    // One attempt (maxAttempts 1): the budget error carries the timeout as its cause.
    expect(
      JSON.stringify([(error as LpAuthError).code, ((error as LpAuthError).cause as LpAuthError)?.code]),
    ).toMatch(/timeout/);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(sentinel.seen.filter((r) => r.url.startsWith(TOKEN_PATH))).toHaveLength(1);
  });

  test('fetch(): the body the caller reads later is still bounded by the deadline', async () => {
    const api = await serve((req, res) =>
      req.url.startsWith(TOKEN_PATH) ? goodToken(res) : stallBody(res, 'text/plain'),
    );
    const lp = lpAuth(api.url, api.url);
    const response = await lp.clients.appJwt!.fetch('/api/skills', {
      service: 'accountConfigReadOnly',
      method: 'POST',
    });
    expect(response.status).toBe(200);
    const { ms, error } = await timed(() => underGcPressure(response.text()));
    expect(error).toMatchObject({ code: 'timeout' });
    expect(ms).toBeLessThan(BOUND_MS);
  });

  test("a caller's timeoutMs bounds the whole call, the token fetch it triggers included", async () => {
    // The token endpoint never answers; the client's own per-exchange deadline is long.
    const sentinel = await serve(() => undefined);
    const lp = lpAuth(sentinel.url, sentinel.url, { http: { timeoutMs: 20_000 } });
    const { ms, error } = await timed(() =>
      underGcPressure(
        lp.clients.appJwt!.request({
          service: 'accountConfigReadOnly',
          path: SKILLS,
          timeoutMs: DEADLINE_MS,
        }),
      ),
    );
    expect(error).toMatchObject({ code: 'timeout' });
    expect(ms).toBeLessThan(BOUND_MS);
  });

  test("a caller's signal ends a call waiting for a token, with a typed error", async () => {
    const sentinel = await serve(() => undefined);
    const lp = lpAuth(sentinel.url, sentinel.url, { http: { timeoutMs: 20_000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const { ms, error } = await timed(() =>
      lp.clients.appJwt!.request({
        service: 'accountConfigReadOnly',
        path: SKILLS,
        signal: controller.signal,
      }),
    );
    expect(error).toMatchObject({ code: 'aborted' });
    expect(ms).toBeLessThan(200 + BOUND_MS);
  });

  test('single-flight waiters are released together, with the same typed error, after one token call', async () => {
    const sentinel = await serve((_req, res) => stallBody(res));
    const lp = lpAuth(sentinel.url, sentinel.url);
    const calls = Array.from({ length: 20 }, () =>
      timed(() => lp.clients.appJwt!.request({ service: 'accountConfigReadOnly', path: SKILLS })),
    );
    const results = await underGcPressure(Promise.all(calls));
    expect(new Set(results.map((r) => (r.error as LpAuthError).code)).size).toBe(1);
    expect(results.every((r) => isLpAuthError(r.error) && r.ms < BOUND_MS)).toBe(true);
    expect(sentinel.seen).toHaveLength(1);
  });

  test('CSDS that stalls mid-body: csds_unavailable within 3× the deadline', async () => {
    const csds = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"baseURIs":[');
    });
    const lp = createLpAuth({
      accountId: ACCOUNT,
      logger: silentLogger,
      csds: { baseUrl: csds.url },
      http: { timeoutMs: DEADLINE_MS, retry: { maxAttempts: 1 } },
      credentials: { orchestratorV1: { apiKey: 'an-api-key-of-ours' } },
    });
    onCleanup(() => lp.close());
    const { ms, error } = await timed(() => underGcPressure(lp.domains.resolve('accountConfigReadOnly')));
    expect(error).toMatchObject({ code: 'csds_unavailable' });
    expect(String((error as Error).message)).toMatch(/timed out after 1000 ms/);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  test('a consumer JWKS and an OpenID discovery document that stall: the verification fails in bound', async () => {
    const idp = await serve((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"issuer":');
        return;
      }
      stallBody(res);
    });
    const jwksVerifier = createConsumerVerifier(
      { issuer: idp.url, jwksUri: `${idp.url}/jwks`, jwks: { timeoutMs: DEADLINE_MS } },
      { logger: silentLogger },
    );
    const discovered = createConsumerVerifier(
      { issuer: idp.url, jwks: { timeoutMs: DEADLINE_MS } },
      { logger: silentLogger },
    );
    onCleanup(async () => {
      jwksVerifier.close();
      discovered.close();
    });
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'consumer-1' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(idp.url)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    for (const verifier of [jwksVerifier, discovered]) {
      const { ms, error } = await timed(() => underGcPressure(verifier.verify(token)));
      expect(error).toMatchObject({ code: 'jwks_unavailable' });
      expect(ms).toBeLessThan(BOUND_MS);
    }
    expect(idp.seen.map((r) => r.url)).toEqual(['/jwks', '/.well-known/openid-configuration']);
  });
});

describe.each(TRANSPORTS)(
  'request() over $transport: deadlines and typed failures',
  ({ transport, http }) => {
    /** Answers the token endpoint and `/warm`; true when it did. */
    function warmOrToken(url: string, res: ServerResponse): boolean {
      if (url.startsWith(TOKEN_PATH)) goodToken(res);
      else if (url === '/warm') res.end('{}');
      else return false;
      return true;
    }

    /** Fetches the token outside the GC pressure, so that only the API exchange meets the deadline. */
    async function warm(lp: LpAuth): Promise<void> {
      await lp.clients.appJwt!.request({ service: 'accountConfigReadOnly', path: '/warm' });
    }

    test('an API body that stalls, with a caller signal that never fires: timeout, not a hang', async () => {
      const api = await serve((req, res) => (warmOrToken(req.url, res) ? undefined : stallBody(res)));
      const lp = lpAuth(api.url, api.url, { http });
      await warm(lp);
      const never = new AbortController();
      const { ms, error } = await timed(() =>
        underGcPressure(
          lp.clients.appJwt!.request({
            service: 'accountConfigReadOnly',
            path: SKILLS,
            method: 'POST',
            json: {},
            signal: never.signal,
          }),
        ),
      );
      expect(error).toMatchObject({ code: 'timeout' });
      expect(ms).toBeLessThan(BOUND_MS);
    });

    test('an API that never sends its headers: timeout, not a hang', async () => {
      const api = await serve((req, res) => void warmOrToken(req.url, res));
      const lp = lpAuth(api.url, api.url, { http });
      await warm(lp);
      const { error } = await timed(() =>
        underGcPressure(
          lp.clients.appJwt!.request({ service: 'accountConfigReadOnly', path: SKILLS, method: 'POST' }),
        ),
      );
      expect(error).toMatchObject({ code: 'timeout' });
    });

    test("the caller's signal ends a body that stalls: aborted, with the caller's reason", async () => {
      const api = await serve((req, res) =>
        req.url.startsWith(TOKEN_PATH) ? goodToken(res) : stallBody(res),
      );
      const lp = lpAuth(api.url, api.url, { http: { ...http, timeoutMs: 20_000 } });
      const controller = new AbortController();
      const reason = new Error('the caller went away');
      const call = timed(() =>
        underGcPressure(
          lp.clients.appJwt!.request({
            service: 'accountConfigReadOnly',
            path: SKILLS,
            signal: controller.signal,
          }),
        ),
      );
      // Abort once the API has the request (its headers are answered, the body stalls).
      while (api.calls() < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort(reason);
      const { error } = await call;
      expect(error).toMatchObject({ code: 'aborted', cause: reason });
    });

    test('a reset mid-body on a GET is retried within the budget, and the caller gets the answer', async () => {
      let apiCalls = 0;
      const api = await serve((req, res, raw) => {
        if (req.url.startsWith(TOKEN_PATH)) return goodToken(res);
        apiCalls += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        if (apiCalls === 1) {
          res.write('[{"id":');
          setTimeout(() => raw.socket.destroy(), 20);
          return;
        }
        res.end('[{"id":1}]');
      });
      const lp = lpAuth(api.url, api.url, {
        http: { ...http, retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 } },
      });
      const { data } = await lp.clients.appJwt!.request({ service: 'accountConfigReadOnly', path: SKILLS });
      expect(data).toEqual([{ id: 1 }]);
      expect(apiCalls).toBe(2);
    });

    test('a reset mid-body on a POST is a network_error, sent once (not repeated)', async () => {
      let apiCalls = 0;
      const api = await serve((req, res, raw) => {
        if (req.url.startsWith(TOKEN_PATH)) return goodToken(res);
        apiCalls += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"a":');
        setTimeout(() => raw.socket.destroy(), 20);
      });
      const lp = lpAuth(api.url, api.url, {
        http: { ...http, retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 } },
      });
      const error = await lp.clients
        .appJwt!.request({ service: 'accountConfigReadOnly', path: SKILLS, method: 'POST', json: {} })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LpAuthError);
      expect(error).toMatchObject({ code: 'network_error' });
      expect(apiCalls).toBe(1);
    });

    test('an API whose port refuses connections: a network_error naming ECONNREFUSED', async () => {
      const sentinel = await serve((_req, res) => goodToken(res));
      const lp = lpAuth(sentinel.url, `http://127.0.0.1:${REFUSED_PORT}`, { http });
      const error = await lp.clients
        .appJwt!.request({ service: 'accountConfigReadOnly', path: SKILLS, method: 'POST' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'network_error' });
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
    });

    test('an API on a port fetch never dials (25, SMTP): refused before any connection', async () => {
      const sentinel = await serve((_req, res) => goodToken(res));
      const lp = lpAuth(sentinel.url, 'http://127.0.0.1:25', { http });
      const error = await lp.clients
        .appJwt!.request({ service: 'accountConfigReadOnly', path: SKILLS, method: 'POST' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'network_error' });
      expect((error as Error).message).toMatch(/bad port/);
    });

    test('bodies: a string and a form get the content-type fetch gives them; a Blob is sent as fetch sends it', async () => {
      const api = await serve((req, res) =>
        req.url.startsWith(TOKEN_PATH) ? goodToken(res) : res.end('{}'),
      );
      const lp = lpAuth(api.url, api.url, { http });
      const client = lp.clients.appJwt!;
      const send = (body: unknown) =>
        client.request({
          service: 'accountConfigReadOnly',
          path: '/b',
          method: 'POST',
          body: body as string,
        });
      await send('plain text');
      await send(new URLSearchParams({ a: '1', b: 'two' }));
      await send(new TextEncoder().encode('bytes'));
      await send(new Blob(['a blob'], { type: 'text/x-blob' }));
      const sent = api.seen.filter((r) => r.url === '/b');
      expect(sent.map((r) => [r.body, r.headers['content-type']])).toEqual([
        ['plain text', 'text/plain;charset=UTF-8'],
        ['a=1&b=two', 'application/x-www-form-urlencoded;charset=UTF-8'],
        ['bytes', undefined],
        ['a blob', 'text/x-blob'],
      ]);
    });

    test(`the exchange goes out through ${transport === 'undici' ? "undici's request()" : 'the configured fetch'}`, async () => {
      const api = await serve((req, res) =>
        req.url.startsWith(TOKEN_PATH) ? goodToken(res) : res.end('{"ok":true}'),
      );
      const lp = lpAuth(api.url, api.url, { http });
      const { data, headers } = await lp.clients.appJwt!.request<{ ok: boolean }>({
        service: 'accountConfigReadOnly',
        path: SKILLS,
      });
      expect(data).toEqual({ ok: true });
      expect(headers.get('content-length')).toBe('11');
      const sent = api.seen.find((r) => !r.url.startsWith(TOKEN_PATH))!;
      expect(sent.headers.authorization).toBe('Bearer header.payload.sig');
      // fetch adds the headers of a browser's request; undici's dispatcher API sends only ours.
      expect(sent.headers['sec-fetch-mode']).toBe(transport === 'fetch' ? 'cors' : undefined);
    });
  },
);

test('request() over a configured fetch of another undici copy (its own Headers class) answers with its headers', async () => {
  const api = await serve((req, res) => {
    if (req.url.startsWith(TOKEN_PATH)) return goodToken(res);
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-1' });
    res.end('{"ok":true}');
  });
  const lp = lpAuth(api.url, api.url, {
    http: {
      fetch: (input, init) => undiciFetch(input as string, init as object) as unknown as Promise<Response>,
    },
  });
  const answer = await lp.clients.appJwt!.request({ service: 'accountConfigReadOnly', path: SKILLS });
  expect(answer).toMatchObject({ status: 200, data: { ok: true }, requestId: 'req-1' });
  expect(answer.headers.get('content-type')).toBe('application/json');
});

describe('every failure of fetch() and the token fetch is typed', () => {
  test('fetch(): a reset while the caller reads the body is a typed network_error', async () => {
    const api = await serve((req, res, raw) => {
      if (req.url.startsWith(TOKEN_PATH)) return goodToken(res);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      setTimeout(() => raw.socket.destroy(), 20);
    });
    const lp = lpAuth(api.url, api.url);
    const response = await lp.clients.appJwt!.fetch(SKILLS, { service: 'accountConfigReadOnly' });
    await expect(response.text()).rejects.toMatchObject({ code: 'network_error' });
  });

  test('a refused connection names ECONNREFUSED, not just "fetch failed"', async () => {
    const lp = lpAuth(`http://127.0.0.1:${REFUSED_PORT}`, `http://127.0.0.1:${REFUSED_PORT}`);
    const error = await lp.clients
      .appJwt!.request({ service: 'accountConfigReadOnly', path: SKILLS })
      .catch((e: unknown) => e);
    const messages = [(error as Error).message, ((error as Error).cause as Error | undefined)?.message].join(
      ' | ',
    );
    expect(messages).toMatch(/ECONNREFUSED/);
    expect(isLpAuthError(error)).toBe(true);
  });

  test('a port fetch never dials (9, "discard") says so, not just "fetch failed"', async () => {
    // fetch refuses such ports itself, before any connection: nothing leaves the machine.
    const lp = lpAuth('http://127.0.0.1:9', 'http://127.0.0.1:9');
    const error = await lp.clients
      .appJwt!.request({ service: 'accountConfigReadOnly', path: SKILLS })
      .catch((e: unknown) => e);
    const messages = [(error as Error).message, ((error as Error).cause as Error | undefined)?.message].join(
      ' | ',
    );
    expect(messages).toMatch(/fetch failed: bad port/);
    expect(isLpAuthError(error)).toBe(true);
  });
});
