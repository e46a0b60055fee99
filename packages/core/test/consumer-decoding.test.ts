import { sign as cryptoSign } from 'node:crypto';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { createConsumerVerifier, type ConsumerVerifier } from '../src/index.js';
import { ISSUER, claims, expectRejected, testKey, type TestKey } from './consumer-support.js';

// The decoding of a JWS (compact.ts) checks base64url while decoding and finds repeated member
// names by counting them; these tokens are signed with the right key, so only decoding can refuse.

let rsa: TestKey;
let verifier: ConsumerVerifier;

beforeAll(async () => {
  rsa = await testKey('RS256', 'rsa-1');
  verifier = createConsumerVerifier({ issuer: ISSUER, key: rsa.publicKey });
});

const b64u = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const HEADER = JSON.stringify({ alg: 'RS256', kid: 'rsa-1', typ: 'JWT' });

/** A token signed over exactly these header and payload texts (JSON no library would write). */
function signedText(payload: string, header = HEADER): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${cryptoSign('sha256', Buffer.from(input), rsa.privateKey).toString('base64url')}`;
}

/** `claims()` as JSON text with `members` (raw JSON text) added at the end of the object. */
const withMembers = (members: string) => `${JSON.stringify(claims()).slice(0, -1)},${members}}`;

/** The same bytes spelled with the unused low bits of the last character set. */
function withPaddingBits(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  if (segment.length % 4 === 0) throw new Error('this segment has no padding bits');
  const last = alphabet.indexOf(segment.at(-1)!);
  const spelled = `${segment.slice(0, -1)}${alphabet[last | 1]}`;
  expect(Buffer.from(spelled, 'base64url')).toEqual(Buffer.from(segment, 'base64url'));
  return spelled;
}

const nested = (depth: number, inner: string) => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

describe('repeated member names are refused wherever they are', () => {
  test.each([
    ['two "sub", the second after a string full of quotes and colons', '"note":"a\\":b\\\\","sub":"admin"'],
    ['a name with an escaped quote and a colon, twice', '"x\\":y":1,"x\\":y":2'],
    ['"__proto__" twice', '"__proto__":{"a":1},"__proto__":2'],
    ['an object value replaced by a number', '"deep":{"a":1,"b":2},"deep":3'],
    ['in the second of two sibling objects', '"list":[{"type":"a"},{"type":"b","type":"c"}]'],
    ['in an object 60 arrays deep', `"deep":${nested(60, '{"a":1,"a":2}')}`],
    ['in an object 60 objects deep', `"deep":${'{"n":'.repeat(60)}{"a":1,"a":2}${'}'.repeat(60)}`],
  ])('payload: %s', async (_name, members) => {
    await expectRejected(verifier.verify(signedText(withMembers(members))), 'token_malformed');
  });

  test('header: a repeated "kid", also once the header without it is known', async () => {
    await verifier.verify(signedText(JSON.stringify(claims())));
    const header = `${HEADER.slice(0, -1)},"kid":"other"}`;
    await expectRejected(verifier.verify(signedText(JSON.stringify(claims()), header)), 'token_malformed');
  });
});

describe('valid JSON that looks like repetition is accepted', () => {
  test('equal names in sibling objects, escapes, colons in strings, UTF-8, deep nesting', async () => {
    const members = [
      '"list":[{"type":"a","x":1},{"type":"a","x":1}]',
      '"quoted":"\\"sub\\":\\"admin\\"","colons":"a:b::c","slash":"\\\\"',
      '"名前":"ジョン","\\u00e9t\\u00e9":"summer"',
      '"__proto__":{"sub":"x"}',
      `"deep":${nested(60, '{"a":1,"b":{"a":1}}')}`,
      `"deeper":${'{"n":'.repeat(60)}{"a":1}${'}'.repeat(60)}`,
    ].join(',');
    const consumer = await verifier.verify(signedText(withMembers(members)));
    expect(consumer.sub).toBe('consumer-1');
    expect(consumer.claims['名前']).toBe('ジョン');
    expect(consumer.claims['été']).toBe('summer');
    expect(Object.keys(consumer.claims)).toContain('__proto__');
  });
});

describe('non-canonical base64url is refused in every segment', () => {
  test('the padding bits of the header, the payload or the signature set (same bytes)', async () => {
    // Lengths that leave padding bits in each segment (one of three paddings does).
    const padded = (text: (chars: number) => string) =>
      [0, 1, 2].map(text).find((candidate) => b64u(candidate).length % 4 !== 0)!;
    const payload = padded((chars) => withMembers(`"p":"${'x'.repeat(chars)}"`));
    const header = padded((chars) => `${HEADER.slice(0, -1)},"x":"${'x'.repeat(chars)}"}`);
    const token = signedText(payload, header);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'consumer-1' });
    const [h, p, s] = token.split('.') as [string, string, string];
    for (const spelled of [
      `${withPaddingBits(h)}.${p}.${s}`,
      `${h}.${withPaddingBits(p)}.${s}`,
      `${h}.${p}.${withPaddingBits(s)}`,
    ]) {
      await expectRejected(verifier.verify(spelled), 'token_malformed');
    }
  });

  test('a header known from an earlier token does not let a respelling of it through', async () => {
    const token = signedText(JSON.stringify(claims()));
    await verifier.verify(token);
    const [h, p, s] = token.split('.') as [string, string, string];
    for (const head of [`${h}=`, `${h}A`, ` ${h}`, `${h.slice(0, 4)}+${h.slice(5)}`, `${h}\u0100`]) {
      await expectRejected(verifier.verify(`${head}.${p}.${s}`), 'token_malformed');
    }
  });

  test('standard base64 ("+", "/") in the signature is refused although it decodes alike', async () => {
    let token = '';
    for (let i = 0; !/[-_]/.test(token.split('.')[2] ?? ''); i++) {
      token = signedText(withMembers(`"n":${i}`));
    }
    const [h, p, s] = token.split('.') as [string, string, string];
    const standard = s.replaceAll('-', '+').replaceAll('_', '/');
    expect(Buffer.from(standard, 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    await expectRejected(verifier.verify(`${h}.${p}.${standard}`), 'token_malformed');
  });
});

describe('the identity', () => {
  test('parses lp_sdes when read, once; prints and serializes like a plain object, without the token', async () => {
    const token = signedText(JSON.stringify(claims()));
    const consumer = await verifier.verify(token);
    expect(Object.isFrozen(consumer)).toBe(true);
    expect(consumer.sdes).toBe(consumer.sdes);
    expect(consumer.sdes.map((entry) => entry.type)).toEqual(['ctmrinfo', 'personal', 'loyalty']);
    const json = JSON.parse(JSON.stringify(consumer)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['sub', 'issuer', 'claims', 'sdes', 'expiresAt']);
    expect(JSON.stringify(consumer)).not.toContain(token);
    const { inspect } = await import('node:util');
    expect(inspect(consumer, { depth: 5 })).toContain("type: 'ctmrinfo'");
    expect(inspect(consumer, { depth: 5, showHidden: true })).not.toContain(token);
    // A cache hit has the same claims and shares the lp_sdes parse (identities are frozen, so a
    // token hit again may get the very identity of its last hit).
    const again = await verifier.verify(token);
    expect(again.claims).toBe(consumer.claims);
    expect(again.sdes).toBe(consumer.sdes);
    expect(again.token).toBe(token);
  });
});
