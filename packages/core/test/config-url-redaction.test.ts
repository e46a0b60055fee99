import { inspect } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import { ConfigError, createLpAuth, parseBaseUrl, redactUrlText } from './core.js';

describe('a ConfigError for a URL option never shows its password or query', () => {
  const printedError = (error: unknown) =>
    [String(error), inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error)].join('\n');

  const cases: { field: string; value: string; secrets: string[]; build: (value: string) => unknown }[] = [
    {
      field: 'csds.baseUrl',
      value: 'https://bot:hunter2-pw@api.example:99999/?token=s3cr3t-q',
      secrets: ['hunter2-pw', 's3cr3t-q'],
      build: (value) => createLpAuth({ accountId: '12345678', csds: { baseUrl: value } }),
    },
    {
      field: 'domains.agentVep',
      value: 'https://bot:hun?ter2-pw@va example/x#frag-s3cr3t',
      secrets: ['hun?ter2-pw', 'ter2-pw', 'frag-s3cr3t'],
      build: (value) => parseBaseUrl('domains.agentVep', value),
    },
    {
      field: 'appAuthorization.redirectUri',
      value: 'https://user:hunter2-pw@exa mple.com/cb?client_secret=s3cr3t-q&tenant=x',
      secrets: ['hunter2-pw', 's3cr3t-q'],
      build: (value) =>
        createLpAuth({
          accountId: '12345678',
          appAuthorization: { clientId: 'c', clientSecret: 'client-secret-value', redirectUri: value },
        }),
    },
  ];

  test.each(cases)('$field', ({ field, value, secrets, build }) => {
    let thrown: unknown;
    try {
      build(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ code: 'config_invalid', field });
    const text = printedError(thrown);
    for (const secret of [...secrets, 'client-secret-value']) {
      expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(text).toContain('[REDACTED]');
  });

  test('the resolved options of a valid setup print no secret', () => {
    const lp = createLpAuth({
      accountId: '12345678',
      appAuthorization: {
        clientId: 'c',
        clientSecret: 'client-secret-value',
        redirectUri: 'https://tools.example/auth/callback',
        cookieSecret: 'cookie-secret-value-of-at-least-32-chars',
      },
    });
    try {
      const text = [
        inspect(lp.options, { depth: Infinity, showHidden: true }),
        JSON.stringify(lp.options),
      ].join();
      expect(text).not.toContain('client-secret-value');
      expect(text).not.toContain('cookie-secret-value');
    } finally {
      void lp.close();
    }
  });
});

test('redactUrlText keeps what says where the mistake is', () => {
  expect(redactUrlText('https://bot:pw@va.example:99999/x?key=abc&v=1#f')).toBe(
    'https://[REDACTED]@va.example:99999/x?key=[REDACTED]&v=[REDACTED]#[REDACTED]',
  );
  expect(redactUrlText('user:pw@host:99999')).toBe('[REDACTED]@host:99999');
  expect(redactUrlText('https://va example/path')).toBe('https://va example/path');
  expect(redactUrlText(`https://h/${'a'.repeat(500)}`).length).toBeLessThanOrEqual(201);
});
