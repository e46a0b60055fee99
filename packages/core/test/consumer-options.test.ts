import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import {
  ConfigError,
  createConsumerVerifier,
  createLpAuth,
  parseLpSdes,
  findSde,
  filterSdes,
  secret,
  silentLogger,
  type ConsumerVerifierOptions,
} from './core.js';
import { ISSUER } from './consumer-support.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = String(rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }));
const spki = rsa.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

const fieldOf = (options: ConsumerVerifierOptions): string => {
  try {
    createLpAuth({ accountId: '1', logger: silentLogger, consumer: options });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).field;
  }
  throw new Error('expected a ConfigError');
};

describe('consumer options are validated at start-up, naming the field', () => {
  test.each<[string, ConsumerVerifierOptions, string]>([
    ['no issuer', {} as ConsumerVerifierOptions, 'consumer.issuer'],
    [
      '"none" in the algorithms',
      { issuer: ISSUER, key: spki, algorithms: ['none' as never] },
      'consumer.algorithms',
    ],
    [
      'HS256 in the algorithms',
      { issuer: ISSUER, key: spki, algorithms: ['HS256' as never] },
      'consumer.algorithms',
    ],
    ['a key that is not a key', { issuer: ISSUER, key: 'bm90IGEga2V5' }, 'consumer.key'],
    ['a symmetric JWK', { issuer: ISSUER, key: { kty: 'oct', k: 'c2VjcmV0' } }, 'consumer.key'],
    [
      'key and jwksUri together',
      { issuer: ISSUER, key: spki, jwksUri: 'https://idp.example/jwks' },
      'consumer.jwksUri',
    ],
    [
      'a plain-http jwksUri off loopback',
      { issuer: ISSUER, jwksUri: 'http://idp.example/jwks' },
      'consumer.jwksUri',
    ],
    ['discovery of a non-URL issuer', { issuer: 'brand-idp' }, 'consumer.issuer'],
    [
      'a bad second issuer',
      { issuers: [{ issuer: ISSUER, key: spki }, { issuer: '' }] },
      'consumer.issuers[1].issuer',
    ],
    [
      'an issuer twice',
      {
        issuers: [
          { issuer: ISSUER, key: spki },
          { issuer: ISSUER, key: spki },
        ],
      },
      'consumer.issuers[1].issuer',
    ],
    [
      'a negative tolerance',
      { issuer: ISSUER, key: spki, clockToleranceMs: -1 },
      'consumer.clockToleranceMs',
    ],
    [
      'requireEncryption without a key',
      { issuer: ISSUER, key: spki, requireEncryption: true },
      'consumer.decryptionKey',
    ],
    [
      'a public key to decrypt with',
      { issuer: ISSUER, key: spki, decryptionKey: rsa.publicKey },
      'consumer.decryptionKey',
    ],
    [
      'a bad cookie name',
      { issuer: ISSUER, key: spki, tokenLocations: { cookie: 'a b' } },
      'consumer.tokenLocations.cookie',
    ],
  ])('%s', (_name, options, field) => {
    expect(fieldOf(options)).toBe(field);
  });

  test('an RSA key shorter than 2048 bits is refused', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(fieldOf({ issuer: ISSUER, key: weak })).toBe('consumer.key');
  });

  test('the decryption key never prints: not in options, errors or util.inspect', () => {
    const lp = createLpAuth({
      accountId: '1',
      logger: silentLogger,
      consumer: { issuer: ISSUER, key: spki, decryptionKey: secret(privatePem) },
    });
    const body = privatePem.split('\n')[1]!;
    try {
      expect(inspect(lp.options, { depth: 10 })).not.toContain(body);
      expect(JSON.stringify(lp.options)).not.toContain(body);
      expect(inspect(lp.consumer, { depth: 10 })).not.toContain(body);
    } finally {
      void lp.close();
    }
    let message = '';
    try {
      createConsumerVerifier({ issuer: ISSUER, key: spki, decryptionKey: privatePem.replace('MII', 'XXX') });
    } catch (error) {
      message = `${String(error)} ${inspect(error)}`;
    }
    expect(message).toContain('consumer.decryptionKey');
    expect(message).not.toContain(body.slice(5));
  });

  test('defaults', () => {
    const { options } = createConsumerVerifier({ issuer: ISSUER, key: spki });
    expect(options).toMatchObject({
      clockToleranceMs: 5000,
      maxTokenLength: 8192,
      realm: 'api',
      errorDetail: false,
      requireEncryption: false,
      cacheEntries: 10_000,
      tokenLocations: { query: false, body: false },
      jwks: { maxAgeMs: 600_000, cooldownMs: 30_000, staleIfErrorMs: 3_600_000, timeoutMs: 5000 },
    });
  });
});

describe('lp_sdes', () => {
  test('known types are typed, unknown ones kept, junk dropped, a JSON string accepted', () => {
    const sdes = parseLpSdes(
      JSON.stringify([
        {
          type: 'ctmrinfo',
          info: { customerId: 'c-1', balance: -1.5, lastPaymentDate: { day: 1, month: 2, year: 2025 } },
        },
        { type: 'purchase', total: 10, currency: 'EUR', orderId: 'o-1' },
        { type: 'purchase', total: 20, orderId: 'o-2' },
        { type: 'personal', personal: 'not an object' },
        { type: 'custom', anything: [1, 2] },
        'junk',
        { noType: true },
      ]),
    );
    expect(sdes).toHaveLength(5);
    expect(findSde(sdes, 'ctmrinfo')?.info.lastPaymentDate?.year).toBe(2025);
    expect(filterSdes(sdes, 'purchase').map((p) => p.orderId)).toEqual(['o-1', 'o-2']);
    // The wrong shape for its type: kept as sent, but not offered as typed.
    expect(findSde(sdes, 'personal')).toBeUndefined();
    expect(sdes).toContainEqual({ type: 'custom', anything: [1, 2] });
    expect(parseLpSdes(undefined)).toEqual([]);
    expect(parseLpSdes('{not json')).toEqual([]);
  });
});
