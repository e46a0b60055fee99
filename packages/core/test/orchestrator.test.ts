import { afterEach, describe, expect, test } from '@jest/globals';
import type { Emulator } from '@lp-auth/testing';
import { createLpAuth, LpApiError, RetryBudgetExceededError, silentLogger, type LpAuth } from './core.js';
import { emulatorWithAuth, expectNoSecret, printed, recordingLogger, secretsOf } from './helpers.js';

let current: { emu: Emulator; lp: LpAuth; close: () => Promise<void> } | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

const v1Path = '/v1/account/{accountId}/lp-auth-test/session-1/properties';
const v2Doc = '/v2/context/document/{accountId}/lp-auth-test/session-2';

describe('Conversation Orchestrator v1 (maven-api-key)', () => {
  test('writes and reads Context Service properties with the key', async () => {
    current = await emulatorWithAuth();
    const client = current.lp.client('orchestratorV1');
    const put = await client.request({
      service: 'orchestratorContext',
      path: v1Path,
      method: 'PUT',
      json: { tier: 'gold' },
    });
    expect(put.status).toBeLessThan(300);
    const got = await client.request<Record<string, unknown>>({
      service: 'orchestratorContext',
      path: v1Path,
    });
    expect(got.data).toMatchObject({ tier: 'gold' });
  });

  test('a wrong key is a 401 LpApiError, not retried (nothing to refresh)', async () => {
    current = await emulatorWithAuth({
      credentials: { orchestratorV1: { apiKey: 'not-the-key-0123456789abcdef' } },
    });
    const error = await current.lp
      .client('orchestratorV1')
      .request({ service: 'orchestratorContext', path: v1Path })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LpApiError);
    expect((error as LpApiError).status).toBe(401);
    expect(current.emu.stats.count('co.v1.context')).toBe(1);
    expectNoSecret(printed(error), ['not-the-key-0123456789abcdef']);
  });
});

describe('Conversation Orchestrator v2 (Basic login → token)', () => {
  test('logs in once and sends the token as the access_token query parameter', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    const client = lp.client('orchestratorV2');
    const res = await client.fetch(v2Doc.replace('{accountId}', emu.accountId), {
      service: 'orchestratorCcs',
    });
    expect(res.status).toBe(200);
    await client.request({ service: 'orchestratorCcs', path: v2Doc });
    expect(emu.stats.count('co.v2.login')).toBe(1);
    expect(emu.stats.count('co.v2.context')).toBe(2);
  });

  test('can send the token as a Bearer header instead', async () => {
    current = await emulatorWithAuth();
    const { emu } = current;
    const lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      credentials: { orchestratorV2: { ...emu.credentials.orchestratorV2, attach: 'bearer' } },
    });
    try {
      const res = await lp.client('orchestratorV2').request({ service: 'orchestratorCcs', path: v2Doc });
      expect(res.status).toBe(200);
    } finally {
      await lp.close();
    }
  });

  test('logs in again when the token is rejected', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    const client = lp.client('orchestratorV2');
    await client.request({ service: 'orchestratorCcs', path: v2Doc });
    emu.faults.inject('co.v2.context', { status: 401 });
    expect((await client.request({ service: 'orchestratorCcs', path: v2Doc })).status).toBe(200);
    expect(emu.stats.count('co.v2.login')).toBe(2);
  });

  test('a short-lived token is replaced before it expires', async () => {
    current = await emulatorWithAuth();
    const { emu, lp } = current;
    // exp is the issuing second plus the lifetime, so a 2 s token may have 1 s left when issued; each
    // token must still be valid when the request it was fetched for reaches the emulator. 3 s leaves 2.
    emu.faults.tokenLifetime('co.v2.login', 3);
    const client = lp.client('orchestratorV2');
    await client.request({ service: 'orchestratorCcs', path: v2Doc });
    await new Promise((r) => setTimeout(r, 3100));
    expect((await client.request({ service: 'orchestratorCcs', path: v2Doc })).status).toBe(200);
    expect(emu.stats.count('co.v2.login')).toBe(2);
  });

  test('the token never appears in an error or a log line, even when the URL carries it', async () => {
    const logger = recordingLogger();
    current = await emulatorWithAuth({ logger });
    const { emu, lp } = current;
    const client = lp.client('orchestratorV2');
    await client.request({ service: 'orchestratorCcs', path: v2Doc });
    const token = await (
      client.credential as unknown as { tokens: { getToken(): Promise<{ value: string }> } }
    ).tokens.getToken();
    emu.faults.inject('co.v2.context', { status: 503, times: Infinity });
    const error = await client.request({ service: 'orchestratorCcs', path: v2Doc }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryBudgetExceededError);
    expectNoSecret(printed(error), [token.value, ...secretsOf(emu)]);
    // A caller who builds the URL with the token in it still gets it redacted.
    const withToken = `${emu.url}${v2Doc.replace('{accountId}', emu.accountId)}?access_token=${token.value}`;
    emu.faults.clear();
    emu.faults.inject('co.v2.context', { status: 404, times: Infinity });
    const res = await client.fetch(withToken);
    expect(res.status).toBe(404);
    expectNoSecret(logger.lines.join('\n'), [token.value, ...secretsOf(emu)]);
  });

  test('wrong password is credentials_rejected', async () => {
    current = await emulatorWithAuth({
      credentials: { orchestratorV2: { username: 'someone', password: 'definitely-not-it-123456' } },
    });
    const error = await current.lp
      .client('orchestratorV2')
      .request({ service: 'orchestratorCcs', path: v2Doc })
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('credentials_rejected');
    expectNoSecret(printed(error), ['definitely-not-it-123456']);
  });
});
