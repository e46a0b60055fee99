import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from '@jest/globals';
import { startConsumerIdp, type ConsumerIdp } from '@lp-auth/testing';
import {
  createConsumerVerifier,
  httpErrorResponse,
  silentLogger,
  type ConsumerVerifier,
  type ConsumerVerifierOptions,
} from '../core.js';

/**
 * Issue 8, key rotation under load: an HTTP server that verifies consumer tokens with the core's
 * verifier (as every adapter does) while the IdP rolls its signing keys. Tokens of a key that is
 * still published keep verifying, thousands of requests across six rotations all pass, and once a
 * key leaves the JWKS and the verifier's copy ages out, its tokens (cached ones too) are refused.
 */
const IN_FLIGHT = 64;
const REQUESTS = 6_000;
const ROTATIONS = 6;

let idp: ConsumerIdp | undefined;
let verifier: ConsumerVerifier | undefined;
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  verifier?.close();
  await idp?.close();
  idp = verifier = server = undefined;
});

/** The IdP, a verifier of its tokens (`jwksUri`, precise codes) and an HTTP server guarding `/` with it. */
async function setUp(options: Partial<ConsumerVerifierOptions> = {}, now?: () => number) {
  idp = await startConsumerIdp();
  verifier = createConsumerVerifier(
    { issuer: idp.issuer, jwksUri: idp.jwksUri, errorDetail: true, ...options },
    { logger: silentLogger, ...(now ? { now } : {}) },
  );
  const guard = verifier;
  server = createServer((req, res) => {
    guard.authenticate({ headers: req.headers }).then(
      (consumer) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sub: consumer.sub }));
      },
      (error: unknown) => {
        const { status, headers, body } = httpErrorResponse(error);
        res.writeHead(status, { ...headers, 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      },
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const get = async (token: string) => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: JSON.parse(await res.text()) as { sub?: string; code?: string } };
  };
  return { idp, get };
}

describe('key rotation under load', () => {
  test('tokens of the old key keep verifying while the new key is published; new ones verify at once', async () => {
    const { idp, get } = await setUp();
    const old = await idp.issue({ claims: { sub: 'old-key' } });
    expect(await get(old)).toEqual({ status: 200, body: { sub: 'old-key' } });
    await idp.rotateKeys();
    const fresh = await idp.issue({ claims: { sub: 'new-key' } });
    // The new kid is unknown to the verifier's copy of the JWKS: one refetch finds it.
    expect(await get(fresh)).toEqual({ status: 200, body: { sub: 'new-key' } });
    expect(await get(old)).toEqual({ status: 200, body: { sub: 'old-key' } });
    expect(idp.stats.jwks).toBe(2);
  });

  test(`${ROTATIONS} rotations while ${REQUESTS} requests flow lose none, and cost one JWKS fetch each`, async () => {
    // No verified-token cache: every request looks its kid up and checks its signature.
    const { idp, get } = await setUp({ cache: false, jwks: { cooldownMs: 0 } });
    const tokensOf = async (generation: number) =>
      Promise.all(
        Array.from({ length: 16 }, (_, i) => idp.issue({ claims: { sub: `g${generation}-${i}` } })),
      );
    // Requests carry tokens of the current key, or of the previous one (issued before the rotation).
    let generations = [{ kid: idp.keys.current.kid, tokens: await tokensOf(0), inFlight: 0 }];
    const answers: Record<number, number> = {};
    const wrong: string[] = [];
    let sent = 0;
    let rotated = 0;

    const rotate = async () => {
      await idp.rotateKeys();
      generations = [
        { kid: idp.keys.current.kid, tokens: await tokensOf(rotated + 1), inFlight: 0 },
        ...generations,
      ];
      // The key before the previous one leaves the JWKS once no request that carries it is in flight.
      const retired = generations.slice(2);
      generations = generations.slice(0, 2);
      for (const gone of retired) {
        while (gone.inFlight > 0) await new Promise((resolve) => setImmediate(resolve));
        idp.keys.retire(gone.kid);
      }
      rotated += 1;
    };

    let rotation: Promise<void> | undefined;
    const worker = async () => {
      // At least REQUESTS, and on until every rotation is done, however fast the machine is.
      while (sent < REQUESTS || rotated < ROTATIONS) {
        const index = sent++;
        if (!rotation && rotated < ROTATIONS && index >= (rotated + 1) * (REQUESTS / (ROTATIONS + 1))) {
          rotation = rotate().finally(() => (rotation = undefined));
        }
        const generation = generations.length > 1 && index % 3 === 0 ? generations[1]! : generations[0]!;
        const token = generation.tokens[index % generation.tokens.length]!;
        generation.inFlight += 1;
        const { status, body } = await get(token).finally(() => (generation.inFlight -= 1));
        answers[status] = (answers[status] ?? 0) + 1;
        if (status !== 200 || !body.sub?.startsWith('g'))
          wrong.push(`#${index}: ${status} ${JSON.stringify(body)}`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await rotation;

    expect(wrong.slice(0, 5)).toEqual([]);
    expect(answers).toEqual({ 200: sent });
    expect(sent).toBeGreaterThanOrEqual(REQUESTS);
    expect(rotated).toBe(ROTATIONS);
    // The first fetch, then one per rotation at most: concurrent requests with a new kid share it.
    expect(idp.stats.jwks).toBeGreaterThanOrEqual(1);
    expect(idp.stats.jwks).toBeLessThanOrEqual(1 + ROTATIONS);
  });

  test('once the old key leaves the JWKS and the copy ages out, its tokens are refused, cached ones too', async () => {
    let skewMs = 0;
    const maxAgeMs = 60_000;
    const { idp, get } = await setUp({ jwks: { maxAgeMs, cooldownMs: 1_000 } }, () => Date.now() + skewMs);
    const oldKid = idp.keys.current.kid;
    const old = await idp.issue({ claims: { sub: 'old-key' } });
    expect((await get(old)).status).toBe(200); // now in the verified-token cache
    await idp.rotateKeys();
    const fresh = await idp.issue({ claims: { sub: 'new-key' } });
    expect((await get(fresh)).status).toBe(200);
    idp.keys.retire(oldKid);
    // The policy: the verifier trusts its copy of the JWKS until it is maxAgeMs old.
    expect((await get(old)).status).toBe(200);

    skewMs = maxAgeMs + 1;
    const answers: Awaited<ReturnType<typeof get>>[] = [];
    for (let i = 0; i < 2_000; i += IN_FLIGHT) {
      const batch = Array.from({ length: IN_FLIGHT }, (_, j) => get((i + j) % 2 ? old : fresh));
      answers.push(...(await Promise.all(batch)));
    }
    const oldAnswers = answers.filter((_, i) => i % 2 === 1);
    const freshAnswers = answers.filter((_, i) => i % 2 === 0);
    expect(new Set(oldAnswers.map(({ status, body }) => `${status} ${body.code}`))).toEqual(
      new Set(['401 key_not_found']),
    );
    expect(new Set(freshAnswers.map(({ status, body }) => `${status} ${body.sub}`))).toEqual(
      new Set(['200 new-key']),
    );
  });
});
