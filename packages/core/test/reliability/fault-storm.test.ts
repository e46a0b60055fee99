import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator, type RouteName } from '@lp-auth/testing';
import {
  createLpAuth,
  LpAuthError,
  type AppJwtCredential,
  type LoginCredential,
  type LpAuth,
  type OrchestratorV2Credential,
} from '../core.js';
import { printed, recordingLogger } from '../helpers.js';

/**
 * Issue 8, fault storm: 10,000 requests across every credential while the emulator fails 30 % of
 * all calls (5xx, 429 + Retry-After, dropped connections, 2 s stalls, truncated JSON, expired tokens
 * sold as fresh). Seeded, so a failure replays with `STORM_SEED`.
 */
const REQUESTS = 10_000;
const IN_FLIGHT = 250;
const SEED = Number(process.env.STORM_SEED ?? 20261122);
const TOKEN_LIFETIME_S = 6;

let emu: Emulator;
let lp: LpAuth;
const logger = recordingLogger();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  emu = await startEmulator();
  // Tokens and the CSDS answer expire several times during the storm.
  emu.faults.tokenLifetime('sentinel.token', TOKEN_LIFETIME_S);
  emu.faults.tokenLifetime('co.v2.login', TOKEN_LIFETIME_S);
  const base = emu.lpAuthOptions();
  lp = createLpAuth({
    ...base,
    csds: { ...base.csds, ttlMs: 3000 },
    logger,
    // Short backoff so the storm ends in seconds; Retry-After (1 s) is still honoured.
    http: { timeoutMs: 5000, retry: { baseDelayMs: 10, maxDelayMs: 200 } },
    credentials: emu.lpAuthCredentials(),
  });
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await lp?.close();
  await emu?.close();
});

type Call = () => Promise<unknown>;

function calls(): Record<string, Call> {
  const skills = '/api/account/{accountId}/configuration/le-users/skills';
  const context = '/v1/account/{accountId}/storm/session/properties';
  const document = '/v2/context/document/{accountId}/storm/session';
  return {
    appJwt: () => lp.client('appJwt').request({ service: 'accountConfigReadOnly', path: skills }),
    sendApi: () =>
      lp.client('appJwt').request({
        service: 'asyncMessagingEnt',
        path: '/api/account/{accountId}/messaging/consumer/conversation',
        method: 'POST',
        query: { v: 3 },
        onBehalfOf: `consumer-${Math.floor(Math.random() * 50)}`,
        json: [
          { kind: 'req', id: '1,', type: 'userprofile.SetUserProfile', body: { authenticatedData: {} } },
        ],
      }),
    orchestratorV1: () =>
      lp.client('orchestratorV1').request({ service: 'orchestratorContext', path: context }),
    orchestratorV2: () => lp.client('orchestratorV2').request({ service: 'orchestratorCcs', path: document }),
    oauth1: () =>
      lp.client('oauth1').request({
        service: 'accountConfigReadOnly',
        path: '/api/account/{accountId}/configuration/le-users/users',
      }),
    login: () =>
      lp.client('login').request({
        service: 'agentVep',
        path: '/api/account/{accountId}/agentSession',
        method: 'POST',
        query: { v: 1, NC: true },
      }),
  };
}

/** Tokens, cookies and keys that must never be printed: the emulator's credentials and every token seen. */
function secrets(seen: Set<string>): string[] {
  const c = emu.credentials;
  return [
    c.appJwt.clientSecret,
    c.orchestratorV1.apiKey,
    c.orchestratorV2.password,
    c.oauth1.consumerSecret,
    c.oauth1.tokenSecret,
    c.login.password,
    ...seen,
  ];
}

function collectTokens(seen: Set<string>): void {
  const managers = [
    (lp.client('appJwt').credential as AppJwtCredential).tokens,
    (lp.client('orchestratorV2').credential as OrchestratorV2Credential).tokens,
    (lp.client('login').credential as LoginCredential).tokens,
  ];
  for (const tokens of managers) {
    const token = tokens.peek();
    if (!token) continue;
    seen.add(token.value);
    const data = token.data as { csrf?: string; cookie?: string } | undefined;
    if (data?.csrf) seen.add(data.csrf);
    const cookie = data?.cookie?.split('=')[1];
    if (cookie) seen.add(cookie);
  }
}

describe('fault storm: 10,000 requests, 30 % of LivePerson calls failing', () => {
  test('every request succeeds or ends in a typed error; one token per credential per expiry; no secret printed', async () => {
    const table = calls();
    const names = Object.keys(table);
    // Warm start so the storm exercises running clients, then the storm on every route (CSDS too).
    for (const name of names) await table[name]!();
    emu.stats.reset();
    emu.faults.chaos({ rate: 0.3, seed: SEED });
    // Token calls are few, so chaos alone rarely reaches them: queue one of each failure there too.
    for (const route of ['sentinel.token', 'co.v2.login'] as const) {
      emu.faults.inject(route, { expiredToken: true });
      emu.faults.inject(route, { status: 503 });
      emu.faults.inject(route, { drop: true });
      emu.faults.inject(route, {
        status: 200,
        body: '{"access_token": "ey',
        headers: { 'content-type': 'application/json' },
      });
      emu.faults.inject(route, { status: 429, retryAfterSeconds: 1 });
    }

    const outcomes = { ok: 0, typed: new Map<string, number>(), untyped: [] as unknown[] };
    const errorsText: string[] = [];
    const seen = new Set<string>();
    let next = 0;
    const started = Date.now();
    const worker = async () => {
      while (next < REQUESTS) {
        const name = names[next++ % names.length]!;
        try {
          await table[name]!();
          outcomes.ok++;
        } catch (error) {
          if (error instanceof LpAuthError) {
            const status = (error as { status?: number }).status;
            const key = `${name} ${error.code}${status ? ` ${status}` : ''}`;
            outcomes.typed.set(key, (outcomes.typed.get(key) ?? 0) + 1);
            if (errorsText.length < 300) errorsText.push(printed(error));
          } else {
            outcomes.untyped.push(error);
          }
        }
        if (next % 500 === 0) collectTokens(seen);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    collectTokens(seen);
    const durationMs = Date.now() - started;

    const typed = [...outcomes.typed.values()].reduce((a, b) => a + b, 0);
    const summary = {
      ok: outcomes.ok,
      typed: Object.fromEntries(outcomes.typed),
      untyped: outcomes.untyped.map((e) => inspect(e).slice(0, 200)),
      durationMs,
      chaos: emu.faults.chaosCounts(),
      stats: emu.stats.snapshot(),
    };
    // The run's figures, for the issue note (`STORM_REPORT=1`).
    if (process.env.STORM_REPORT) console.log(JSON.stringify(summary, null, 2));

    expect(outcomes.untyped).toEqual([]);
    expect(outcomes.ok + typed).toBe(REQUESTS);
    // With 30 % failures and a retry budget, most requests still succeed.
    expect(outcomes.ok).toBeGreaterThan(REQUESTS * 0.8);
    expect(unhandled).toEqual([]);

    // One token per credential per expiry: tokens are refreshed at 75 % of their lifetime, so the
    // run allows one issuance per such period (plus the first), and one more for each token the
    // storm sold as fresh while it had already expired. Failed token calls issued nothing.
    const periods = Math.ceil(durationMs / (TOKEN_LIFETIME_S * 1000 * 0.75)) + 1;
    const routes: RouteName[] = ['sentinel.token', 'co.v2.login', 'login.login'];
    const issuance: Record<string, { issued: number; allowed: number; chaos: Record<string, number> }> = {};
    for (const route of routes) {
      const chaos = emu.faults.chaosCounts(route);
      const queued = route === 'login.login' ? { refused: 0, expired: 0 } : { refused: 4, expired: 1 };
      const refused =
        queued.refused +
        (chaos.status5xx ?? 0) +
        (chaos.rateLimited ?? 0) +
        (chaos.drop ?? 0) +
        (chaos.malformedJson ?? 0);
      const expiring = route === 'login.login' ? 1 : periods;
      issuance[route] = {
        issued: emu.stats.count(route) - refused,
        allowed: expiring + queued.expired + (chaos.expiredToken ?? 0),
        chaos,
      };
    }
    emu.faults.chaos(null);
    if (process.env.STORM_REPORT) console.log(JSON.stringify(issuance));
    for (const [route, { issued, allowed }] of Object.entries(issuance)) {
      expect({ route, withinOnePerExpiry: issued <= allowed }).toEqual({ route, withinOnePerExpiry: true });
    }

    const printedAll = [...logger.lines, ...errorsText].join('\n');
    for (const secret of secrets(seen)) {
      if (printedAll.includes(secret)) throw new Error(`a secret (${secret.slice(0, 4)}…) was printed`);
    }
  }, 180_000);
});
