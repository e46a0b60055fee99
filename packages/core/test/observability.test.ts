import { Writable } from 'node:stream';
import { afterEach, describe, expect, test } from '@jest/globals';
import { pino } from 'pino';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { ConfigError, createLpAuth, silentLogger, type LpAuth, type LpAuthEvents } from './core.js';

const SKILLS = '/api/account/{accountId}/configuration/le-users/skills';
let emu: Emulator | undefined;
let lp: LpAuth | undefined;
afterEach(async () => {
  await lp?.close();
  await emu?.close();
  lp = undefined;
  emu = undefined;
});

describe('events', () => {
  test('token.refreshed and token.failed, with the credential and code, never the token', async () => {
    emu = await startEmulator();
    lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      http: { retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 } },
      credentials: { appJwt: emu.credentials.appJwt },
    });
    const seen: [string, unknown][] = [];
    const offRefreshed = lp.on('token.refreshed', (e) => seen.push(['token.refreshed', e]));
    lp.on('token.failed', (e) => seen.push(['token.failed', e]));
    await lp.client('appJwt').request({ service: 'accountConfigReadOnly', path: SKILLS });
    expect(seen).toEqual([
      ['token.refreshed', { credential: 'appJwt', expiresAt: expect.any(Number), background: false }],
    ]);

    await lp.client('appJwt').credential.invalidate();
    emu.faults.inject('sentinel.token', { status: 401, body: { error: 'invalid_client' } });
    const refused = await lp
      .client('appJwt')
      .request({ service: 'accountConfigReadOnly', path: SKILLS })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'credentials_rejected' });
    const failed = seen.at(-1) as [string, LpAuthEvents['token.failed']];
    expect(failed[0]).toBe('token.failed');
    expect(failed[1]).toMatchObject({
      credential: 'appJwt',
      code: 'credentials_rejected',
      background: false,
    });
    expect(JSON.stringify(seen)).not.toContain(emu.credentials.appJwt.clientSecret);

    offRefreshed();
    // A refused credential is not asked again before the wait it names (1–2 s after one refusal).
    await new Promise((resolve) =>
      setTimeout(resolve, (refused as { retryAfterMs: number }).retryAfterMs + 50),
    );
    const before = seen.length;
    await lp.client('appJwt').request({ service: 'accountConfigReadOnly', path: SKILLS });
    expect(seen.length).toBe(before); // unsubscribed from token.refreshed
  });

  test('a throwing listener is logged and does not break the request', async () => {
    emu = await startEmulator();
    const errors: string[] = [];
    lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: { ...silentLogger, error: (message) => errors.push(message) },
      credentials: { appJwt: emu.credentials.appJwt },
    });
    lp.on('token.refreshed', () => {
      throw new Error('listener bug');
    });
    const res = await lp.client('appJwt').request({ service: 'accountConfigReadOnly', path: SKILLS });
    expect(res.status).toBe(200);
    expect(errors).toEqual(['a listener of "token.refreshed" threw; ignored']);
  });
});

describe('logger option', () => {
  test('a pino logger gets the data object first, as pino expects', async () => {
    emu = await startEmulator();
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: pino({ level: 'debug' }, sink),
      http: { retry: { baseDelayMs: 5, maxDelayMs: 20 } },
      credentials: { appJwt: emu.credentials.appJwt },
    });
    emu.faults.inject('api.skills', { status: 503 });
    await lp.client('appJwt').request({ service: 'accountConfigReadOnly', path: SKILLS });
    const retry = lines.find((line) => typeof line.msg === 'string' && /retr/i.test(line.msg));
    expect(retry).toBeDefined();
    // The data became pino fields beside msg, not a stringified second argument.
    expect(Object.keys(retry!).length).toBeGreaterThan(['level', 'time', 'pid', 'hostname', 'msg'].length);
    expect(JSON.stringify(lines)).not.toContain(emu.credentials.appJwt.clientSecret);
  });

  test('a logger without the four level methods is refused at start-up, naming the option', () => {
    expect(() => createLpAuth({ accountId: '12345678', logger: { info() {} } as never })).toThrow(
      ConfigError,
    );
    expect(() => createLpAuth({ accountId: '12345678', logger: { info() {} } as never })).toThrow(
      /logger.*missing: debug, warn, error/,
    );
  });
});
