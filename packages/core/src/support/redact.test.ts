import { describe, expect, test } from '@jest/globals';
import { redactUrl } from './redact.js';
import { isLoopbackHost, parseBaseUrl } from './url.js';

describe('redactUrl', () => {
  test('replaces credential query values and drops userinfo', () => {
    const shown = redactUrl(
      'https://user:pw@z1.ccs.liveperson.net/v2/x?access_token=abc.def.ghi&keep=1&code=zz',
    );
    expect(shown).toBe('https://z1.ccs.liveperson.net/v2/x?access_token=[REDACTED]&keep=1&code=[REDACTED]');
  });
  test('leaves URLs without secrets alone', () => {
    expect(redactUrl('https://a.example/p?v=1.0')).toBe('https://a.example/p?v=1.0');
  });
});

describe('base URLs', () => {
  test.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]'])('%s is loopback', (h) =>
    expect(isLoopbackHost(h)).toBe(true),
  );
  // `*.localhost` is resolved by DNS on many systems, so plain http to it could leave the machine.
  test.each([
    '10.0.0.1',
    '127.0.0.1.example.com',
    'localhost.example.com',
    '0.0.0.0',
    'app.localhost',
    'a.b.localhost',
  ])('%s is not loopback', (h) => expect(isLoopbackHost(h)).toBe(false));
  test('plain http to a *.localhost name is refused like any other remote host', () => {
    expect(() => parseBaseUrl('csds.baseUrl', 'http://app.localhost:8080')).toThrow(/plain http is refused/);
    expect(parseBaseUrl('csds.baseUrl', 'http://localhost:8080')).toBe('http://localhost:8080');
  });
  test('a bare host means https; trailing slashes go', () => {
    expect(parseBaseUrl('f', 'va.agentvep.liveperson.net/')).toBe('https://va.agentvep.liveperson.net');
  });
});
