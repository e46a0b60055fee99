import { beforeAll, describe, expect, test } from '@jest/globals';
import { createConsumerVerifier, type ConsumerVerifier } from './core.js';
import {
  ISSUER,
  asAlgNone,
  claims,
  expectRejected,
  sign,
  testKey,
  type TestKey,
} from './consumer-support.js';

interface Line {
  level: string;
  message: string;
  data?: Record<string, unknown>;
}

function recordingLogger(lines: Line[]) {
  const at =
    (level: string) =>
    (message: string, data?: Record<string, unknown>): void =>
      void lines.push({ level, message, ...(data ? { data } : {}) });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let key: TestKey;
beforeAll(async () => {
  key = await testKey('RS256', 'rsa-1');
});

describe('every refusal is logged once at debug, without the token', () => {
  const lines: Line[] = [];
  let verifier: ConsumerVerifier;
  const refuse = async (token: string, code: string) => {
    lines.length = 0;
    await expectRejected(verifier.verify(token), code);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line!.level).toBe('debug');
    expect(JSON.stringify(line)).not.toContain(token);
    // Nor the signature or payload segments alone.
    for (const part of token.split('.').filter((p) => p.length > 8)) {
      expect(JSON.stringify(line)).not.toContain(part);
    }
    return line!;
  };

  beforeAll(() => {
    verifier = createConsumerVerifier(
      { issuer: ISSUER, key: key.publicKey },
      { logger: recordingLogger(lines) },
    );
  });

  test('another issuer: the code, that issuer and the kid', async () => {
    const token = await sign(claims({ iss: 'https://other.example' }), key);
    const line = await refuse(token, 'issuer_mismatch');
    expect(line.message).toBe('consumer token refused: issuer_mismatch');
    expect(line.data).toEqual({ code: 'issuer_mismatch', issuer: 'https://other.example', kid: 'rsa-1' });
  });

  test('"abc": the code alone (nothing of the token was readable)', async () => {
    const line = await refuse('abc', 'token_malformed');
    expect(line.data).toEqual({ code: 'token_malformed' });
  });

  test('alg "none": the code, the issuer and kid it claimed', async () => {
    const token = asAlgNone(await sign(claims(), key));
    const line = await refuse(token, 'algorithm_not_allowed');
    expect(line.data).toEqual({ code: 'algorithm_not_allowed', issuer: ISSUER, kid: 'rsa-1' });
  });

  test('a request without a token: token_missing, once', async () => {
    lines.length = 0;
    await expectRejected(verifier.authenticate({ headers: {} }), 'token_missing');
    expect(lines).toEqual([
      { level: 'debug', message: 'consumer token refused: token_missing', data: { code: 'token_missing' } },
    ]);
  });

  test('an accepted token logs nothing', async () => {
    lines.length = 0;
    await verifier.verify(await sign(claims(), key));
    expect(lines).toEqual([]);
  });
});
