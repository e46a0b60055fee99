import assert from 'node:assert/strict';
import { assertRefused, bearerGet, withConsumerApp } from './consumer-cases.js';
import type { ConformanceCase } from './harness.js';

const REQUESTS = 1_200;
const IN_FLIGHT = 16;

/**
 * Key rotation under load, through the adapter: the IdP rolls its key twice while requests flow
 * (each carries a token of the current or the previous key) and none is refused; then it drops
 * every old key, and their tokens, cached or not, are refused as soon as a token of the new key
 * has made the verifier fetch the JWKS again.
 */
export function rotationCases(): ConformanceCase[] {
  return [
    {
      title: `key rotation: two rotations while ${REQUESTS}+ requests flow lose none; dropped keys are refused`,
      run: (harness) =>
        withConsumerApp(
          harness,
          async (app, idp) => {
            const tokensOf = (generation: number) =>
              Promise.all(
                Array.from({ length: 8 }, (_, i) => idp.issue({ claims: { sub: `g${generation}-${i}` } })),
              );
            const generations = [await tokensOf(0)];
            const failed: string[] = [];
            let sent = 0;
            // Three phases of REQUESTS / 3 requests; the IdP rotates during the second and the third,
            // and a phase lasts until 50 requests have followed its rotation, so that the flow spans
            // both rotations whatever the speed of the machine.
            for (let phase = 0; phase < 3; phase++) {
              let rotated = phase === 0;
              const rotation =
                phase === 0
                  ? Promise.resolve()
                  : idp
                      .rotateKeys()
                      .then(() => tokensOf(phase))
                      .then((tokens) => {
                        generations.push(tokens);
                        rotated = true;
                      });
              let phaseSent = 0;
              let sinceRotation = 0;
              const worker = async () => {
                while (phaseSent < REQUESTS / 3 || sinceRotation < 50) {
                  phaseSent += 1;
                  if (rotated) sinceRotation += 1;
                  const index = sent++;
                  // A third of the requests carry a token of the previous key, issued before the rotation.
                  const newest = generations.length - 1;
                  const tokens = generations[index % 3 === 0 && newest > 0 ? newest - 1 : newest]!;
                  const res = await bearerGet(`${app.url}/consumer`, tokens[index % tokens.length]);
                  const text = await res.text();
                  if (res.status !== 200) failed.push(`#${index}: ${res.status} ${text.slice(0, 200)}`);
                }
              };
              await Promise.all([rotation, ...Array.from({ length: IN_FLIGHT }, worker)]);
            }
            assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${sent} requests were refused`);
            assert.equal(generations.length, 3, 'the IdP rotated twice during the flow');

            await idp.rotateKeys({ dropPrevious: true });
            const fresh = await idp.issue({ claims: { sub: 'after-the-drop' } });
            // Its kid is new: the verifier fetches the JWKS again and learns the old keys are gone.
            assert.equal((await bearerGet(`${app.url}/consumer`, fresh)).status, 200);
            for (const [generation, tokens] of generations.entries()) {
              try {
                await assertRefused(await bearerGet(`${app.url}/consumer`, tokens[0]), {
                  status: 401,
                  error: 'invalid_token',
                  code: 'key_not_found',
                });
              } catch (error) {
                if (error instanceof assert.AssertionError)
                  error.message = `generation ${generation}: ${error.message}`;
                throw error;
              }
            }
          },
          (idp) => ({ issuer: idp.issuer, jwksUri: idp.jwksUri, errorDetail: true, jwks: { cooldownMs: 0 } }),
        ),
    },
  ];
}
