/**
 * Bounded reads (hardening item 4) and no secret on an error (item 10, what upstreams echo), and
 * CSDS answers that are not http(s) (item 11), against upstreams of the test's own.
 */
import { describe, expect, test } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { generateKeyPair, SignJWT } from 'jose';
import { createConsumerVerifier, createLpAuth, LpApiError, silentLogger } from '../core.js';
import { hostileScope } from './hostile-server.js';
import { TRANSPORTS } from './transports.js';

const ACCOUNT = '1234';
const TOKEN_PATH = `/sentinel/api/account/${ACCOUNT}/app/token`;
const MiB = 1024 * 1024;
const { serve, onCleanup } = hostileScope();

function goodToken(res: ServerResponse, token = 'header.payload.sig'): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
}

/** Writes `total` bytes of `fill` in 64 KiB chunks, as fast as the peer reads, until it hangs up. */
function flood(res: ServerResponse, total: number, head = '', status = 200, declareLength = false): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(declareLength ? { 'content-length': String(total) } : {}),
  });
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  const pump = () => {
    if (sent === 0 && head) {
      res.write(head);
      sent += head.length;
    }
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  res.on('error', () => undefined);
  pump();
}

let clients = 0;

function lpAuth(domains: Record<string, string>, http: Record<string, unknown> = {}) {
  // A client id of its own per test: a refusal is remembered process-wide per account and client id.
  const clientId = `client-${++clients}`;
  const lp = createLpAuth({
    accountId: ACCOUNT,
    logger: silentLogger,
    domains,
    http: { timeoutMs: 5000, retry: { maxAttempts: 1 }, ...http },
    credentials: { appJwt: { clientId, clientSecret: 'client-secret-of-the-test' } },
  });
  onCleanup(() => lp.close());
  return lp;
}

describe('every body is read under a byte limit, enforced while streaming', () => {
  test('a 100 MB JWKS: refused after at most a few MB on the wire', async () => {
    const idp = await serve((_req, res) => flood(res, 100 * MiB, '{"keys":['));
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ sub: 'c' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k' })
      .setIssuer(idp.url)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const verifier = createConsumerVerifier(
      { issuer: idp.url, jwksUri: `${idp.url}/jwks` },
      { logger: silentLogger },
    );
    onCleanup(async () => verifier.close());
    const rssBefore = process.memoryUsage().rss;
    const error = await verifier.verify(token).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'jwks_unavailable',
      message: expect.stringMatching(/larger than 524288 bytes/),
    });
    // What the server got into the socket before we hung up: the limit plus socket buffers.
    expect(idp.bytesWritten()).toBeLessThan(8 * MiB);
    console.info(
      `100 MB JWKS: ${(idp.bytesWritten() / MiB).toFixed(1)} MB sent before the hang-up, RSS +${((process.memoryUsage().rss - rssBefore) / MiB).toFixed(1)} MB`,
    );
  });

  test('a declared Content-Length over the limit is refused before reading', async () => {
    const sentinel = await serve((_req, res) => flood(res, 50 * MiB, '', 200, true));
    const lp = lpAuth({ sentinel: sentinel.url, accountConfigReadOnly: sentinel.url });
    const error = await lp.clients
      .appJwt!.request({ service: 'accountConfigReadOnly', path: '/x' })
      .catch((e: unknown) => e);
    expect([
      (error as { code?: string }).code,
      (error as { cause?: { code?: string } }).cause?.code,
    ]).toContain('response_too_large');
    expect(sentinel.bytesWritten()).toBeLessThan(8 * MiB);
  });
});

describe('an error never shows a secret that the upstream echoed back', () => {
  test('Sentinel echoing the request (client_secret) in its 400 and 500 answers', async () => {
    for (const status of [400, 500, 401]) {
      const sentinel = await serve((req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_request', echo: req.body, headers: req.headers }));
      });
      const lp = lpAuth({ sentinel: sentinel.url, accountConfigReadOnly: sentinel.url });
      const error = await lp.clients
        .appJwt!.request({ service: 'accountConfigReadOnly', path: '/x' })
        .catch((e: unknown) => e);
      const printed = [String(error), inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n');
      expect(printed).toMatch(/REDACTED/);
      expect(printed).not.toContain('client-secret-of-the-test');
    }
  });
});

describe.each(TRANSPORTS)('request() over $transport: bounded bodies, secrets kept out', ({ http }) => {
  test('an API declaring a Content-Length over the limit: refused before reading', async () => {
    const api = await serve((req, res) =>
      req.url.startsWith(TOKEN_PATH) ? goodToken(res) : flood(res, 50 * MiB, '', 200, true),
    );
    const lp = lpAuth(
      { sentinel: api.url, accountConfigReadOnly: api.url },
      { ...http, maxResponseBytes: MiB },
    );
    await expect(
      lp.clients.appJwt!.request({ service: 'accountConfigReadOnly', path: '/x' }),
    ).rejects.toMatchObject({ code: 'response_too_large' });
    expect(api.bytesWritten()).toBeLessThan(8 * MiB);
  });

  test('a gzip answer is decoded; a gzip bomb is cut at the limit on the decoded bytes', async () => {
    const small = gzipSync(JSON.stringify([{ id: 1 }]));
    const bomb = gzipSync(Buffer.alloc(32 * MiB, ' '));
    const api = await serve((req, res) => {
      if (req.url.startsWith(TOKEN_PATH)) return goodToken(res);
      if (!String(req.headers['accept-encoding']).includes('gzip')) return void res.end('[]');
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(req.url === '/bomb' ? bomb : small);
    });
    const lp = lpAuth(
      { sentinel: api.url, accountConfigReadOnly: api.url },
      { ...http, maxResponseBytes: MiB },
    );
    const client = lp.clients.appJwt!;
    await expect(client.request({ service: 'accountConfigReadOnly', path: '/x' })).resolves.toMatchObject({
      data: [{ id: 1 }],
    });
    await expect(client.request({ service: 'accountConfigReadOnly', path: '/bomb' })).rejects.toMatchObject({
      code: 'response_too_large',
    });
  });

  test('an error body cut by a reset: the error keeps what had arrived', async () => {
    const api = await serve((req, res, raw) => {
      if (req.url.startsWith(TOKEN_PATH)) return goodToken(res);
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.write('the first part of a refusal');
      setTimeout(() => raw.socket.destroy(), 20);
    });
    const lp = lpAuth({ sentinel: api.url, accountConfigReadOnly: api.url }, http);
    const error = (await lp.clients
      .appJwt!.request({ service: 'accountConfigReadOnly', path: '/x', method: 'POST' })
      .catch((e: unknown) => e)) as LpApiError;
    expect(error).toBeInstanceOf(LpApiError);
    expect(error).toMatchObject({ status: 400, body: 'the first part of a refusal' });
  });

  test('an API answer over http.maxResponseBytes: response_too_large, for request() and fetch()', async () => {
    const api = await serve((req, res) =>
      req.url.startsWith(TOKEN_PATH) ? goodToken(res) : flood(res, 20 * MiB, '['),
    );
    const lp = lpAuth(
      { sentinel: api.url, accountConfigReadOnly: api.url },
      { ...http, maxResponseBytes: MiB },
    );
    await expect(
      lp.clients.appJwt!.request({ service: 'accountConfigReadOnly', path: '/x' }),
    ).rejects.toMatchObject({
      code: 'response_too_large',
    });
    const response = await lp.clients.appJwt!.fetch('/x', { service: 'accountConfigReadOnly' });
    await expect(response.arrayBuffer()).rejects.toMatchObject({ code: 'response_too_large' });
    expect(api.bytesWritten()).toBeLessThan(20 * MiB);
  });

  test('a 10 MB error body is clipped to 64 KiB on the error, and says so', async () => {
    const api = await serve((req, res) =>
      req.url.startsWith(TOKEN_PATH) ? goodToken(res) : flood(res, 10 * MiB, '{"m":"', 500),
    );
    const lp = lpAuth({ sentinel: api.url, accountConfigReadOnly: api.url }, http);
    const error = (await lp.clients
      .appJwt!.request({ service: 'accountConfigReadOnly', path: '/x', method: 'POST' })
      .catch((e: unknown) => e)) as LpApiError;
    expect(error).toBeInstanceOf(LpApiError);
    expect(typeof error.body).toBe('string');
    expect((error.body as string).length).toBeLessThanOrEqual(64 * 1024 + 40);
    expect(error.body as string).toMatch(/clipped at 64 KiB\]$/);
  });

  test('an API echoing the bearer (raw and URL-encoded) in its error body', async () => {
    const bearer = 'eyJ.a-bearer-that-must-not-print.sig';
    const api = await serve((req, res) => {
      if (req.url.startsWith(TOKEN_PATH)) return goodToken(res, bearer);
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(
        `bad request: authorization=${String(req.headers.authorization)} encoded=${encodeURIComponent(bearer)}`,
      );
    });
    const lp = lpAuth({ sentinel: api.url, accountConfigReadOnly: api.url }, http);
    const error = (await lp.clients
      .appJwt!.request({ service: 'accountConfigReadOnly', path: '/x' })
      .catch((e: unknown) => e)) as LpApiError;
    expect(error).toBeInstanceOf(LpApiError);
    const printed = [String(error), inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n');
    expect(String(error.body)).toMatch(/authorization=\[REDACTED\] encoded=\[REDACTED\]/);
    expect(printed).not.toContain('a-bearer-that-must-not-print');
  });
});

describe('CSDS answers that are not http(s) hosts', () => {
  test.each(['file:///etc/passwd', 'ftp://files.example/x', 'data://text/plain,x'])(
    '%s is a typed error naming the service',
    async (baseURI) => {
      const csds = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            baseURIs: [
              { service: 'accountConfigReadOnly', account: ACCOUNT, baseURI },
              { service: 'idp', account: ACCOUNT, baseURI: 'idp.liveperson.example' },
            ],
          }),
        );
      });
      const lp = createLpAuth({
        accountId: ACCOUNT,
        logger: silentLogger,
        csds: { baseUrl: csds.url },
        credentials: { orchestratorV1: { apiKey: 'an-api-key-of-ours' } },
      });
      onCleanup(() => lp.close());
      const error = await lp.domains.resolve('accountConfigReadOnly').catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'csds_unavailable',
        message: expect.stringMatching(/accountConfigReadOnly.*not an http\(s\) host/),
      });
    },
  );
});
