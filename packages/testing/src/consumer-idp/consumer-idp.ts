import { generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { CompactEncrypt, SignJWT } from 'jose';
import { ConsumerIdpKeyRing, type ConsumerIdpAlgorithm, type ConsumerIdpKey } from './key-ring.js';

const generate = promisify(generateKeyPair);

/** The engagement attributes of docs/liveperson-wire.md ("Consumer id_tokens"), for tokens that need realistic `lp_sdes`. */
export const SAMPLE_LP_SDES: readonly Record<string, unknown>[] = Object.freeze([
  {
    type: 'ctmrinfo',
    info: {
      cstatus: 'cancelled',
      ctype: 'vip',
      customerId: '138766AC',
      balance: -400.99,
      socialId: '11256324780',
    },
  },
  { type: 'personal', personal: { firstname: 'John', lastname: 'Doe', gender: 'MALE' } },
]);

export interface ConsumerIdpOptions {
  /** Signing algorithm. Default `RS256` (what LivePerson requires). */
  algorithm?: ConsumerIdpAlgorithm;
  /** Path after the origin in the issuer (`http://127.0.0.1:port/<path>`). Default none. */
  issuerPath?: string;
  /** Default `aud` of issued tokens. Default: none (LivePerson does not require one). */
  audience?: string;
  /** Default token lifetime, in seconds. Default 3 600. */
  tokenLifetimeSeconds?: number;
}

/** What {@link ConsumerIdp.issue} puts in one token. */
export interface IssueOptions {
  /** Claims set or overridden; a claim given as `undefined` is left out (to test required claims). */
  claims?: Record<string, unknown>;
  /** Lifetime in seconds (negative for an already expired token). Default: the IdP's. */
  expiresInSeconds?: number;
  /** Extra or overridden protected header parameters (`kid`, `typ`, …). */
  header?: Record<string, unknown>;
  /** Sign with this key instead of the current one (e.g. a key already rotated out). */
  key?: ConsumerIdpKey;
  /**
   * Encrypt the signed token as a JWE (`RSA-OAEP-256`, `A256GCM`, nested JWT): `true` for the
   * IdP's own encryption key (its private half is {@link ConsumerIdp.decryptionKey}), or a public key.
   */
  encrypt?: boolean | KeyObject;
}

/** How the IdP's endpoints misbehave, to test outages and recovery. */
export interface ConsumerIdpFaults {
  /** Answer every discovery and JWKS request with this status (e.g. 503), until cleared with `undefined`. */
  status?: number;
  /** Wait this long before answering. */
  latencyMs?: number;
}

/** A brand's OpenID identity provider for consumers, on 127.0.0.1. */
export interface ConsumerIdp {
  /** The `iss` of its tokens, e.g. `http://127.0.0.1:43121`. */
  readonly issuer: string;
  /** Its JWKS endpoint. */
  readonly jwksUri: string;
  /** Its OpenID discovery document (`{issuer}/.well-known/openid-configuration`). */
  readonly discoveryUrl: string;
  /** The signing keys; `keys.current` signs. */
  readonly keys: ConsumerIdpKeyRing;
  /** The current public key as LivePerson's console takes it: base64 X.509 SubjectPublicKeyInfo. */
  readonly publicKeySpki: string;
  /** The current public key as a PEM. */
  readonly publicKeyPem: string;
  /** The private key that decrypts tokens issued with `encrypt: true` (give it to the verifier). */
  readonly decryptionKey: Promise<KeyObject>;
  /** Requests served, by endpoint. */
  readonly stats: { discovery: number; jwks: number };
  /** Issues a LivePerson-style consumer id_token (`iss`, `sub`, `iat`, `exp`, `lp_sdes`, …). */
  issue(options?: IssueOptions): Promise<string>;
  /** Adds a signing key that signs from now on; `dropPrevious` removes the others from the JWKS. */
  rotateKeys(options?: { dropPrevious?: boolean }): Promise<string>;
  /** Makes discovery and JWKS fail or slow down; `{}` heals. */
  setFaults(faults: ConsumerIdpFaults): void;
  close(): Promise<void>;
}

/**
 * Starts a consumer identity provider: it generates its own keys, serves OpenID discovery and a
 * JWKS over HTTP, and issues consumer id_tokens the way a brand's IdP does for LivePerson (signed,
 * optionally encrypted, with `lp_sdes`). Point your verifier at `issuer` and test your routes.
 *
 * @example
 * ```ts
 * const idp = await startConsumerIdp();
 * const app = express();
 * app.use(lpAuth({ accountId: '12345678', consumer: { issuer: idp.issuer } }));
 * app.get('/orders', requireConsumer(), (req, res) => res.json({ sub: consumerOf(req).sub }));
 * const token = await idp.issue({ claims: { sub: 'consumer-42' } });
 * await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${token}` } });
 * await idp.close();
 * ```
 */
export async function startConsumerIdp(options: ConsumerIdpOptions = {}): Promise<ConsumerIdp> {
  const keys = new ConsumerIdpKeyRing(options.algorithm ?? 'RS256');
  await keys.rotate();
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const stats = { discovery: 0, jwks: 0 };
  let faults: ConsumerIdpFaults = {};
  let encryption: Promise<{ publicKey: KeyObject; privateKey: KeyObject }> | undefined;
  const encryptionKeys = () => (encryption ??= generate('rsa', { modulusLength: 2048 }));
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let issuer = '';
  const path = options.issuerPath ? `/${options.issuerPath.replace(/^\/+|\/+$/g, '')}` : '';

  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://idp.invalid');
    const route =
      url.pathname === `${path}/.well-known/openid-configuration`
        ? 'discovery'
        : url.pathname === `${path}/jwks`
          ? 'jwks'
          : undefined;
    if (!route || req.method !== 'GET') return send(res, 404, { error: 'not_found' });
    stats[route] += 1;
    const { latencyMs, status } = faults;
    if (latencyMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => (timers.delete(timer), resolve()), latencyMs);
        timers.add(timer);
      });
    }
    if (status) return send(res, status, { error: 'temporarily_unavailable' });
    if (route === 'jwks') return send(res, 200, keys.jwks());
    return send(res, 200, {
      issuer,
      jwks_uri: `${issuer}/jwks`,
      authorization_endpoint: `${issuer}/authorize`,
      response_types_supported: ['id_token', 'code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [keys.current.alg],
      id_token_encryption_alg_values_supported: ['RSA-OAEP-256'],
      claims_supported: ['sub', 'iss', 'given_name', 'family_name', 'email', 'phone_number', 'lp_sdes'],
    });
  };
  const server = createServer((req, res) => {
    answer(req, res).catch(() => send(res, 500, { error: 'server_error' }));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}${path}`;

  const idp: ConsumerIdp = {
    issuer,
    jwksUri: `${issuer}/jwks`,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    keys,
    get publicKeySpki() {
      return keys.current.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    },
    get publicKeyPem() {
      return String(keys.current.publicKey.export({ format: 'pem', type: 'spki' }));
    },
    get decryptionKey() {
      return encryptionKeys().then((pair) => pair.privateKey);
    },
    stats,
    async issue(issue: IssueOptions = {}) {
      const key = issue.key ?? keys.current;
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        iss: issuer,
        sub: `consumer-${randomUUID()}`,
        iat: now,
        exp: now + (issue.expiresInSeconds ?? lifetime),
        ...(options.audience ? { aud: options.audience } : {}),
        given_name: 'John',
        family_name: 'Doe',
        lp_sdes: SAMPLE_LP_SDES,
        ...issue.claims,
      };
      for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
      const jws = await new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...issue.header })
        .sign(key.privateKey);
      if (!issue.encrypt) return jws;
      const publicKey = issue.encrypt === true ? (await encryptionKeys()).publicKey : issue.encrypt;
      return new CompactEncrypt(new TextEncoder().encode(jws))
        .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' })
        .encrypt(publicKey);
    },
    rotateKeys: ({ dropPrevious = false } = {}) => keys.rotate(dropPrevious),
    setFaults(next) {
      faults = { ...next };
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
  return idp;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
