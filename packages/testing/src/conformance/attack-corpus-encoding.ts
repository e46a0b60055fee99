import {
  badRequest,
  bearer,
  idpSigned,
  invalid,
  now,
  v,
  type AttackCorpus,
  type AttackVariant,
} from './attack-corpus.js';
import { b64u, directJwe, jweWithHeader, rsa15Jwe, signCompact, unsignedCompact } from './token-forgery.js';

/** Attacks on the token's size, its compact encoding and its encryption, class by class. */
export const encodingAttacks = {
  /** A token of about 1 MB (sent by the class's `after`, since HTTP servers may refuse it first). */
  async huge(c: AttackCorpus): Promise<string> {
    return idpSigned(c, c.claims({ padding: 'x'.repeat(1024 * 1024) }));
  },

  async oversized(c: AttackCorpus): Promise<AttackVariant[]> {
    const over = (chars: number) => idpSigned(c, c.claims({ padding: 'x'.repeat(chars) }));
    return [
      v('about 8 800 characters (the limit is 8 192)', over(6000), invalid('token_too_large')),
      v('about 12 000 characters', over(8600), invalid('token_too_large')),
    ];
  },

  async segments(c: AttackCorpus): Promise<AttackVariant[]> {
    const good = idpSigned(c, c.claims());
    const [h, p, s] = good.split('.') as [string, string, string];
    // A payload whose base64url has "-" or "_", sent in standard base64 ("+", "/") instead.
    let std = '';
    for (let i = 0; i < 4 && !/[+/]/.test(std); i++) {
      const token = idpSigned(c, c.claims({ note: `${'x'.repeat(i)}???>>>~~~` }));
      std = `${token.split('.')[0]}.${Buffer.from(token.split('.')[1]!, 'base64url').toString('base64').replace(/=+$/, '')}.${token.split('.')[2]}`;
    }
    if (!/[+/]/.test(std)) throw new Error('the corpus found no payload whose base64 has "+" or "/"');
    return [
      v('one segment', h, invalid('token_malformed')),
      v('two segments', `${h}.${p}`, invalid('token_malformed')),
      v('four segments', `${good}.${s}`, invalid('token_malformed')),
      v('six segments', `${good}.${h}.${p}.${s}`, invalid('token_malformed')),
      v(
        'five segments, not a JWE (no decryption key here)',
        `${good}.${h}.${p}`,
        invalid('decryption_failed'),
      ),
      v('only dots', '...', invalid('token_malformed')),
      v('"=" padding on the signature', `${h}.${p}.${s}==`, invalid('token_malformed')),
      v('standard base64 ("+", "/") in the payload', std, invalid('token_malformed')),
      v(
        'a signature of impossible length (≡ 1 mod 4)',
        `${h}.${p}.${s}${'A'.repeat((5 - (s.length % 4)) % 4 || 4)}`,
        invalid('token_malformed'),
      ),
      {
        name: '"=" inside the token',
        authorization: bearer(`${h}=.${p}.${s}`),
        expect: badRequest('malformed_authorization'),
      },
      {
        name: 'a space inside the token',
        authorization: bearer(`${h}.${p} .${s}`),
        expect: badRequest('malformed_authorization'),
      },
      {
        name: 'a tab inside the token',
        authorization: bearer(`${h}.${p}\t.${s}`),
        expect: badRequest('malformed_authorization'),
      },
      {
        name: 'two tokens in one header',
        authorization: bearer(`${good} ${good}`),
        expect: badRequest('malformed_authorization'),
      },
      {
        name: 'a tab after "Bearer" (not the Bearer scheme)',
        authorization: `Bearer\t${good}`,
        expect: { status: 401, code: 'token_missing' },
      },
      {
        name: '"Bearer" and nothing else',
        authorization: 'Bearer',
        expect: badRequest('malformed_authorization'),
      },
    ];
  },

  async jwe(c: AttackCorpus): Promise<AttackVariant[]> {
    const inner = idpSigned(c, c.claims());
    const valid = await c.encrypt(inner);
    const [jh, jk, jiv, jct, jtag] = valid.split('.') as [string, string, string, string, string];
    const flip = (segment: string) => (segment[0] === 'A' ? 'B' : 'A') + segment.slice(1);
    return [
      v('RSA-OAEP-256, the right key (accepted)', valid, 'accepted'),
      v(
        'RSA-OAEP-256 to another key',
        await c.encrypt(inner, c.attacker.publicKey),
        invalid('decryption_failed'),
      ),
      v('RSA1_5 to the right key', rsa15Jwe(inner, c.decryption.publicKey), invalid('algorithm_not_allowed')),
      v(
        'RSA-OAEP (SHA-1) to the right key',
        await c.encrypt(inner, c.decryption.publicKey, 'RSA-OAEP'),
        invalid('algorithm_not_allowed'),
      ),
      v('dir with a guessed key', directJwe(inner), invalid('algorithm_not_allowed')),
      v(
        'PBES2 with 2^31 iterations',
        jweWithHeader({
          alg: 'PBES2-HS512+A256KW',
          enc: 'A256GCM',
          p2s: b64u(Buffer.alloc(16)),
          p2c: 2 ** 31,
        }),
        invalid('algorithm_not_allowed'),
      ),
      v(
        'ECDH-ES',
        jweWithHeader({
          alg: 'ECDH-ES+A256KW',
          enc: 'A256GCM',
          epk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' },
        }),
        invalid('algorithm_not_allowed'),
      ),
      v('alg none', jweWithHeader({ alg: 'none', enc: 'A256GCM' }), invalid('algorithm_not_allowed')),
      v('ciphertext tampered', [jh, jk, jiv, flip(jct), jtag].join('.'), invalid('decryption_failed')),
      v('tag tampered', [jh, jk, jiv, jct, flip(jtag)].join('.'), invalid('decryption_failed')),
      v('encrypted key tampered', [jh, flip(jk), jiv, jct, jtag].join('.'), invalid('decryption_failed')),
      v('header not JSON', [b64u('nope'), jk, jiv, jct, jtag].join('.'), invalid('token_malformed')),
      v(
        'wrapping an "alg: none" token',
        await c.encrypt(unsignedCompact(c.header({ alg: 'none' }), c.claims())),
        invalid('algorithm_not_allowed'),
      ),
      v(
        'wrapping a token signed by the attacker',
        await c.encrypt(signCompact(c.header(), c.claims(), c.attacker.privateKey)),
        invalid('signature_invalid'),
      ),
      v('wrapping another JWE', await c.encrypt(valid), invalid('token_malformed')),
      v(
        'wrapping an expired token',
        await c.encrypt(idpSigned(c, c.claims({ exp: now() - 120 }))),
        invalid('token_expired'),
      ),
    ];
  },
};
