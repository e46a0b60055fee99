import type { KeyObject } from 'node:crypto';
import { startConsumerIdp, type ConsumerIdp } from '../consumer-idp/consumer-idp.js';
import {
  b64u,
  hmacCompact,
  signatureOf,
  signCompact,
  unsignedCompact,
  withDirtyPaddingBits,
} from './token-forgery.js';

/** What the app must answer: RFC 6750 status and `error`, and the precise code (`errorDetail: true`). */
export interface ExpectedAnswer {
  status: number;
  /** Absent when no token was found at all (a bare `Bearer realm` challenge). */
  error?: string;
  code: string;
}

/** One attack: the exact `Authorization` header sent, and what must come back. */
export interface AttackVariant {
  name: string;
  authorization: string;
  /** `accepted`: a control that must pass (200), so that the refusals around it mean something. */
  expect: ExpectedAnswer | 'accepted';
}

/** What the variants are built from: the IdP (its signing key, as a malicious or buggy IdP would have it) and the attacker's keys. */
export interface AttackCorpus {
  idp: ConsumerIdp;
  /** The IdP's current kid and keys. */
  kid: string;
  key: KeyObject;
  publicKey: KeyObject;
  /** A key pair of the attacker's own, never published by the IdP. */
  attacker: { publicKey: KeyObject; privateKey: KeyObject; kid: string };
  /** The key pair whose private half the JWE class configures as `decryptionKey`. */
  decryption: { publicKey: KeyObject; privateKey: KeyObject };
  audience: string;
  /** Claims of a valid token, with `extra` set or (as `undefined`) removed. */
  claims(extra?: Record<string, unknown>): Record<string, unknown>;
  /** The header of a valid token (`RS256`, the IdP's kid), with `extra` set or removed. */
  header(extra?: Record<string, unknown>): Record<string, unknown>;
  /** `jws` as a compact JWE (`enc: A256GCM`) for `publicKey` (default: the configured decryption key). */
  encrypt(jws: string, publicKey?: KeyObject, alg?: string): Promise<string>;
  /** The attacker's JWKS server (for jku/x5u), started by the variants that need it. */
  attackerIdp?: ConsumerIdp;
}

export const invalid = (code: string): ExpectedAnswer => ({ status: 401, error: 'invalid_token', code });
export const badRequest = (code: string): ExpectedAnswer => ({ status: 400, error: 'invalid_request', code });
export const bearer = (token: string) => `Bearer ${token}`;
export const v = (name: string, token: string, expect: AttackVariant['expect']): AttackVariant => ({
  name,
  authorization: bearer(token),
  expect,
});

/** A token signed by the IdP's own key over exactly `header` and `payload`. */
export const idpSigned = (
  c: AttackCorpus,
  payload: Record<string, unknown> | string | Buffer,
  header?: Record<string, unknown> | string,
) => signCompact(header ?? c.header(), payload, c.key);

export const now = () => Math.floor(Date.now() / 1000);

/** The corpus, class by class. Every function returns the variants of one class. */
/** Attacks on the signature and the header, class by class: each function returns one class's variants. */
export const signatureAttacks = {
  /** A properly signed token: every class's control. */
  async control(c: AttackCorpus): Promise<string> {
    return idpSigned(c, c.claims());
  },

  async algNone(c: AttackCorpus): Promise<AttackVariant[]> {
    const good = idpSigned(c, c.claims());
    const variants = ['none', 'None', 'NONE', 'nOnE'].map((alg) =>
      v(
        `alg "${alg}", no signature`,
        unsignedCompact(c.header({ alg }), c.claims()),
        invalid('algorithm_not_allowed'),
      ),
    );
    variants.push(
      v(
        'alg "none" keeping the real signature',
        unsignedCompact(c.header({ alg: 'none' }), c.claims(), good.split('.')[2]),
        invalid('algorithm_not_allowed'),
      ),
      v(
        'alg "none" without kid',
        unsignedCompact({ alg: 'none', typ: 'JWT' }, c.claims()),
        invalid('algorithm_not_allowed'),
      ),
    );
    return variants;
  },

  async hmacWithPublicKey(c: AttackCorpus): Promise<AttackVariant[]> {
    const pem = String(c.publicKey.export({ format: 'pem', type: 'spki' }));
    const pkcs1 = String(c.publicKey.export({ format: 'pem', type: 'pkcs1' }));
    const der = c.publicKey.export({ format: 'der', type: 'spki' });
    const jwk = JSON.stringify({
      ...c.publicKey.export({ format: 'jwk' }),
      kid: c.kid,
      alg: 'RS256',
      use: 'sig',
    });
    const secrets: [string, string | Buffer][] = [
      ['SPKI PEM', pem],
      ['SPKI PEM without the final newline', pem.trimEnd()],
      ['PKCS#1 PEM', pkcs1],
      ['SPKI DER bytes', der],
      ['base64 SPKI (the LivePerson console form)', der.toString('base64')],
      ['JWK JSON', jwk],
    ];
    const out = secrets.map(([name, secret]) =>
      v(
        `HS256 keyed with the ${name}`,
        hmacCompact(c.header({ alg: 'HS256' }), c.claims(), secret),
        invalid('algorithm_not_allowed'),
      ),
    );
    out.push(
      v(
        'HS384 keyed with the SPKI PEM',
        hmacCompact(c.header({ alg: 'HS384' }), c.claims(), pem, 'sha384'),
        invalid('algorithm_not_allowed'),
      ),
      v(
        'HS512 keyed with the SPKI PEM',
        hmacCompact(c.header({ alg: 'HS512' }), c.claims(), pem, 'sha512'),
        invalid('algorithm_not_allowed'),
      ),
    );
    return out;
  },

  async foreignKey(c: AttackCorpus): Promise<AttackVariant[]> {
    const key = c.attacker.privateKey;
    return [
      v("the IdP's kid", signCompact(c.header(), c.claims(), key), invalid('signature_invalid')),
      v('no kid', signCompact(c.header({ kid: undefined }), c.claims(), key), invalid('signature_invalid')),
      v(
        "the attacker's own kid",
        signCompact(c.header({ kid: c.attacker.kid }), c.claims(), key),
        invalid('key_not_found'),
      ),
    ];
  },

  async embeddedKeys(c: AttackCorpus): Promise<AttackVariant[]> {
    // The attacker's own JWKS server, so that a verifier that followed jku/x5u would find a key.
    c.attackerIdp = await startConsumerIdp();
    const evil = c.attackerIdp.keys.current;
    const jwk = { ...evil.publicKey.export({ format: 'jwk' }), kid: evil.kid, alg: 'RS256', use: 'sig' };
    const spki = evil.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const embedded: [string, Record<string, unknown>][] = [
      ['jwk', { jwk }],
      ['jku', { jku: c.attackerIdp.jwksUri }],
      ['x5u', { x5u: c.attackerIdp.jwksUri }],
      ['x5c', { x5c: [spki] }],
    ];
    const out: AttackVariant[] = [];
    for (const [name, params] of embedded) {
      out.push(
        v(
          `${name}, the IdP's kid`,
          signCompact(c.header(params), c.claims(), evil.privateKey),
          invalid('signature_invalid'),
        ),
        v(
          `${name}, the attacker's kid`,
          signCompact(c.header({ ...params, kid: evil.kid }), c.claims(), evil.privateKey),
          invalid('key_not_found'),
        ),
        v(
          `${name}, no kid`,
          signCompact(c.header({ ...params, kid: undefined }), c.claims(), evil.privateKey),
          invalid('signature_invalid'),
        ),
      );
    }
    return out;
  },

  async kidInjection(c: AttackCorpus): Promise<AttackVariant[]> {
    const kids = [
      '../../dev/null',
      '../../../../../../etc/passwd',
      "' OR 1=1 --",
      '"; DROP TABLE keys; --',
      '%00',
      '\\u0000',
      '',
      'k'.repeat(4000),
      `${c.kid} `,
      c.kid.toUpperCase(),
    ];
    const out = kids.map((kid) =>
      v(
        `kid ${JSON.stringify(kid.length > 40 ? `${kid.slice(0, 12)}… (${kid.length} chars)` : kid)}`,
        idpSigned(c, c.claims(), c.header({ kid })),
        invalid('key_not_found'),
      ),
    );
    for (const kid of [123, null, [c.kid], { $ne: null }]) {
      out.push(
        v(
          `kid ${JSON.stringify(kid)}`,
          idpSigned(c, c.claims(), c.header({ kid })),
          invalid('token_malformed'),
        ),
      );
    }
    // The classic: kid → /dev/null, "signed" with HMAC and an empty key.
    out.push(
      v(
        'kid /dev/null with HS256 and an empty key',
        hmacCompact(c.header({ alg: 'HS256', kid: '../../dev/null' }), c.claims(), ''),
        invalid('algorithm_not_allowed'),
      ),
    );
    return out;
  },

  async algSubstitution(c: AttackCorpus): Promise<AttackVariant[]> {
    const claims = c.claims();
    const header = (alg: unknown) => b64u(c.header({ alg }));
    const signedAs = (alg: unknown, by: 'RS256' | 'RS384' | 'PS256') => {
      const input = `${header(alg)}.${b64u(claims)}`;
      return `${input}.${signatureOf(input, c.key, by)}`;
    };
    return [
      v(
        'PS256 by the IdP key (its JWK says RS256)',
        signedAs('PS256', 'PS256'),
        invalid('algorithm_not_allowed'),
      ),
      v(
        'RS384 by the IdP key (its JWK says RS256)',
        signedAs('RS384', 'RS384'),
        invalid('algorithm_not_allowed'),
      ),
      v('ES256 header over an RSA signature', signedAs('ES256', 'RS256'), invalid('algorithm_not_allowed')),
      v('EdDSA header over an RSA signature', signedAs('EdDSA', 'RS256'), invalid('algorithm_not_allowed')),
      v('"rs256" in lower case', signedAs('rs256', 'RS256'), invalid('algorithm_not_allowed')),
      v('alg as an array', signedAs(['RS256'], 'RS256'), invalid('algorithm_not_allowed')),
      v('no alg', signedAs(undefined, 'RS256'), invalid('algorithm_not_allowed')),
    ];
  },

  async crit(c: AttackCorpus): Promise<AttackVariant[]> {
    const cases: [string, Record<string, unknown>][] = [
      ['an unknown extension', { crit: ['x-unknown'], 'x-unknown': true }],
      ['a listed but absent extension', { crit: ['x-absent'] }],
      ['a registered name (exp)', { crit: ['exp'] }],
      ['an empty list', { crit: [] }],
      ['a string, not a list', { crit: 'x-unknown' }],
    ];
    return cases.map(([name, header]) =>
      v(`crit: ${name}`, idpSigned(c, c.claims(), c.header(header)), invalid('token_malformed')),
    );
  },

  async unencodedPayload(c: AttackCorpus): Promise<AttackVariant[]> {
    const claims = JSON.stringify(c.claims());
    const rfc7797 = (header: Record<string, unknown>) => {
      // RFC 7797: the signature covers the payload as is, not its base64url form.
      const h = b64u(header);
      return `${h}.${b64u(claims)}.${signatureOf(`${h}.${claims}`, c.key)}`;
    };
    const detached = (header: Record<string, unknown>) => {
      const h = b64u(header);
      return `${h}..${signatureOf(`${h}.${claims}`, c.key)}`;
    };
    return [
      v(
        'b64 false with crit, signed over the raw payload',
        rfc7797(c.header({ b64: false, crit: ['b64'] })),
        invalid('token_malformed'),
      ),
      v(
        'b64 false without crit, signed the ordinary way',
        idpSigned(c, c.claims(), c.header({ b64: false })),
        invalid('token_malformed'),
      ),
      v(
        'b64 false without crit, signed over the raw payload',
        rfc7797(c.header({ b64: false })),
        invalid('token_malformed'),
      ),
      v(
        'b64 false, detached payload',
        detached(c.header({ b64: false, crit: ['b64'] })),
        invalid('token_malformed'),
      ),
      v('b64 as a string', idpSigned(c, c.claims(), c.header({ b64: 'false' })), invalid('token_malformed')),
    ];
  },

  async tampered(c: AttackCorpus): Promise<AttackVariant[]> {
    const good = idpSigned(c, c.claims());
    const [h, , s] = good.split('.') as [string, string, string];
    const other = idpSigned(c, c.claims({ sub: 'someone-else' }));
    const dirty = withDirtyPaddingBits(s);
    const out = [
      v(
        'sub changed, signature kept',
        `${h}.${b64u(c.claims({ sub: 'admin' }))}.${s}`,
        invalid('signature_invalid'),
      ),
      v(
        'exp extended, signature kept',
        `${h}.${b64u(c.claims({ exp: now() + 10 * 365 * 86400 }))}.${s}`,
        invalid('signature_invalid'),
      ),
      v(
        "another token's signature",
        `${h}.${good.split('.')[1]}.${other.split('.')[2]}`,
        invalid('signature_invalid'),
      ),
      v('signature truncated', `${h}.${good.split('.')[1]}.${s.slice(0, 100)}`, invalid('signature_invalid')),
      v('signature empty', `${h}.${good.split('.')[1]}.`, invalid('signature_invalid')),
      v(
        'signature of zero bytes',
        `${h}.${good.split('.')[1]}.${b64u(Buffer.alloc(256))}`,
        invalid('signature_invalid'),
      ),
    ];
    if (dirty) {
      // The same signature bytes under another string: accepting it makes tokens malleable.
      out.push(
        v(
          'signature with non-zero base64url padding bits',
          `${h}.${good.split('.')[1]}.${dirty}`,
          invalid('token_malformed'),
        ),
      );
    }
    return out;
  },
};
