import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { SignJWT } from 'jose';
import {
  createLpAuth,
  DEFAULT_RETRY_POLICY,
  SentinelIdTokenVerifier,
  silentLogger,
  type LpAuth,
} from './core.js';

// Sentinel as wire page §5 describes it: RS256, kid idtoken-19-08-19, iss "Sentinel", aud = client id.
const CLIENT_ID = 'our-app';
const KID = 'idtoken-19-08-19';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

let server: Server;
let lp: LpAuth;
let verifier: SentinelIdTokenVerifier;
let jwksRequests = 0;

beforeAll(async () => {
  const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256' }] });
  server = createServer((req, res) => {
    if (req.url === '/down/sentinel/well-known/jwks') res.writeHead(500).end('{"error":"down"}');
    else if (req.url !== '/sentinel/well-known/jwks') res.writeHead(404).end();
    else {
      jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  lp = createLpAuth({ accountId: '12345678', domains: { sentinel: base }, logger: silentLogger });
  verifier = new SentinelIdTokenVerifier(
    {
      accountId: '12345678',
      domains: lp.domains,
      fetch: (input, init) => fetch(input, init),
      store: lp.store,
      logger: silentLogger,
      retry: DEFAULT_RETRY_POLICY,
      timeoutMs: 5_000,
      now: Date.now,
    },
    CLIENT_ID,
  );
});

afterAll(async () => {
  await lp.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function idToken(claims: Record<string, unknown>, kid = KID): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'user-1', iss: 'Sentinel', aud: CLIENT_ID, iat: now, exp: now + 600, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .sign(privateKey);
}

test("Sentinel's id_token verifies with our client id as aud, and as azp", async () => {
  expect((await verifier.verify(await idToken({}))).id).toBe('user-1');
  expect((await verifier.verify(await idToken({ azp: CLIENT_ID }))).id).toBe('user-1');
  const both = await idToken({ aud: [CLIENT_ID, 'other-app'], azp: CLIENT_ID });
  expect((await verifier.verify(both)).id).toBe('user-1');
});

test('an id_token issued to another client (azp) is refused, even with our client id among its audiences', async () => {
  for (const claims of [
    { aud: [CLIENT_ID, 'other-app'], azp: 'other-app' },
    { azp: 'other-app' },
    { aud: [CLIENT_ID, 'other-app'] }, // several audiences and no azp at all
  ]) {
    await expect(verifier.verify(await idToken(claims))).rejects.toMatchObject({
      code: 'id_token_invalid',
      message: expect.stringMatching(/azp/) as unknown as string,
    });
  }
});

test("an unknown kid is refused; Sentinel's key set is fetched again for it at most once per cooldown", async () => {
  await verifier.verify(await idToken({}));
  const before = jwksRequests;
  for (let i = 0; i < 3; i++) {
    await expect(verifier.verify(await idToken({}, `rotated-${i}`))).rejects.toMatchObject({
      code: 'id_token_invalid',
    });
  }
  expect(jwksRequests - before).toBeLessThanOrEqual(1);
  expect((await verifier.verify(await idToken({}))).id).toBe('user-1');
});

test("Sentinel's key set unavailable: a retryable token_request_failed, not an invalid token", async () => {
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/down`;
  const down = createLpAuth({ accountId: '12345678', domains: { sentinel: base }, logger: silentLogger });
  try {
    const unreachable = new SentinelIdTokenVerifier(
      {
        accountId: '12345678',
        domains: down.domains,
        fetch: (input, init) => fetch(input, init),
        store: down.store,
        logger: silentLogger,
        retry: DEFAULT_RETRY_POLICY,
        timeoutMs: 5_000,
        now: Date.now,
      },
      CLIENT_ID,
    );
    await expect(unreachable.verify(await idToken({}))).rejects.toMatchObject({
      code: 'token_request_failed',
      retryable: true,
      message: expect.stringMatching(/Sentinel/) as unknown as string,
    });
    unreachable.close();
  } finally {
    await down.close();
  }
});
