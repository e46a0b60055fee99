/**
 * No redirect carries a credential (hardening item 3). Each upstream answers with a redirect to a
 * second server of the test's own, which counts what reaches it: nothing may.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, exportJWK, SignJWT } from 'jose';
import { Agent, fetch as undiciFetch, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { createConsumerVerifier, createLpAuth, silentLogger, type LpAuthOptions } from '../core.js';
import { hostileScope, type HostileServer } from './hostile-server.js';
import { TRANSPORTS } from './transports.js';

const ACCOUNT = '1234';
const TOKEN_PATH = `/sentinel/api/account/${ACCOUNT}/app/token`;
const SECRETS = {
  clientSecret: 'client-secret-never-elsewhere',
  password: 'password-never-elsewhere',
  apiKey: 'maven-key-never-elsewhere',
};
const { serve, onCleanup } = hostileScope();

function redirect(res: ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location });
  res.end();
}

function goodToken(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ access_token: 'header.payload.sig', token_type: 'Bearer', expires_in: 3600 }));
}

function lpAuth(domains: Record<string, string>, extra: Partial<LpAuthOptions> = {}) {
  const lp = createLpAuth({
    accountId: ACCOUNT,
    logger: silentLogger,
    domains,
    credentials: {
      appJwt: { clientId: 'client-id', clientSecret: SECRETS.clientSecret },
      orchestratorV1: { apiKey: SECRETS.apiKey },
      orchestratorV2: { username: 'bot', password: SECRETS.password },
      login: { username: 'agent', password: SECRETS.password, keepaliveIntervalMs: 3_600_000 },
    },
    ...extra,
    http: {
      timeoutMs: 2000,
      retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
      ...extra.http,
    },
  });
  onCleanup(() => lp.close());
  return lp;
}

/** Everything that reached the other origin, as one string to search. */
const reached = (evil: HostileServer) => JSON.stringify(evil.seen);

describe.each(TRANSPORTS)('request() over $transport never follows a redirect', ({ http }) => {
  test.each([301, 302, 303, 307, 308])(
    'API %i to another origin: redirect_refused, nothing reaches it',
    async (status) => {
      const evil = await serve((_req, res) => res.end('{}'));
      const api = await serve((req, res) =>
        req.url.startsWith(TOKEN_PATH) ? goodToken(res) : redirect(res, status, `${evil.url}/steal?x=1`),
      );
      const lp = lpAuth({ sentinel: api.url, accountConfigReadOnly: api.url, idp: api.url }, { http });
      for (const client of [lp.clients.appJwt!, lp.clients.orchestratorV1!]) {
        const error = await client
          .request({ service: 'accountConfigReadOnly', path: '/x' })
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'redirect_refused', status, locationOrigin: evil.origin });
        const streamed = await client
          .fetch('/x', { service: 'accountConfigReadOnly' })
          .catch((e: unknown) => e);
        expect(streamed).toMatchObject({ code: 'redirect_refused' });
      }
      expect(evil.seen).toHaveLength(0);
    },
  );

  test('a same-origin redirect of an API call is refused too (LivePerson is not documented to redirect)', async () => {
    const api = await serve((req, res) =>
      req.url.startsWith(TOKEN_PATH) ? goodToken(res) : redirect(res, 302, '/elsewhere'),
    );
    const lp = lpAuth({ sentinel: api.url, accountConfigReadOnly: api.url }, { http });
    const error = await lp.clients
      .appJwt!.request({ service: 'accountConfigReadOnly', path: '/x' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'redirect_refused' });
    expect(api.seen.filter((r) => r.url === '/elsewhere')).toHaveLength(0);
  });
});

describe('a credential never follows a redirect', () => {
  test('Sentinel answering 307: the client secret is not posted again elsewhere', async () => {
    const evil = await serve((_req, res) => goodToken(res));
    const sentinel = await serve((_req, res) => redirect(res, 307, `${evil.url}${TOKEN_PATH}?v=1.0`));
    const lp = lpAuth({ sentinel: sentinel.url, accountConfigReadOnly: sentinel.url });
    const error = await lp.clients
      .appJwt!.request({ service: 'accountConfigReadOnly', path: '/x' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'redirect_refused' });
    expect(sentinel.seen[0]?.body).toContain('client_secret=');
    expect(evil.seen).toHaveLength(0);
    expect(reached(evil)).not.toContain(SECRETS.clientSecret);
  });

  test('the Login Service answering 307: the password is not posted again elsewhere', async () => {
    const evil = await serve((_req, res) => res.end('{}'));
    const agentVep = await serve((_req, res) =>
      redirect(res, 307, `${evil.url}/api/account/${ACCOUNT}/login?v=1.3`),
    );
    const lp = lpAuth({ agentVep: agentVep.url });
    const error = await lp.clients
      .login!.request({ service: 'agentVep', path: '/x' })
      .catch((e: unknown) => e);
    expect(
      JSON.stringify({
        code: (error as { code?: string }).code,
        cause: (error as { cause?: { code?: string } }).cause?.code,
      }),
    ).toMatch(/redirect_refused/);
    expect(agentVep.seen[0]?.body).toContain(SECRETS.password);
    expect(evil.seen).toHaveLength(0);
  });

  test('the Conversation Orchestrator v2 login answering 308: the Basic password goes nowhere else', async () => {
    const evil = await serve((_req, res) => res.end('{"token":"x"}'));
    const context = await serve((_req, res) => redirect(res, 308, `${evil.url}/v2/authenticate/login`));
    const lp = lpAuth({
      orchestratorContext: context.url,
      orchestratorCcs: context.url,
      orchestratorAskMaven: context.url,
    });
    const error = await lp.clients
      .orchestratorV2!.request({ service: 'orchestratorCcs', path: '/x' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'redirect_refused' });
    expect(context.seen[0]?.headers.authorization).toMatch(/^Basic /);
    expect(evil.seen).toHaveLength(0);
  });
});

describe('https upstreams: no downgrade to plain http', () => {
  let tls: { key: string; cert: string } | undefined;
  beforeAll(() => {
    // A throwaway certificate for 127.0.0.1, made by Debian's openssl for this run only.
    const pem = execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        '-',
        '-out',
        '-',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(pem)?.[0];
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
    if (!key || !cert) throw new Error('openssl made no certificate');
    tls = { key, cert };
  });

  async function httpsServer(handler: (url: string, res: ServerResponse) => void): Promise<string> {
    const server = https.createServer(tls!, (req, res) => handler(req.url ?? '/', res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** A fetch that trusts the throwaway certificate (only it), as a proxy-configured app would. */
  function trustingFetch(): typeof fetch {
    const agent = new Agent({ connect: { ca: tls!.cert } });
    onCleanup(() => agent.close());
    return ((input: string | URL, init?: RequestInit) =>
      undiciFetch(input, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
  }

  test('an https API redirecting to http on the same host: refused, the bearer stays', async () => {
    const plain = await serve((_req, res) => res.end('{}'));
    const port = new URL(plain.url).port;
    const api = await httpsServer((url, res) =>
      url.startsWith(TOKEN_PATH) ? goodToken(res) : redirect(res, 302, `http://127.0.0.1:${port}/x`),
    );
    const lpTrusting = createLpAuth({
      accountId: ACCOUNT,
      logger: silentLogger,
      domains: { sentinel: api, accountConfigReadOnly: api },
      http: { fetch: trustingFetch(), retry: { maxAttempts: 1 } },
      credentials: { appJwt: { clientId: 'client-id', clientSecret: SECRETS.clientSecret } },
    });
    onCleanup(() => lpTrusting.close());
    const error = await lpTrusting.clients
      .appJwt!.request({ service: 'accountConfigReadOnly', path: '/x' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'redirect_refused' });
    expect((error as Error).message).toMatch(/downgrades https to http/);
    expect(plain.seen).toHaveLength(0);
  });

  test("undici transport: the app's own dispatcher (setGlobalDispatcher) carries request(); https to http refused", async () => {
    const plain = await serve((_req, res) => res.end('{}'));
    const sentinel = await serve((_req, res) => goodToken(res));
    const port = new URL(plain.url).port;
    const api = await httpsServer((_url, res) => redirect(res, 302, `http://127.0.0.1:${port}/x`));
    // An app that trusts its own CA installs a dispatcher, as it would a ProxyAgent: no http.fetch.
    const previous = getGlobalDispatcher();
    const agent = new Agent({ connect: { ca: tls!.cert } });
    setGlobalDispatcher(agent);
    onCleanup(async () => {
      setGlobalDispatcher(previous);
      await agent.close();
    });
    const lp = lpAuth({ sentinel: sentinel.url, accountConfigReadOnly: api });
    const error = await lp.clients
      .appJwt!.request({ service: 'accountConfigReadOnly', path: '/x' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'redirect_refused' });
    expect((error as Error).message).toMatch(/downgrades https to http/);
    expect(plain.seen).toHaveLength(0);
  });

  test('a consumer JWKS: a same-origin https hop is followed; a hop to http or another origin is not', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const plain = await serve((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
    const idp = await httpsServer((url, res) => {
      if (url === '/moved') return redirect(res, 302, '/keys');
      if (url === '/keys') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ keys: [jwk] }));
      }
      if (url === '/to-http') return redirect(res, 302, `${plain.url}/keys`);
      redirect(res, 302, `https://localhost:${new URL(plain.url).port}/keys`);
    });
    const token = await new SignJWT({ sub: 'consumer-1' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(idp)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const verify = (path: string) => {
      const verifier = createConsumerVerifier(
        { issuer: idp, jwksUri: `${idp}${path}`, jwks: { timeoutMs: 2000 } },
        { logger: silentLogger, fetch: trustingFetch() },
      );
      onCleanup(async () => verifier.close());
      return verifier.verify(token);
    };
    await expect(verify('/moved')).resolves.toMatchObject({ sub: 'consumer-1' });
    await expect(verify('/to-http')).rejects.toMatchObject({
      code: 'jwks_unavailable',
      message: expect.stringMatching(/downgrades/),
    });
    await expect(verify('/elsewhere')).rejects.toMatchObject({
      code: 'jwks_unavailable',
      message: expect.stringMatching(/leaves the origin/),
    });
    expect(plain.seen).toHaveLength(0);
  });
});
