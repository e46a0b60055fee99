import assert from 'node:assert/strict';
import { assertRefused, bearerGet, withConsumerApp } from './consumer-cases.js';
import type { ConformanceCase } from './harness.js';

/** The header `GET /consumer/header` reads its token from (through the guard's `getToken`). */
export const CONFORMANCE_TOKEN_HEADER = 'x-consumer-token';

const jsonOf = async (res: Response): Promise<unknown> => JSON.parse(await res.text()) as unknown;

/**
 * The consumer guard's extension points, the same in every adapter: `getToken` (the guard's own
 * extractor), a key provider function as the verifier's `key`, and the verifier's `isRevoked`.
 */
export function consumerHookCases(): ConformanceCase[] {
  return [
    {
      title: 'consumer: getToken reads the token from a header of the app’s own, and nothing else',
      run: (harness) =>
        withConsumerApp(harness, async (app, idp) => {
          const token = await idp.issue({ claims: { sub: 'h-1' } });
          const ok = await fetch(`${app.url}/consumer/header`, {
            headers: { [CONFORMANCE_TOKEN_HEADER]: token },
          });
          assert.equal(ok.status, 200);
          assert.deepEqual(await jsonOf(ok), { sub: 'h-1', issuer: idp.issuer });
          // The extractor replaces RFC 6750's places: Authorization alone is no token here.
          await assertRefused(await bearerGet(`${app.url}/consumer/header`, token), {
            status: 401,
            code: 'token_missing',
          });
          const expired = await idp.issue({ expiresInSeconds: -120 });
          const res = await fetch(`${app.url}/consumer/header`, {
            headers: { [CONFORMANCE_TOKEN_HEADER]: expired },
          });
          await assertRefused(res, { status: 401, error: 'invalid_token', code: 'token_expired' });
        }),
    },
    {
      title: 'consumer: a key provider function verifies tokens; no key is 401, a throw is 503',
      run: async (harness) => {
        const asked: (string | undefined)[] = [];
        let failing = false;
        await withConsumerApp(
          harness,
          async (app, idp) => {
            const token = await idp.issue({ claims: { sub: 'k-1' } });
            const ok = await bearerGet(`${app.url}/consumer`, token);
            assert.equal(ok.status, 200);
            assert.deepEqual(await jsonOf(ok), { sub: 'k-1', issuer: idp.issuer });
            assert.deepEqual(asked, [idp.keys.current.kid]);
            // A verified token is cached: the provider is not asked again for it.
            assert.equal((await bearerGet(`${app.url}/consumer`, token)).status, 200);
            assert.equal(asked.length, 1);
            const unknown = await idp.issue({ header: { kid: 'not-a-key' } });
            await assertRefused(await bearerGet(`${app.url}/consumer`, unknown), {
              status: 401,
              error: 'invalid_token',
              code: 'invalid_token',
            });
            failing = true;
            const res = await bearerGet(`${app.url}/consumer`, await idp.issue({ claims: { sub: 'k-2' } }));
            assert.equal(res.status, 503, await res.text());
          },
          (idp) => ({
            issuer: idp.issuer,
            key: async (header: { kid?: string }) => {
              asked.push(header.kid);
              if (failing) throw new Error('the key store is down');
              return header.kid === idp.keys.current.kid ? idp.keys.current.publicKey : undefined;
            },
          }),
        );
      },
    },
    {
      title: 'consumer: isRevoked refuses a token after its signature check, cached verifications too',
      run: async (harness) => {
        const revoked = new Set<string>();
        await withConsumerApp(
          harness,
          async (app, idp) => {
            const token = await idp.issue({ claims: { sub: 'r-1' } });
            assert.equal((await bearerGet(`${app.url}/consumer`, token)).status, 200);
            revoked.add('r-1');
            // The same token, now in the verified-token cache, is refused at once.
            await assertRefused(await bearerGet(`${app.url}/consumer`, token), {
              status: 401,
              error: 'invalid_token',
              code: 'invalid_token',
            });
            // optionalConsumer() refuses it too: a revoked token is a bad token, not an absent one.
            await assertRefused(await bearerGet(`${app.url}/consumer/optional`, token), {
              status: 401,
              error: 'invalid_token',
              code: 'invalid_token',
            });
            const other = await idp.issue({ claims: { sub: 'r-2' } });
            assert.equal((await bearerGet(`${app.url}/consumer`, other)).status, 200);
          },
          (idp) => ({
            issuer: idp.issuer,
            errorDetail: false,
            isRevoked: async (consumer: { sub: string }) => revoked.has(consumer.sub),
          }),
        );
      },
    },
    {
      title: 'consumer: with errorDetail, a revoked token says token_revoked',
      run: (harness) =>
        withConsumerApp(
          harness,
          async (app, idp) => {
            const token = await idp.issue({ claims: { sub: 'gone' } });
            await assertRefused(await bearerGet(`${app.url}/consumer`, token), {
              status: 401,
              error: 'invalid_token',
              code: 'token_revoked',
            });
          },
          (idp) => ({ issuer: idp.issuer, errorDetail: true, isRevoked: () => true }),
        ),
    },
  ];
}
