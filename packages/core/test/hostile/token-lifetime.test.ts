import { afterEach, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import {
  AppJwtCredential,
  LoginCredential,
  MAX_TOKEN_LIFETIME_MS,
  MemoryTokenStore,
  OrchestratorV2Credential,
  SHORT_LIFETIME_MS,
} from '../core.js';
import { answer, hostileRuntime, type ManualClock } from './hostile-runtime.js';
import { hostileServer, type HostileServer } from './hostile-server.js';

/**
 * Issue item 6: whatever lifetime a token endpoint states, the library calls it again at a sane
 * moment. Each case runs through a token endpoint of the test's own, with the runtime's clock moved
 * by hand: the token is fetched once, not again just before 75 % of the expected lifetime, and again
 * once that lifetime has passed.
 */
const T0 = Date.parse('2030-01-01T00:00:00Z');
const HOUR = 3_600_000;

let server: HostileServer | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await server?.close();
  server = undefined;
});

const key = randomBytes(32);
/** An access token that is a JWT with the given `exp` (epoch ms), signed like Sentinel's (HS256 here). */
function jwtWithExp(expMs: number): Promise<string> {
  return new SignJWT({ sub: 'app' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(Math.floor(expMs / 1000))
    .sign(key);
}

/** When the token endpoint is called again: asserts the effective lifetime through call counts. */
async function expectLifetime(
  getToken: () => Promise<{ issuedAt: number; expiresAt: number }>,
  clock: ManualClock,
  calls: () => number,
  lifetimeMs: number,
): Promise<void> {
  const token = await getToken();
  expect(calls()).toBe(1);
  expect(token.expiresAt - token.issuedAt).toBe(lifetimeMs);
  // Refreshing starts at 75 % of the lifetime (at most 5 minutes early): nothing before that.
  clock.now = T0 + lifetimeMs - Math.min(lifetimeMs / 4, 5 * 60_000) - 1;
  await getToken();
  expect(calls()).toBe(1);
  // Past the end the token is not handed out: the next caller waits for a new one.
  clock.now = T0 + lifetimeMs + 1;
  const next = await getToken();
  expect(calls()).toBe(2);
  expect(next.issuedAt).toBe(clock.now);
}

describe('AppJWT expires_in, through a Sentinel of the test', () => {
  const cases: [string, (now: number) => Promise<Record<string, unknown>>, number][] = [
    ['3600 (a number)', async () => ({ expires_in: 3600 }), HOUR],
    ['"7200" (a string, as the emulator sends)', async () => ({ expires_in: '7200' }), 2 * HOUR],
    ['0: used for the short lifetime', async () => ({ expires_in: 0 }), SHORT_LIFETIME_MS],
    ['-5: the short lifetime', async () => ({ expires_in: -5 }), SHORT_LIFETIME_MS],
    ['"abc": the short lifetime', async () => ({ expires_in: 'abc' }), SHORT_LIFETIME_MS],
    ['null: absent, so the default hour', async () => ({ expires_in: null }), HOUR],
    ['1e12: capped at 24 h', async () => ({ expires_in: 1e12 }), MAX_TOKEN_LIFETIME_MS],
    ['1e300: capped at 24 h', async () => ({ expires_in: 1e300 }), MAX_TOKEN_LIFETIME_MS],
    ['missing, opaque token: the default hour', async () => ({}), HOUR],
    [
      "missing, JWT access token: the JWT's exp",
      async (now) => ({ access_token: await jwtWithExp(now + 600_000) }),
      600_000,
    ],
    [
      "3600 with a JWT whose exp is 2 minutes away: the JWT's exp wins",
      async (now) => ({ expires_in: 3600, access_token: await jwtWithExp(now + 120_000) }),
      120_000,
    ],
    [
      '3600 with a JWT whose exp is 10 minutes past: the short lifetime',
      async (now) => ({ expires_in: 3600, access_token: await jwtWithExp(now - 600_000) }),
      SHORT_LIFETIME_MS,
    ],
    [
      'missing, JWT exp in the year 33658: capped at 24 h',
      async () => ({ access_token: await jwtWithExp(1e15) }),
      MAX_TOKEN_LIFETIME_MS,
    ],
  ];

  test.each(cases)('%s', async (_name, body, lifetimeMs) => {
    const clock = { now: T0 };
    let issued = 0;
    server = await hostileServer((_req, res) => {
      void body(clock.now).then((fields) =>
        answer(res, 200, { access_token: `opaque-${++issued}`, token_type: 'Bearer', ...fields }),
      );
    });
    const ttls: number[] = [];
    const store = new (class extends MemoryTokenStore {
      override set(k: string, value: unknown, ttlMs: number) {
        ttls.push(ttlMs);
        return super.set(k, value, ttlMs);
      }
    })({ now: () => clock.now });
    const runtime = hostileRuntime(server.url, clock, { store });
    const credential = new AppJwtCredential({ clientId: 'c', clientSecret: 's3cr3t-lifetime' }, runtime);
    closers.push(() => credential.close());
    // Every service is pointed at this server and CSDS is never asked: each request is a token call.
    const calls = () => server!.calls();
    await expectLifetime(() => credential.tokens.getToken(), clock, calls, lifetimeMs);
    // What a shared store is asked to keep: never more than 24 h (Redis refuses absurd TTLs).
    expect(Math.max(...ttls)).toBeLessThanOrEqual(MAX_TOKEN_LIFETIME_MS);
    if (lifetimeMs === SHORT_LIFETIME_MS || lifetimeMs === MAX_TOKEN_LIFETIME_MS) {
      expect(runtime.logger.lines.join('\n')).toMatch(/warn appJwt: .*(unusable|past|capped)/);
    }
    expect(runtime.logger.lines.join('\n')).not.toContain('s3cr3t-lifetime');
  });
});

describe('Conversation Orchestrator v2 login (no expires_in), through a server of the test', () => {
  test.each([
    ["the JWT's exp (2 h)", (now: number) => jwtWithExp(now + 2 * HOUR), 2 * HOUR],
    ['a JWT exp a year away: capped at 24 h', (now: number) => jwtWithExp(now + 365 * 24 * HOUR), 24 * HOUR],
    ['an opaque token: the documented 24 h', async () => 'opaque-co-token', 24 * HOUR],
  ] as const)('%s', async (_name, token, lifetimeMs) => {
    const clock = { now: T0 };
    server = await hostileServer((_req, res) => {
      void token(clock.now).then((value) => answer(res, 200, { token: value }));
    });
    const runtime = hostileRuntime(server.url, clock);
    const credential = new OrchestratorV2Credential({ username: 'bot', password: 'pw-lifetime' }, runtime);
    closers.push(() => credential.close());
    await expectLifetime(
      () => credential.tokens.getToken(),
      clock,
      () => server!.calls(),
      lifetimeMs,
    );
  });
});

describe('Login Service sessionTTl (a string of milliseconds), through a server of the test', () => {
  test.each([
    ['"28800000": 8 h', '28800000', 8 * HOUR],
    ['"600000": 10 minutes', '600000', 600_000],
    ['"0": the short lifetime', '0', SHORT_LIFETIME_MS],
    ['"abc": the short lifetime', 'abc', SHORT_LIFETIME_MS],
    ['-5: the short lifetime', -5, SHORT_LIFETIME_MS],
    ['1e300: capped at 24 h', 1e300, MAX_TOKEN_LIFETIME_MS],
    ['missing: the usual 8 h', undefined, 8 * HOUR],
  ] as const)('%s', async (_name, sessionTTl, lifetimeMs) => {
    const clock = { now: T0 };
    let n = 0;
    server = await hostileServer((req, res) => {
      if (!req.url?.includes('/login')) return answer(res, 200, {});
      answer(
        res,
        200,
        { bearer: `bearer-${++n}`, csrf: `csrf-${n}`, sessionTTl, config: { userId: '1' } },
        { 'set-cookie': [`Session_id=s${n}; Path=/; HttpOnly`] },
      );
    });
    const runtime = hostileRuntime(server.url, clock);
    const credential = new LoginCredential(
      { username: 'bot', password: 'pw-lifetime', logoutOnClose: false },
      runtime,
    );
    closers.push(() => credential.close());
    const logins = () => server!.calls(`/api/account/${runtime.accountId}/login`);
    await expectLifetime(() => credential.tokens.getToken(), clock, logins, lifetimeMs);
  });
});
