import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { startConsumerIdp, type ConsumerIdp } from '../consumer-idp/consumer-idp.js';
import { startEmulator } from '../emulator/start.js';
import type { ConformanceApp, ConformanceCase, ConformanceHarness } from './harness.js';

/** The JSON body, parsed in this realm (Jest's deep equality also compares prototypes). */
const jsonOf = async (res: Response): Promise<unknown> => JSON.parse(await res.text()) as unknown;

const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Runs `body` with a consumer IdP and an app whose `consumer` option trusts it (found by discovery),
 * with the adapter's `errorResponse` options and a `logger` when given.
 */
export async function withConsumerApp(
  harness: ConformanceHarness,
  body: (app: ConformanceApp, idp: ConsumerIdp) => Promise<void>,
  consumer: (idp: ConsumerIdp) => Record<string, unknown> = (idp) => ({ issuer: idp.issuer }),
  errorResponse?: Record<string, unknown>,
  logger: Record<string, unknown> = QUIET,
): Promise<void> {
  const [emu, idp] = await Promise.all([startEmulator(), startConsumerIdp()]);
  let app: ConformanceApp | undefined;
  try {
    app = await harness.start({
      ...emu.lpAuthOptions(),
      logger,
      consumer: consumer(idp),
      ...(errorResponse ? { errorResponse } : {}),
    });
    await body(app, idp);
  } finally {
    await app?.close();
    await Promise.all([idp.close(), emu.close()]);
  }
}

/** A GET with `Authorization: Bearer <token>` (or none). */
export const bearerGet = (url: string, token?: string): Promise<Response> =>
  fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

/** Asserts an RFC 6750 refusal: status, `WWW-Authenticate` challenge, JSON `error` and `code`. */
export async function assertRefused(
  res: Response,
  expected: { status: number; error?: string; code: string },
): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, expected.status, `status for ${expected.code}: ${text.slice(0, 200)}`);
  const challenge = res.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer realm="api"/, `the challenge is "${challenge}"`);
  if (expected.error) assert.ok(challenge.includes(`error="${expected.error}"`), challenge);
  else assert.ok(!challenge.includes('error='), `no error in the challenge without a token: ${challenge}`);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.error, expected.error ?? 'unauthorized');
  assert.equal(body.code, expected.code);
}

/** Raw HTTP, for what fetch cannot send: the same header twice. */
function getWithHeaders(
  url: string,
  headers: Record<string, string | string[]>,
): Promise<{ status: number; challenge: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          challenge: String(res.headers['www-authenticate'] ?? ''),
          body,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Consumer identity: `requireConsumer()`, `optionalConsumer()` and the claim checks, the same in every adapter. */
export function consumerCases(): ConformanceCase[] {
  return [
    {
      title: 'consumer: a valid id_token passes and the verified consumer is on the request',
      run: (harness) =>
        withConsumerApp(harness, async (app, idp) => {
          const token = await idp.issue({ claims: { sub: 'consumer-42' } });
          const res = await bearerGet(`${app.url}/consumer`, token);
          assert.equal(res.status, 200);
          assert.deepEqual(await jsonOf(res), { sub: 'consumer-42', issuer: idp.issuer });
        }),
    },
    {
      title: 'consumer: no token is 401 with a bare realm challenge (token_missing)',
      run: (harness) =>
        withConsumerApp(harness, async (app) => {
          await assertRefused(await bearerGet(`${app.url}/consumer`), { status: 401, code: 'token_missing' });
        }),
    },
    {
      title: 'consumer: an expired token is 401 invalid_token (token_expired)',
      run: (harness) =>
        withConsumerApp(harness, async (app, idp) => {
          const token = await idp.issue({ expiresInSeconds: -120 });
          await assertRefused(await bearerGet(`${app.url}/consumer`, token), {
            status: 401,
            error: 'invalid_token',
            code: 'token_expired',
          });
        }),
    },
    {
      title: 'consumer: a token signed by a key the IdP does not publish is 401 invalid_token',
      run: (harness) =>
        withConsumerApp(harness, async (app, idp) => {
          const other = await startConsumerIdp();
          try {
            // Same issuer and kid as a real token, but another key: only the signature gives it away.
            const forged = await other.issue({
              claims: { iss: idp.issuer },
              header: { kid: idp.keys.current.kid },
            });
            await assertRefused(await bearerGet(`${app.url}/consumer`, forged), {
              status: 401,
              error: 'invalid_token',
              code: 'invalid_token',
            });
          } finally {
            await other.close();
          }
        }),
    },
    {
      title: 'consumer: a token in the query, not allowed by default, is 400 invalid_request',
      run: (harness) =>
        withConsumerApp(harness, async (app, idp) => {
          const res = await fetch(`${app.url}/consumer?access_token=${await idp.issue()}`);
          await assertRefused(res, { status: 400, error: 'invalid_request', code: 'invalid_request' });
        }),
    },
    {
      title: 'consumer: two Authorization headers are 400 invalid_request',
      run: (harness) =>
        withConsumerApp(harness, async (app, idp) => {
          const token = await idp.issue();
          const res = await getWithHeaders(`${app.url}/consumer`, {
            authorization: [`Bearer ${token}`, `Bearer ${token}`],
          });
          assert.equal(res.status, 400, res.body);
          assert.ok(res.challenge.includes('error="invalid_request"'), res.challenge);
        }),
    },
    {
      title:
        'consumer: optionalConsumer() lets a request without a token through, and still refuses a bad one',
      run: (harness) =>
        withConsumerApp(harness, async (app, idp) => {
          const none = await bearerGet(`${app.url}/consumer/optional`);
          assert.equal(none.status, 200);
          assert.deepEqual(await jsonOf(none), { sub: null });
          const good = await bearerGet(
            `${app.url}/consumer/optional`,
            await idp.issue({ claims: { sub: 'c-7' } }),
          );
          assert.deepEqual(await jsonOf(good), { sub: 'c-7' });
          const expired = await idp.issue({ expiresInSeconds: -120 });
          await assertRefused(await bearerGet(`${app.url}/consumer/optional`, expired), {
            status: 401,
            error: 'invalid_token',
            code: 'token_expired',
          });
        }),
    },
    {
      title: 'consumer: claim checks pass, or answer 403 insufficient_scope',
      run: (harness) =>
        withConsumerApp(harness, async (app, idp) => {
          const vip = await idp.issue({ claims: { sub: 'v-1', tier: 'vip', groups: ['beta', 'eu'] } });
          const plain = await idp.issue({ claims: { sub: 'p-1', tier: 'basic', groups: ['eu'] } });
          for (const route of ['vip', 'beta']) {
            const ok = await bearerGet(`${app.url}/consumer/${route}`, vip);
            assert.equal(ok.status, 200, `/consumer/${route} with a matching claim`);
            assert.deepEqual(await jsonOf(ok), { sub: 'v-1' });
            await assertRefused(await bearerGet(`${app.url}/consumer/${route}`, plain), {
              status: 403,
              error: 'insufficient_scope',
              code: 'insufficient_scope',
            });
          }
          // The check runs after the guard: no token is still 401, not 403.
          await assertRefused(await bearerGet(`${app.url}/consumer/vip`), {
            status: 401,
            code: 'token_missing',
          });
        }),
    },
    {
      title: 'consumer: the IdP unreachable with no key known yet is 503, never a pass',
      run: (harness) =>
        withConsumerApp(
          harness,
          async (app, idp) => {
            const token = await idp.issue();
            idp.setFaults({ status: 503 });
            const res = await bearerGet(`${app.url}/consumer`, token);
            assert.equal(res.status, 503, await res.text());
          },
          (idp) => ({ issuer: idp.issuer, jwksUri: idp.jwksUri }),
        ),
    },
  ];
}
