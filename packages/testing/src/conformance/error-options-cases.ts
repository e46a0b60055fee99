import assert from 'node:assert/strict';
import { startEmulator } from '../emulator/start.js';
import type { Emulator } from '../emulator/types.js';
import { bearerGet, withConsumerApp } from './consumer-cases.js';
import type { ConformanceApp, ConformanceCase, ConformanceHarness } from './harness.js';

const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

/** An app whose appJwt calls LivePerson, with the adapter's `errorResponse` options. */
async function withErrorApp(
  harness: ConformanceHarness,
  errorResponse: Record<string, unknown>,
  body: (app: ConformanceApp, emu: Emulator) => Promise<void>,
): Promise<void> {
  const emu = await startEmulator();
  let app: ConformanceApp | undefined;
  try {
    const { appJwt } = emu.lpAuthCredentials();
    app = await harness.start({
      ...emu.lpAuthOptions(),
      logger: QUIET,
      http: { retry: { maxAttempts: 1 } },
      credentials: { appJwt },
      errorResponse,
    });
    await body(app, emu);
  } finally {
    await app?.close();
    await emu.close();
  }
}

/** The skills call answered 404 by LivePerson: a 502 `api_error` whose message names the account's URL. */
async function upstream404(app: ConformanceApp, emu: Emulator): Promise<{ status: number; text: string }> {
  emu.faults.inject('api.skills', { status: 404 });
  const res = await fetch(`${app.url}/skills`);
  return { status: res.status, text: await res.text() };
}

/** The adapter's error handling with `errorResponse: { expose, format }` (the core's `httpErrorResponse` options). */
export function errorOptionsCases(): ConformanceCase[] {
  return [
    {
      title: 'errors: a refused consumer token is logged once at debug (code, issuer, kid), never the token',
      run: async (harness) => {
        const lines: { level: string; message: string; data?: Record<string, unknown> }[] = [];
        const record = (level: string) => (message: string, data?: Record<string, unknown>) =>
          void lines.push({ level, message, ...(data ? { data } : {}) });
        const logger = {
          debug: record('debug'),
          info: record('info'),
          warn: record('warn'),
          error: record('error'),
        };
        await withConsumerApp(
          harness,
          async (app, idp) => {
            const token = await idp.issue({ claims: { iss: 'https://another.example' } });
            const res = await bearerGet(`${app.url}/consumer`, token);
            assert.equal(res.status, 401);
            const refusals = lines.filter((l) => l.message.startsWith('consumer token refused'));
            assert.deepEqual(refusals, [
              {
                level: 'debug',
                message: 'consumer token refused: issuer_mismatch',
                data: {
                  code: 'issuer_mismatch',
                  issuer: 'https://another.example',
                  kid: idp.keys.current.kid,
                },
              },
            ]);
            const logged = JSON.stringify(lines);
            for (const part of token.split('.')) assert.ok(!logged.includes(part), 'a token part was logged');
          },
          (idp) => ({ issuer: idp.issuer }),
          undefined,
          logger,
        );
      },
    },
    {
      title: 'errors: by default a 5xx body says what failed upstream (the account is in it)',
      run: (harness) =>
        withErrorApp(harness, {}, async (app, emu) => {
          const { status, text } = await upstream404(app, emu);
          assert.equal(status, 502, text);
          assert.ok(text.includes(emu.accountId), `the default body names the call: ${text}`);
        }),
    },
    {
      title: 'errors: expose false keeps a 5xx body to its code and a generic message',
      run: (harness) =>
        withErrorApp(harness, { expose: false }, async (app, emu) => {
          const { status, text } = await upstream404(app, emu);
          assert.equal(status, 502, text);
          assert.deepEqual(JSON.parse(text), { error: 'api_error', message: 'Bad Gateway' });
        }),
    },
    {
      title: 'errors: format builds the body; status and WWW-Authenticate stay',
      run: (harness) =>
        withConsumerApp(
          harness,
          async (app) => {
            const res = await bearerGet(`${app.url}/consumer`);
            assert.equal(res.status, 401);
            assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="api"$/);
            assert.deepEqual(JSON.parse(await res.text()), {
              ok: false,
              problem: { status: 401, code: 'token_missing' },
            });
          },
          (idp) => ({ issuer: idp.issuer }),
          {
            format: (_error: unknown, response: { status: number; body: Record<string, unknown> }) => ({
              ok: false,
              problem: { status: response.status, code: response.body.code },
            }),
          },
        ),
    },
  ];
}
