import { createHmac } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { secret } from '../support/secret.js';
import { oauthBaseUrl, oauthNonce, oauthPercentEncode, signOAuth1 } from './oauth1-signature.js';

// RFC 5849 §3.4.1: the request and the base string printed in §3.4.1.1 (line breaks removed).
const RFC_3_4_1_BASE_STRING =
  'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q' +
  '%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_' +
  'key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m' +
  'ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk' +
  '9d7dh3k39sjv7';

const keys = {
  consumerKey: 'dpf43f3p2l4k3l03',
  consumerSecret: 'kd94hf93k423kf44',
  token: 'nnch734d00sl2jdk',
  tokenSecret: 'pfkkdhi9sl3r4s00',
};

describe('signOAuth1 (RFC 5849 §3.4, HMAC-SHA1)', () => {
  test('reproduces the §3.4.1.1 base string to the byte', () => {
    const signed = signOAuth1(
      {
        method: 'POST',
        url: 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b',
        body: 'c2&a3=2+q',
        contentType: 'application/x-www-form-urlencoded',
      },
      { consumerKey: '9djdj82h48djs9d2', consumerSecret: 'x', token: 'kkk9d7dh3k39sjv7', tokenSecret: 'y' },
      { nonce: '7d8f3e4a', timestamp: 137131201, version: false, realm: 'Example' },
    );
    expect(signed.baseString).toBe(RFC_3_4_1_BASE_STRING);
    // The signature is HMAC-SHA1 over exactly that string with "secret&tokensecret".
    expect(signed.signature).toBe(createHmac('sha1', 'x&y').update(RFC_3_4_1_BASE_STRING).digest('base64'));
    expect(
      signed.authorization.startsWith('OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2"'),
    ).toBe(true);
  });

  test('computes the §1.2 photos.example.net signature (without oauth_version)', () => {
    const signed = signOAuth1(
      { method: 'GET', url: 'http://photos.example.net/photos?file=vacation.jpg&size=original' },
      { ...keys, consumerSecret: secret(keys.consumerSecret), tokenSecret: secret(keys.tokenSecret) },
      { nonce: 'chapoH', timestamp: '137131202', version: false },
    );
    expect(signed.signature).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=');
    expect(signed.authorization).toBe(
      'OAuth oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ' +
        'oauth_signature_method="HMAC-SHA1", oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D", ' +
        'oauth_timestamp="137131202", oauth_nonce="chapoH"',
    );
  });

  test('signs oauth_version="1.0" by default, and it changes the signature', () => {
    const request = {
      method: 'GET',
      url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
    };
    const withVersion = signOAuth1(request, keys, { nonce: 'chapoH', timestamp: 137131202 });
    expect(withVersion.baseString).toContain('oauth_version%3D1.0');
    expect(withVersion.authorization.endsWith(', oauth_version="1.0"')).toBe(true);
    expect(withVersion.signature).not.toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=');
  });

  test('repeated parameters are all signed, sorted by name then value', () => {
    const { baseString } = signOAuth1({ method: 'get', url: 'https://a.example/p?z=1&a=2&a=1&a=10' }, keys, {
      nonce: 'n',
      timestamp: 1,
    });
    expect(baseString.startsWith('GET&https%3A%2F%2Fa.example%2Fp&a%3D1%26a%3D10%26a%3D2%26oauth_')).toBe(
      true,
    );
    expect(baseString.endsWith('%26z%3D1')).toBe(true);
  });

  test('non-ASCII is encoded as UTF-8 bytes with upper-case hex; reserved characters are encoded', () => {
    expect(oauthPercentEncode('café ☕')).toBe('caf%C3%A9%20%E2%98%95');
    expect(oauthPercentEncode("!*'()~-._")).toBe('%21%2A%27%28%29~-._');
    expect(oauthPercentEncode('a+b=c&d/e?f#g%h')).toBe('a%2Bb%3Dc%26d%2Fe%3Ff%23g%25h');
    // A lone surrogate is not valid UTF-16: encoded as U+FFFD, as Buffer and URLSearchParams do.
    expect(oauthPercentEncode('x\ud800y')).toBe('x%EF%BF%BDy');
    const { baseString } = signOAuth1({ method: 'POST', url: 'https://a.example/p?name=Jos%C3%A9' }, keys, {
      nonce: 'n',
      timestamp: 1,
    });
    expect(baseString).toContain('name%3DJos%25C3%25A9');
  });

  test('nonces are 32 hex characters and never repeat, across refills of the random pool', () => {
    const nonces = new Set(Array.from({ length: 2000 }, () => oauthNonce()));
    expect(nonces.size).toBe(2000);
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{32}$/);
  });

  test('base URL: scheme and host lower-cased, default ports dropped, other ports kept', () => {
    expect(oauthBaseUrl(new URL('HTTP://EXAMPLE.COM:80/r%20v/X?id=123'))).toBe('http://example.com/r%20v/X');
    expect(oauthBaseUrl(new URL('https://www.example.net:8080/?q=1'))).toBe('https://www.example.net:8080/');
    expect(oauthBaseUrl(new URL('https://Example.com:443/a'))).toBe('https://example.com/a');
  });

  test('a form body is signed, a JSON body is not', () => {
    const url = 'https://a.example/p';
    const form = signOAuth1(
      {
        method: 'POST',
        url,
        body: 'skill=vip+desk',
        contentType: 'application/x-www-form-urlencoded; charset=UTF-8',
      },
      keys,
      { nonce: 'n', timestamp: 1 },
    );
    expect(form.baseString).toContain('skill%3Dvip%2520desk');
    const params = signOAuth1(
      { method: 'POST', url, body: new URLSearchParams({ skill: 'vip desk' }) },
      keys,
      { nonce: 'n', timestamp: 1 },
    );
    expect(params.baseString).toBe(form.baseString);
    const json = signOAuth1(
      { method: 'POST', url, body: '{"skill":"vip"}', contentType: 'application/json' },
      keys,
      { nonce: 'n', timestamp: 1 },
    );
    const none = signOAuth1({ method: 'POST', url }, keys, { nonce: 'n', timestamp: 1 });
    expect(json.baseString).toBe(none.baseString);
    // A form-typed body given as bytes is signed the same as text.
    const bytes = signOAuth1(
      {
        method: 'POST',
        url,
        body: new TextEncoder().encode('skill=vip+desk'),
        contentType: 'application/x-www-form-urlencoded',
      },
      keys,
      { nonce: 'n', timestamp: 1 },
    );
    expect(bytes.baseString).toBe(form.baseString);
  });

  test('a fresh nonce and timestamp by default', () => {
    const a = signOAuth1({ method: 'GET', url: 'https://a.example/' }, keys);
    const b = signOAuth1({ method: 'GET', url: 'https://a.example/' }, keys);
    expect(a.authorization).toMatch(/oauth_nonce="[0-9a-f]{32}"/);
    expect(a.signature).not.toBe(b.signature);
    const ts = Number(/oauth_timestamp="(\d+)"/.exec(a.authorization)?.[1]);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(5);
  });
});
