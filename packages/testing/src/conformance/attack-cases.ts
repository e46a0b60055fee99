import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { CompactEncrypt } from 'jose';
import { startConsumerIdp, type ConsumerIdp } from '../consumer-idp/consumer-idp.js';
import { startEmulator } from '../emulator/start.js';
import { claimAttacks } from './attack-corpus-claims.js';
import { encodingAttacks } from './attack-corpus-encoding.js';
import {
  signatureAttacks,
  type AttackCorpus,
  type AttackVariant,
  type ExpectedAnswer,
} from './attack-corpus.js';
import { assertRefused } from './consumer-cases.js';
import type { ConformanceApp, ConformanceCase, ConformanceHarness } from './harness.js';
import { attackerKeyPair, decryptionKeyPair } from './token-forgery.js';

const attackVariants = { ...signatureAttacks, ...claimAttacks, ...encodingAttacks };

/** The `aud` the corpus app is configured with (so that audience attacks mean something). */
export const CORPUS_AUDIENCE = 'conformance-api';

const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

/** One class of the JWT attack corpus: a conformance case that sends each of its variants. */
export interface AttackClass {
  /** The class, as it reads in the test title and in SECURITY.md. */
  title: string;
  /** The variants, built against the running IdP. */
  variants(corpus: AttackCorpus): Promise<AttackVariant[]>;
  /** Consumer options besides the corpus's `{ issuer, audience, errorDetail: true }`. */
  consumer?: (corpus: AttackCorpus) => Record<string, unknown>;
  /** Checks after the variants (what the attack must not have caused). */
  after?(corpus: AttackCorpus, app: ConformanceApp): Promise<void>;
}

/** Runs `body` with an emulator, a consumer IdP and the corpus app: the IdP's issuer, an audience, precise codes. */
async function withCorpusApp(
  harness: ConformanceHarness,
  attack: AttackClass,
  body: (app: ConformanceApp, corpus: AttackCorpus) => Promise<void>,
): Promise<void> {
  const [emu, idp] = await Promise.all([startEmulator(), startConsumerIdp()]);
  let app: ConformanceApp | undefined;
  const corpus = corpusOf(idp);
  try {
    app = await harness.start({
      ...emu.lpAuthOptions(),
      logger: QUIET,
      consumer: {
        issuer: idp.issuer,
        audience: CORPUS_AUDIENCE,
        errorDetail: true,
        ...attack.consumer?.(corpus),
      },
    });
    await body(app, corpus);
  } finally {
    await app?.close();
    await Promise.all([idp.close(), emu.close(), corpus.attackerIdp?.close()]);
  }
}

function corpusOf(idp: ConsumerIdp): AttackCorpus {
  const signing = idp.keys.current;
  const decryption = decryptionKeyPair();
  const attacker = attackerKeyPair();
  return {
    idp,
    kid: signing.kid,
    key: signing.privateKey,
    publicKey: signing.publicKey,
    attacker: { ...attacker, kid: 'attacker-key-1' },
    decryption,
    audience: CORPUS_AUDIENCE,
    claims(extra = {}) {
      const now = Math.floor(Date.now() / 1000);
      const out: Record<string, unknown> = {
        iss: idp.issuer,
        sub: 'corpus-consumer',
        aud: CORPUS_AUDIENCE,
        iat: now,
        exp: now + 600,
        lp_sdes: [
          { type: 'ctmrinfo', info: { customerId: '138766AC' } },
          { type: 'personal', personal: { firstname: 'John' } },
        ],
        ...extra,
      };
      for (const name of Object.keys(out)) if (out[name] === undefined) delete out[name];
      return out;
    },
    header(extra = {}) {
      const out: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: signing.kid, ...extra };
      for (const name of Object.keys(out)) if (out[name] === undefined) delete out[name];
      return out;
    },
    encrypt(jws, publicKey = decryption.publicKey, alg = 'RSA-OAEP-256') {
      return new CompactEncrypt(new TextEncoder().encode(jws))
        .setProtectedHeader({ alg, enc: 'A256GCM', cty: 'JWT' })
        .encrypt(publicKey);
    },
  };
}

/** A GET of `/consumer` with exactly this `Authorization` value, over node:http (no client-side limits). */
function getConsumer(
  app: ConformanceApp,
  authorization: string,
): Promise<{ status: number; response: Response } | { error: string }> {
  return new Promise((resolve) => {
    // A connection of its own: a server may close one after refusing a huge header (Fastify does).
    const req = httpRequest(`${app.url}/consumer`, { agent: false, headers: { authorization } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string') headers.set(name, value);
        }
        const status = res.statusCode ?? 0;
        resolve({ status, response: new Response(Buffer.concat(chunks), { status, headers }) });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

async function check(app: ConformanceApp, title: string, variant: AttackVariant): Promise<void> {
  const where = `${title} / ${variant.name}`;
  const answer = await getConsumer(app, variant.authorization);
  if ('error' in answer) assert.fail(`${where}: the connection failed (${answer.error})`);
  assert.ok(answer.status < 500, `${where}: answered ${answer.status}, a server error`);
  try {
    if (variant.expect === 'accepted') {
      assert.equal(answer.status, 200, await answer.response.text());
    } else {
      await assertRefused(answer.response, variant.expect as ExpectedAnswer);
    }
  } catch (error) {
    if (error instanceof assert.AssertionError) error.message = `${where}: ${error.message}`;
    throw error;
  }
}

/** The JWT attack corpus: one case per class, every variant refused with its RFC 6750 answer and code. */
export function attackCases(): ConformanceCase[] {
  return attackClasses().map((attack) => ({
    title: `attack: ${attack.title}`,
    run: (harness) =>
      withCorpusApp(harness, attack, async (app, corpus) => {
        // A token the corpus signs properly passes: the refusals below are about the attack alone.
        await check(app, attack.title, {
          name: 'control',
          authorization: `Bearer ${await attackVariants.control(corpus)}`,
          expect: 'accepted',
        });
        const variants = await attack.variants(corpus);
        assert.ok(variants.length > 0, `${attack.title} has variants`);
        for (const variant of variants) await check(app, attack.title, variant);
        await attack.after?.(corpus, app);
      }),
  }));
}

/** The classes of the corpus, for {@link attackCases} and for counting them. */
export function attackClasses(): AttackClass[] {
  return [
    { title: '"alg: none" in every casing', variants: attackVariants.algNone },
    {
      title: "HMAC keyed with the IdP's public key (PEM, DER, SPKI, JWK)",
      variants: attackVariants.hmacWithPublicKey,
    },
    { title: 'a valid signature by a key not in the JWKS', variants: attackVariants.foreignKey },
    {
      title: 'keys embedded in the header (jwk, jku, x5u, x5c) are never trusted or fetched',
      variants: attackVariants.embeddedKeys,
      async after(corpus) {
        const fetched = corpus.attackerIdp ? { ...corpus.attackerIdp.stats } : undefined;
        assert.deepEqual(fetched, { discovery: 0, jwks: 0 }, "the attacker's jku/x5u was fetched");
      },
    },
    { title: 'kid path traversal and injection', variants: attackVariants.kidInjection },
    {
      title: 'algorithm substitution (PS256, ES256, RS384, lower case, missing)',
      variants: attackVariants.algSubstitution,
    },
    { title: 'unknown or malformed "crit"', variants: attackVariants.crit },
    { title: '"b64": false (unencoded payload)', variants: attackVariants.unencodedPayload },
    { title: 'tampered payload or signature (and malleable base64url)', variants: attackVariants.tampered },
    {
      title: 'expired, not yet valid (nbf), issued in the future (iat), odd time claims',
      variants: attackVariants.time,
    },
    { title: 'wrong or missing "iss"', variants: attackVariants.issuer },
    { title: 'wrong or missing "aud"', variants: attackVariants.audience },
    {
      title: 'several "aud" values without "azp" (OIDC Core §3.1.3.7)',
      variants: attackVariants.multipleAudiences,
    },
    { title: 'missing or invalid "sub"', variants: attackVariants.subject },
    { title: 'header or payload not JSON, or not an object', variants: attackVariants.notAnObject },
    { title: 'duplicate claim or header names', variants: attackVariants.duplicates },
    {
      title: 'oversized tokens (over maxTokenLength, 1 MB)',
      variants: attackVariants.oversized,
      async after(corpus, app) {
        // 1 MB exceeds every HTTP server's header limit: the server (431) or the verifier (401)
        // refuses it, and either way the app keeps serving.
        const huge = await getConsumer(app, `Bearer ${await attackVariants.huge(corpus)}`);
        if ('status' in huge)
          assert.ok([401, 431].includes(huge.status), `a 1 MB token answered ${huge.status}`);
        const after = await getConsumer(app, `Bearer ${await attackVariants.control(corpus)}`);
        assert.ok('status' in after && after.status === 200, 'the app serves after a 1 MB token');
      },
    },
    { title: 'wrong number of segments, bad base64url, whitespace', variants: attackVariants.segments },
    {
      title: 'JWE: wrong key, refused algorithms (RSA1_5, dir, RSA-OAEP, PBES2, ECDH-ES), tampering',
      variants: attackVariants.jwe,
      consumer: (corpus) => ({
        decryptionKey: corpus.decryption.privateKey.export({ format: 'pem', type: 'pkcs8' }),
      }),
    },
  ];
}
