import { inspect } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import { optionsFromEnv } from '../config/env.js';
import { resolveOptions } from '../config/options.js';
import { ConfigError } from '../errors/index.js';
import type { LoginOptions } from './login.js';

const resolveLogin = (login: Partial<LoginOptions>) =>
  resolveOptions({ accountId: '123', credentials: { login: login as LoginOptions } }).credentials.login;

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).field;
  }
  throw new Error('expected a ConfigError');
};

describe('login and oauth1 options', () => {
  test('user login: defaults applied, password wrapped and never printed', () => {
    const login = resolveLogin({ username: 'agent', password: 'pa55word-xyz' })!;
    expect(login.keepaliveIntervalMs).toBe(300_000);
    expect(login.logoutOnClose).toBe(true);
    const shown = inspect(resolveOptions({ accountId: '1', credentials: { login: login } }), { depth: 10 });
    expect(shown).not.toContain('pa55word-xyz');
  });

  test('bot login with an OAuth 2.0 client: no access token parts', () => {
    const login = resolveLogin({ username: 'bot', appKey: 'cid', secret: 'csecret' })!;
    expect(login.accessToken).toBeUndefined();
    expect(login.password).toBeUndefined();
  });

  test('names the field that is wrong', () => {
    expect(fieldOf(() => resolveLogin({ password: 'x' }))).toBe('credentials.login.username');
    expect(fieldOf(() => resolveLogin({ username: 'u' }))).toBe('credentials.login.password');
    expect(fieldOf(() => resolveLogin({ username: 'u', password: 'p', appKey: 'k', secret: 's' }))).toBe(
      'credentials.login.password',
    );
    expect(fieldOf(() => resolveLogin({ username: 'u', appKey: 'k' }))).toBe('credentials.login.secret');
    expect(fieldOf(() => resolveLogin({ username: 'u', appKey: 'k', secret: 's', accessToken: 't' }))).toBe(
      'credentials.login.accessTokenSecret',
    );
    expect(fieldOf(() => resolveLogin({ username: 'u', password: 'p', keepaliveIntervalMs: 0 }))).toBe(
      'credentials.login.keepaliveIntervalMs',
    );
    expect(
      fieldOf(() =>
        resolveOptions({
          accountId: '1',
          credentials: { oauth1: { consumerKey: 'k', consumerSecret: '', token: 't', tokenSecret: 's' } },
        }),
      ),
    ).toBe('credentials.oauth1.consumerSecret');
  });

  test('environment variables', () => {
    const env = optionsFromEnv({
      LP_ACCOUNT_ID: '123',
      LP_OAUTH1_CONSUMER_KEY: 'a'.repeat(32),
      LP_OAUTH1_CONSUMER_SECRET: 'b'.repeat(32),
      LP_OAUTH1_TOKEN: 'c'.repeat(32),
      LP_OAUTH1_TOKEN_SECRET: 'd'.repeat(32),
      LP_LOGIN_USERNAME: 'bot',
      LP_LOGIN_APP_KEY: 'cid',
      LP_LOGIN_SECRET: 'csecret-123',
      LP_LOGIN_KEEPALIVE_MS: '60000',
    });
    const resolved = resolveOptions(env as { accountId: string });
    expect(resolved.credentials.oauth1?.consumerKey).toBe('a'.repeat(32));
    expect(resolved.credentials.oauth1?.tokenSecret.reveal()).toBe('d'.repeat(32));
    expect(resolved.credentials.login).toMatchObject({
      username: 'bot',
      appKey: 'cid',
      keepaliveIntervalMs: 60_000,
    });
    const shown = inspect(env, { depth: 10 }) + JSON.stringify(env);
    for (const s of ['b'.repeat(32), 'd'.repeat(32), 'csecret-123']) expect(shown).not.toContain(s);
    expect(() => optionsFromEnv({ LP_LOGIN_USERNAME: 'u', LP_LOGIN_KEEPALIVE_MS: 'soon' })).toThrow(
      ConfigError,
    );
  });
});
