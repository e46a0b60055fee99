import assert from 'node:assert/strict';
import { startEmulator } from '../emulator/start.js';
import type { Emulator } from '../emulator/types.js';
import { attackCases } from './attack-cases.js';
import { consumerCases } from './consumer-cases.js';
import { consumerHookCases } from './consumer-hook-cases.js';
import { errorOptionsCases } from './error-options-cases.js';
import { fuzzCases } from './fuzz-cases.js';
import type { ConformanceApp, ConformanceCase, ConformanceHarness } from './harness.js';
import { loginCases } from './login-cases.js';
import { rotationCases } from './rotation-cases.js';

/** Runs `body` with an emulator and an app built from its options (plus `extra`), closing both. */
async function withApp(
  harness: ConformanceHarness,
  body: (app: ConformanceApp, emu: Emulator) => Promise<void>,
  extra: (emu: Emulator) => Record<string, unknown> = () => ({}),
): Promise<void> {
  const emu = await startEmulator();
  let app: ConformanceApp | undefined;
  try {
    const { appJwt, login } = emu.lpAuthCredentials();
    app = await harness.start({
      ...emu.lpAuthOptions(),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      http: { retry: { baseDelayMs: 10, maxDelayMs: 50 } },
      credentials: { appJwt, login },
      ...extra(emu),
    });
    await body(app, emu);
  } finally {
    await app?.close();
    await emu.close();
  }
}

async function json(res: Response): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Left empty: the assertions on `status` and `text` say what went wrong.
  }
  return { status: res.status, body, text };
}

/**
 * The cases every adapter must pass: the request context, error responses, start-up and shutdown,
 * consumer identity, application authorization's login routes, and the reliability and security
 * proof: the JWT attack corpus, the seeded fuzzer and key rotation under load.
 */
export function conformanceCases(): ConformanceCase[] {
  return [
    ...contextCases(),
    ...consumerCases(),
    ...consumerHookCases(),
    ...errorOptionsCases(),
    ...loginCases(),
    ...attackCases(),
    ...rotationCases(),
    ...fuzzCases(),
  ];
}

function contextCases(): ConformanceCase[] {
  return [
    {
      title: 'puts the account and every configured client on the request',
      run: (harness) =>
        withApp(harness, async (app, emu) => {
          const { status, body } = await json(await fetch(`${app.url}/account`));
          assert.equal(status, 200);
          assert.deepEqual(body, { accountId: emu.accountId, clients: ['appJwt', 'login'] });
        }),
    },
    {
      title: 'clients are built once: concurrent requests share one token',
      run: (harness) =>
        withApp(harness, async (app, emu) => {
          const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${app.url}/skills`)));
          for (const res of answers) {
            assert.equal(res.status, 200);
            assert.ok(Array.isArray(await res.json()));
          }
          assert.equal(emu.stats.count('sentinel.token'), 1);
        }),
    },
    {
      title: 'credentials LivePerson refuses answer 502 credentials_rejected, without the secret',
      run: (harness) =>
        withApp(
          harness,
          async (app) => {
            const { status, body, text } = await json(await fetch(`${app.url}/skills`));
            assert.equal(status, 502);
            assert.equal(body.error, 'credentials_rejected');
            assert.equal(typeof body.message, 'string');
            assert.ok(!text.includes('wrong-secret-value'), 'the client secret must not be in the response');
          },
          (emu) => ({
            credentials: {
              appJwt: { clientId: emu.credentials.appJwt.clientId, clientSecret: 'wrong-secret-value' },
            },
          }),
        ),
    },
    {
      title: 'a spent retry budget answers 503 retry_budget_exceeded',
      run: (harness) =>
        withApp(harness, async (app, emu) => {
          emu.faults.inject('api.skills', { status: 500, times: Infinity });
          const { status, body } = await json(await fetch(`${app.url}/skills`));
          assert.equal(status, 503);
          assert.equal(body.error, 'retry_budget_exceeded');
        }),
    },
    {
      title: "errors that are not @lp-auth's keep the framework's own handling (500)",
      run: (harness) =>
        withApp(harness, async (app) => {
          const { status, text } = await json(await fetch(`${app.url}/not-ours`));
          assert.equal(status, 500);
          assert.ok(!text.includes('config_invalid') && !text.includes('retry_budget_exceeded'));
        }),
    },
    {
      title: 'invalid options fail at start-up with config_invalid naming the field',
      run: async (harness) => {
        const emu = await startEmulator();
        try {
          await assert.rejects(
            harness.start({ ...emu.lpAuthOptions(), accountId: 'not an account!' }),
            (error: unknown) => {
              const e = error as { code?: string; field?: string; message?: string };
              assert.equal(e.code, 'config_invalid');
              assert.match(e.message ?? '', /accountId/);
              return true;
            },
          );
        } finally {
          await emu.close();
        }
      },
    },
    {
      title: 'closing the app closes the core: the Login Service session is logged out',
      run: async (harness) => {
        const emu = await startEmulator();
        try {
          const { appJwt, login } = emu.lpAuthCredentials();
          const app = await harness.start({ ...emu.lpAuthOptions(), credentials: { appJwt, login } });
          const res = await fetch(`${app.url}/agent-session`, { method: 'POST' });
          assert.equal(res.status, 200);
          assert.equal(emu.loginSessions.count(), 1);
          await app.close();
          assert.equal(emu.loginSessions.count(), 0);
        } finally {
          await emu.close();
        }
      },
    },
  ];
}
