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
  test.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'app.localhost'])('%s is loopback', (h) =>
    expect(isLoopbackHost(h)).toBe(true),
  );
  test.each(['10.0.0.1', '127.0.0.1.example.com', 'localhost.example.com', '0.0.0.0'])(
    '%s is not loopback',
    (h) => expect(isLoopbackHost(h)).toBe(false),
  );
  test('a bare host means https; trailing slashes go', () => {
    expect(parseBaseUrl('f', 'va.agentvep.liveperson.net/')).toBe('https://va.agentvep.liveperson.net');
  });
});
