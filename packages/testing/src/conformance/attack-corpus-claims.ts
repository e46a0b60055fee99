import { idpSigned, invalid, now, v, type AttackCorpus, type AttackVariant } from './attack-corpus.js';
import { signCompact } from './token-forgery.js';

/** Attacks on the claims and the JSON that carries them, class by class. */
export const claimAttacks = {
  async time(c: AttackCorpus): Promise<AttackVariant[]> {
    const t = now();
    const signed = (extra: Record<string, unknown>) => idpSigned(c, c.claims(extra));
    return [
      v('expired two minutes ago', signed({ iat: t - 700, exp: t - 120 }), invalid('token_expired')),
      v(
        'expired a year ago',
        signed({ iat: t - 366 * 86400, exp: t - 365 * 86400 }),
        invalid('token_expired'),
      ),
      v('nbf two minutes ahead', signed({ nbf: t + 120 }), invalid('token_not_yet_valid')),
      v('iat two minutes ahead', signed({ iat: t + 120 }), invalid('token_not_yet_valid')),
      v('exp in milliseconds', signed({ exp: (t + 600) * 1000 }), invalid('time_in_milliseconds')),
      v('exp as a string', signed({ exp: String(t + 600) }), invalid('claim_invalid')),
      v('nbf as a string', signed({ nbf: String(t - 10) }), invalid('claim_invalid')),
      v('exp missing', signed({ exp: undefined }), invalid('claim_missing')),
      v('iat missing', signed({ iat: undefined }), invalid('claim_missing')),
      v(
        'exp 1e400 (Infinity)',
        idpSigned(c, JSON.stringify(c.claims()).replace(/"exp":\d+/, '"exp":1e400')),
        invalid('claim_invalid'),
      ),
    ];
  },

  async issuer(c: AttackCorpus): Promise<AttackVariant[]> {
    const signed = (iss: unknown) => idpSigned(c, c.claims({ iss }));
    return [
      v('another issuer', signed('https://evil.example'), invalid('issuer_mismatch')),
      v('a trailing slash', signed(`${c.idp.issuer}/`), invalid('issuer_mismatch')),
      v('upper case', signed(c.idp.issuer.toUpperCase()), invalid('issuer_mismatch')),
      v('a path appended', signed(`${c.idp.issuer}/evil`), invalid('issuer_mismatch')),
      v('missing', signed(undefined), invalid('claim_missing')),
      v('a number', signed(42), invalid('claim_missing')),
      v('an array of the right issuer', signed([c.idp.issuer]), invalid('claim_missing')),
      v(
        'another issuer, signed by the attacker',
        signCompact(
          c.header({ kid: c.attacker.kid }),
          c.claims({ iss: 'https://evil.example' }),
          c.attacker.privateKey,
        ),
        invalid('issuer_mismatch'),
      ),
    ];
  },

  async audience(c: AttackCorpus): Promise<AttackVariant[]> {
    const signed = (aud: unknown) => idpSigned(c, c.claims({ aud }));
    return [
      v('another audience', signed('other-api'), invalid('audience_mismatch')),
      v('other audiences only', signed(['other-api', 'another-api']), invalid('audience_mismatch')),
      v('upper case', signed(c.audience.toUpperCase()), invalid('audience_mismatch')),
      v('empty string', signed(''), invalid('audience_mismatch')),
      v('empty array', signed([]), invalid('audience_mismatch')),
      v('a number', signed(42), invalid('audience_mismatch')),
      v('an object', signed({ [c.audience]: true }), invalid('audience_mismatch')),
      v('missing', signed(undefined), invalid('claim_missing')),
    ];
  },

  async multipleAudiences(c: AttackCorpus): Promise<AttackVariant[]> {
    const signed = (extra: Record<string, unknown>) => idpSigned(c, c.claims(extra));
    return [
      v('ours and another, no azp', signed({ aud: [c.audience, 'other-api'] }), invalid('claim_missing')),
      v('another and ours, no azp', signed({ aud: ['other-api', c.audience] }), invalid('claim_missing')),
      v('ours twice, no azp', signed({ aud: [c.audience, c.audience] }), invalid('claim_missing')),
      v(
        'ours and another, azp not a string',
        signed({ aud: [c.audience, 'other-api'], azp: 42 }),
        invalid('claim_missing'),
      ),
      v(
        'ours and another, azp another client (OIDC Core §3.1.3.7: azp must be ours)',
        signed({ aud: [c.audience, 'other-api'], azp: 'brand-web' }),
        invalid('authorized_party_mismatch'),
      ),
      v(
        'ours and another, azp ours (accepted)',
        signed({ aud: [c.audience, 'other-api'], azp: c.audience }),
        'accepted',
      ),
      v('ours alone in an array, no azp (accepted)', signed({ aud: [c.audience] }), 'accepted'),
    ];
  },

  async subject(c: AttackCorpus): Promise<AttackVariant[]> {
    const signed = (sub: unknown) => idpSigned(c, c.claims({ sub }));
    return [
      v('missing', signed(undefined), invalid('claim_missing')),
      v('null', signed(null), invalid('claim_missing')),
      v('empty', signed(''), invalid('claim_invalid')),
      v('a number', signed(42), invalid('claim_invalid')),
      v('true', signed(true), invalid('claim_invalid')),
      v('an array', signed(['consumer-1']), invalid('claim_invalid')),
      v('an object', signed({ id: 'consumer-1' }), invalid('claim_invalid')),
    ];
  },

  async notAnObject(c: AttackCorpus): Promise<AttackVariant[]> {
    const json = JSON.stringify(c.claims());
    const payloads: [string, string | Buffer][] = [
      ['not JSON', 'not json at all'],
      ['truncated JSON', json.slice(0, -5)],
      ['empty', ''],
      ['an array', JSON.stringify([c.claims()])],
      ['a number', '42'],
      ['a string', JSON.stringify(json)],
      ['null', 'null'],
      ['true', 'true'],
      ['JSON after a byte order mark', `\ufeff${json}`],
      ['JSON with trailing garbage', `${json}x`],
      [
        'invalid UTF-8 in a claim',
        Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from(',"name":"\xff\xfe"}', 'latin1')]),
      ],
    ];
    const out = payloads.map(([name, payload]) =>
      v(`payload ${name}`, idpSigned(c, payload), invalid('token_malformed')),
    );
    for (const [name, header] of [
      ['not JSON', 'RS256'],
      ['an array', '["RS256"]'],
      ['null', 'null'],
    ] as const) {
      out.push(v(`header ${name}`, idpSigned(c, c.claims(), header), invalid('token_malformed')));
    }
    return out;
  },

  async duplicates(c: AttackCorpus): Promise<AttackVariant[]> {
    const json = JSON.stringify(c.claims()).slice(0, -1);
    const t = now();
    const payloads: [string, string][] = [
      ['two "sub" (last wins would be "admin")', `${json},"sub":"admin"}`],
      ['"sub" and an escaped "\\u0073ub"', `${json},"\\u0073ub":"admin"}`],
      ['two "exp", the expired one last', `${json},"exp":${t - 3600}}`],
      ['two "exp", the far one last', `${json},"exp":${t + 10 * 365 * 86400}}`],
      ['two "iss"', `${json},"iss":"https://evil.example"}`],
      ['two "aud"', `${json},"aud":"other-api"}`],
      [
        'a duplicate inside lp_sdes',
        json.replace('"customerId":"138766AC"', '"customerId":"138766AC","customerId":"ADMIN"') + '}',
      ],
    ];
    const out = payloads.map(([name, payload]) => v(name, idpSigned(c, payload), invalid('token_malformed')));
    const header = JSON.stringify(c.header()).slice(0, -1);
    out.push(
      v(
        'header with two "kid"',
        idpSigned(c, c.claims(), `${header},"kid":"${c.attacker.kid}"}`),
        invalid('token_malformed'),
      ),
      v(
        'header with two "alg"',
        idpSigned(c, c.claims(), `${header},"alg":"RS256"}`),
        invalid('token_malformed'),
      ),
    );
    return out;
  },
};
