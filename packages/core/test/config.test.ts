import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import {
  ConfigError,
  CREDENTIAL_KINDS,
  createLpAuth,
  optionsFromEnv,
  resolveOptions,
  secret,
  type LpAuthOptions,
} from './core.js';

const SECRET = 'S3cr3t-value-that-must-never-print-0123';

function configError(options: unknown): ConfigError {
  try {
    createLpAuth(options as LpAuthOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('config_invalid');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('options are validated at start-up', () => {
  test('a missing account id names the field and the env variable', () => {
    const error = configError({});
    expect(error.field).toBe('accountId');
    expect(error.message).toContain('LP_ACCOUNT_ID');
  });

  test('a malformed URL names the field', () => {
    const error = configError({ accountId: '123', csds: { baseUrl: 'http://exa mple' } });
    expect(error.field).toBe('csds.baseUrl');
  });

  test('plain http to a non-loopback host is refused and says why', () => {
    const error = configError({ accountId: '123', domains: { sentinel: 'http://sentinel.example.com' } });
    expect(error.field).toBe('domains.sentinel');
    expect(error.message).toMatch(/unencrypted/);
  });

  test('plain http to loopback is allowed', () => {
    const lp = createLpAuth({
      accountId: '123',
      csds: { baseUrl: 'http://127.0.0.1:9' },
      domains: { x: 'http://localhost:1' },
    });
    expect(lp.options.csds.baseUrl).toBe('http://127.0.0.1:9');
    void lp.close();
  });

  test('an unknown region names the field and lists the regions', () => {
    const error = configError({
      accountId: '123',
      credentials: { orchestratorV1: { apiKey: 'k', region: 'mars' } },
    });
    expect(error.field).toBe('credentials.orchestratorV1.region');
    expect(error.message).toContain('us, emea, apac');
  });

  test('a missing secret names the field without echoing anything', () => {
    const error = configError({ accountId: '123', credentials: { appJwt: { clientId: 'abc' } } });
    expect(error.field).toBe('credentials.appJwt.clientSecret');
  });

  test('an unknown credential is refused', () => {
    expect(configError({ accountId: '123', credentials: { appJWT: {} } }).field).toBe('credentials.appJWT');
  });

  test('the unknown-credential message lists every kind, and every kind gets a client', async () => {
    const error = configError({ accountId: '123', credentials: { sendApi: {} } });
    for (const kind of CREDENTIAL_KINDS) expect(error.message).toContain(kind);
    const lp = createLpAuth({
      accountId: '123',
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      credentials: {
        appJwt: { clientId: 'abc', clientSecret: SECRET },
        orchestratorV1: { apiKey: SECRET },
        orchestratorV2: { username: 'u', password: SECRET },
        oauth1: { consumerKey: 'k', consumerSecret: SECRET, token: 't', tokenSecret: SECRET },
        login: { username: 'bot', password: SECRET },
      },
    });
    try {
      expect(Object.keys(lp.clients).sort()).toEqual([...CREDENTIAL_KINDS].sort());
    } finally {
      await lp.close();
    }
  });

  test('a credentials value that is not an object is refused', () => {
    expect(configError({ accountId: '123', credentials: 'appJwt' }).field).toBe('credentials');
  });

  test('no secret is printed by util.inspect, JSON.stringify or String of the options', () => {
    const options: LpAuthOptions = {
      accountId: '123',
      credentials: {
        appJwt: { clientId: 'abc', clientSecret: SECRET },
        orchestratorV1: { apiKey: SECRET },
        orchestratorV2: { username: 'u', password: secret(SECRET) },
      },
    };
    const lp = createLpAuth(options);
    const shown = [
      inspect(lp.options, { depth: 10 }),
      JSON.stringify(lp.options),
      inspect(lp, { depth: 10 }),
      String(lp.options.credentials.appJwt?.clientSecret),
    ];
    for (const text of shown) expect(text).not.toContain(SECRET);
    expect(inspect(lp.options, { depth: 10 })).toContain('[REDACTED]');
    void lp.close();
  });

  test('LP_* environment variables build the same options, secrets wrapped', () => {
    const env = {
      LP_ACCOUNT_ID: '42',
      LP_CSDS_URL: 'http://127.0.0.1:1234',
      LP_DOMAINS: 'orchestratorContext=http://127.0.0.1:1234,sentinel=https://s.example',
      LP_APP_JWT_CLIENT_ID: 'cid',
      LP_APP_JWT_CLIENT_SECRET: SECRET,
      LP_ORCHESTRATOR_API_KEY: SECRET,
      LP_ORCHESTRATOR_USERNAME: 'user',
      LP_ORCHESTRATOR_PASSWORD: SECRET,
      LP_ORCHESTRATOR_REGION: 'emea',
    };
    const fromEnv = optionsFromEnv(env);
    expect(inspect(fromEnv, { depth: 10 })).not.toContain(SECRET);
    const resolved = resolveOptions(fromEnv as LpAuthOptions);
    expect(resolved.accountId).toBe('42');
    expect(resolved.domains).toEqual({
      orchestratorContext: 'http://127.0.0.1:1234',
      sentinel: 'https://s.example',
    });
    expect(resolved.credentials.appJwt?.clientSecret.reveal()).toBe(SECRET);
    expect(resolved.credentials.orchestratorV2?.region).toBe('emea');
  });

  test('LP_CONSUMER_* configure the consumer verifier, which needs LP_CONSUMER_ISSUER', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const fromEnv = optionsFromEnv({
      LP_CONSUMER_ISSUER: 'https://login.brand.example',
      LP_CONSUMER_PUBLIC_KEY: spki,
      LP_CONSUMER_AUDIENCE: 'orders-api, web',
    });
    expect(fromEnv.consumer).toEqual({
      issuer: 'https://login.brand.example',
      key: spki,
      audience: ['orders-api', 'web'],
    });
    const resolved = resolveOptions({ accountId: '42', ...fromEnv } as LpAuthOptions);
    expect(resolved.consumer?.issuers[0]?.issuer).toBe('https://login.brand.example');
    expect(resolved.consumer?.issuers[0]?.audience).toEqual(['orders-api', 'web']);
    expect(optionsFromEnv({ LP_ACCOUNT_ID: '42' }).consumer).toBeUndefined();
    expect(
      optionsFromEnv({ LP_CONSUMER_JWKS_URI: 'https://login.brand.example/jwks' }).consumer,
    ).toBeUndefined();
  });

  test('a bad LP_DOMAINS value names the variable', () => {
    let error: unknown;
    try {
      optionsFromEnv({ LP_DOMAINS: 'nonsense' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('LP_DOMAINS');
  });
});
