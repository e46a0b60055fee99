import { beforeAll, describe, expect, test } from '@jest/globals';
import {
  ConsumerTokenError,
  createConsumerVerifier,
  extractBearerToken,
  httpErrorResponse,
  type BearerRequestParts,
  type TokenLocations,
} from './core.js';
import { ISSUER, claims, expectRejected, sign, testKey, type TestKey } from './consumer-support.js';

const extract = (parts: Partial<BearerRequestParts>, locations?: TokenLocations) =>
  extractBearerToken({ headers: {}, ...parts }, locations);

const rejectedCode = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConsumerTokenError);
    return (error as ConsumerTokenError).code;
  }
  throw new Error('expected a ConsumerTokenError');
};

describe('extractBearerToken (RFC 6750 §2)', () => {
  test('reads Authorization: Bearer, the scheme in any case', () => {
    expect(extract({ headers: { authorization: 'Bearer abc.def.ghi' } })).toBe('abc.def.ghi');
    expect(extract({ headers: { authorization: 'bearer abc.def.ghi' } })).toBe('abc.def.ghi');
  });

  test('no token, or another scheme, is undefined', () => {
    expect(extract({})).toBeUndefined();
    expect(extract({ headers: { authorization: 'Basic dXNlcjpwYXNz' } })).toBeUndefined();
  });

  test('a Bearer header without exactly one token is a malformed request', () => {
    expect(rejectedCode(() => extract({ headers: { authorization: 'Bearer' } }))).toBe(
      'malformed_authorization',
    );
    expect(rejectedCode(() => extract({ headers: { authorization: 'Bearer a b' } }))).toBe(
      'malformed_authorization',
    );
    expect(rejectedCode(() => extract({ headers: { authorization: 'Bearer a,Bearer b' } }))).toBe(
      'malformed_authorization',
    );
  });

  test('two Authorization headers are two tokens', () => {
    expect(rejectedCode(() => extract({ headers: { authorization: ['Bearer a', 'Bearer b'] } }))).toBe(
      'multiple_tokens',
    );
  });

  test('a token in the query is refused unless enabled, then read', () => {
    expect(rejectedCode(() => extract({ query: { access_token: 'q' } }))).toBe('token_location_not_allowed');
    expect(extract({ query: { access_token: 'q' } }, { query: true })).toBe('q');
    expect(rejectedCode(() => extract({ query: { access_token: ['q', 'r'] } }, { query: true }))).toBe(
      'multiple_tokens',
    );
  });

  test('header and query together are two tokens', () => {
    const parts = { headers: { authorization: 'Bearer h' }, query: { access_token: 'q' } };
    expect(rejectedCode(() => extract(parts, { query: true }))).toBe('multiple_tokens');
  });

  test('a form body token is read only when enabled, on a form POST', () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(rejectedCode(() => extract({ method: 'POST', headers: form, body: { access_token: 'b' } }))).toBe(
      'token_location_not_allowed',
    );
    expect(extract({ method: 'POST', headers: form, body: { access_token: 'b' } }, { body: true })).toBe('b');
    expect(extract({ method: 'POST', headers: form, body: 'x=1&access_token=b' }, { body: true })).toBe('b');
    // Not on GET, and not in a JSON body: those are not RFC 6750 locations.
    expect(
      extract({ method: 'GET', headers: form, body: { access_token: 'b' } }, { body: true }),
    ).toBeUndefined();
    const json = { 'content-type': 'application/json' };
    expect(
      extract({ method: 'POST', headers: json, body: { access_token: 'b' } }, { body: true }),
    ).toBeUndefined();
  });

  test('a cookie is read when its name is configured, from parsed cookies or the header', () => {
    expect(extract({ headers: { cookie: 'a=1; lp_token=c.c.c' } }, { cookie: 'lp_token' })).toBe('c.c.c');
    expect(extract({ cookies: { lp_token: 'c.c.c' } }, { cookie: 'lp_token' })).toBe('c.c.c');
    expect(extract({ headers: { cookie: 'lp_token=c.c.c' } })).toBeUndefined();
    const both = { headers: { authorization: 'Bearer h', cookie: 'lp_token=c' } };
    expect(rejectedCode(() => extract(both, { cookie: 'lp_token' }))).toBe('multiple_tokens');
  });
});

describe('ConsumerVerifier.authenticate: the RFC 6750 answers', () => {
  let key: TestKey;
  beforeAll(async () => {
    key = await testKey('RS256', 'k1');
  });
  const verifier = () => createConsumerVerifier({ issuer: ISSUER, key: key.publicKey, realm: 'brand' });

  test('a valid token in the header authenticates', async () => {
    const token = await sign(claims(), key);
    await expect(
      verifier().authenticate({ headers: { authorization: `Bearer ${token}` } }),
    ).resolves.toMatchObject({
      sub: 'consumer-1',
    });
  });

  test('no token: 401 with only the Bearer realm challenge', async () => {
    const error = await expectRejected(verifier().authenticate({ headers: {} }), 'token_missing');
    expect(httpErrorResponse(error)).toEqual({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="brand"' },
      body: { error: 'unauthorized', code: 'token_missing' },
    });
  });

  test('two tokens: 400 invalid_request', async () => {
    const token = await sign(claims(), key);
    const error = await expectRejected(
      verifier().authenticate({ headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] } }),
      'multiple_tokens',
      400,
    );
    expect(httpErrorResponse(error).headers['WWW-Authenticate']).toBe(
      'Bearer realm="brand", error="invalid_request", error_description="The request is malformed"',
    );
  });

  test('a token in the query when not allowed: 400 invalid_request', async () => {
    const token = await sign(claims(), key);
    await expectRejected(
      verifier().authenticate({ headers: {}, query: { access_token: token } }),
      'token_location_not_allowed',
      400,
    );
  });

  test('the query is accepted when the verifier enables it', async () => {
    const token = await sign(claims(), key);
    const v = createConsumerVerifier({ issuer: ISSUER, key: key.publicKey, tokenLocations: { query: true } });
    await expect(v.authenticate({ headers: {}, query: { access_token: token } })).resolves.toMatchObject({
      sub: 'consumer-1',
    });
  });
});
