// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- oidc-provider has no types; the express tests type-check this file too
/// <reference path="./consumer-oidc-provider-types.d.ts" />
import { generateKeyPair, randomUUID, type JsonWebKey } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import type ProviderClass from 'oidc-provider';

const generate = promisify(generateKeyPair);

/** A brand's identity provider: a real `oidc-provider` on 127.0.0.1, driven over HTTP. */
export interface BrandIdp {
  readonly issuer: string;
  readonly clientId: string;
  /** Logs `sub` in through a real authorization-code flow and returns the id_token. */
  login(sub: string, options?: { nonce?: string; claims?: Record<string, unknown> }): Promise<string>;
  /** The kid that signs now. */
  readonly currentKid: string;
  /** Replaces the provider with one whose newest key signs; the old keys stay published unless dropped. */
  rotateKeys(options?: { dropPrevious?: boolean }): Promise<string>;
  /** While down, every request's connection is dropped (the IdP is unreachable). */
  setDown(down: boolean): void;
  /** Requests to the JWKS endpoint so far. */
  readonly jwksRequests: number;
  close(): Promise<void>;
}

const REDIRECT_URI = 'https://brand.example/callback';
const CLIENT_SECRET = 'brand-client-secret-for-tests-only';

type Jwk = JsonWebKey & { kid: string; alg: string; use: string };

async function newSigningJwk(): Promise<Jwk> {
  const { privateKey } = await generate('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: `brand-${randomUUID().slice(0, 8)}`,
    alg: 'RS256',
    use: 'sig',
  };
}

let providerModule: Promise<typeof ProviderClass> | undefined;

/** oidc-provider, imported once, with its start-up notices (runtime version, dev adapter) kept out of test output. */
async function loadProvider(): Promise<typeof ProviderClass> {
  providerModule ??= (async () => {
    const warn = console.warn;
    const info = console.info;
    const quiet =
      (write: (...args: unknown[]) => void) =>
      (...args: unknown[]) => {
        if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider')) return;
        write(...args);
      };
    console.warn = quiet(warn);
    console.info = quiet(info);
    return (await import('oidc-provider')).default;
  })();
  return providerModule;
}

/**
 * Starts the brand's IdP. Accounts are whatever `login` is called with; their claims (`lp_sdes`,
 * names) go into the id_token itself (`conformIdTokenClaims: false`), as LivePerson expects.
 */
export async function startBrandIdp(): Promise<BrandIdp> {
  const Provider = await loadProvider();
  const accounts = new Map<string, Record<string, unknown>>();
  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const clientId = 'brand-web';
  let keys: Jwk[] = [await newSigningJwk()];
  let down = false;
  let jwksRequests = 0;

  const build = () =>
    new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: CLIENT_SECRET,
          redirect_uris: [REDIRECT_URI],
          response_types: ['code'],
          grant_types: ['authorization_code'],
        },
      ],
      jwks: { keys },
      cookies: { keys: ['cookie-signing-key-for-tests'] },
      conformIdTokenClaims: false,
      claims: { openid: ['sub'], profile: ['given_name', 'family_name', 'email'], lp: ['lp_sdes'] },
      features: { devInteractions: { enabled: false } },
      interactions: {
        url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
      },
      pkce: { required: () => false },
      ttl: {
        Interaction: 600,
        Grant: 600,
        Session: 600,
        AccessToken: 600,
        IdToken: 600,
        AuthorizationCode: 60,
      },
      findAccount: (_ctx: unknown, sub: string) => ({
        accountId: sub,
        claims: () => ({ sub, ...accounts.get(sub) }),
      }),
    });
  let provider = build();

  // The login and consent "screens": this route stands for the brand's login page, which has
  // authenticated the consumer named in the interaction's login_hint.
  const interaction = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    const accountId = details.params.login_hint ?? 'anonymous';
    const grant = new provider.Grant({ accountId, clientId: details.params.client_id ?? clientId });
    grant.addOIDCScope(details.params.scope ?? 'openid');
    grant.addOIDCClaims(['lp_sdes', 'given_name', 'family_name', 'email']);
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    if (req.url === '/jwks') jwksRequests += 1;
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    provider.callback()(req, res);
  });

  return {
    issuer,
    clientId,
    get currentKid() {
      return keys[0]!.kid;
    },
    get jwksRequests() {
      return jwksRequests;
    },
    async login(sub, options = {}) {
      accounts.set(sub, {
        given_name: 'John',
        family_name: 'Doe',
        lp_sdes: [
          { type: 'ctmrinfo', info: { customerId: `cust-${sub}`, ctype: 'vip', balance: -400.99 } },
          { type: 'personal', personal: { firstname: 'John', lastname: 'Doe', gender: 'MALE' } },
        ],
        ...options.claims,
      });
      return authorizationCodeFlow(issuer, clientId, sub, options.nonce ?? randomUUID());
    },
    async rotateKeys({ dropPrevious = false } = {}) {
      const next = await newSigningJwk();
      // The first RS256 key signs; the others stay in the JWKS for tokens already issued.
      keys = dropPrevious ? [next] : [next, ...keys];
      provider = build();
      return next.kid;
    },
    setDown(value) {
      down = value;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** The browser's part: follow redirects by hand, keep cookies, then the back end's code exchange. */
async function authorizationCodeFlow(
  issuer: string,
  clientId: string,
  sub: string,
  nonce: string,
): Promise<string> {
  const jar = new Map<string, string>();
  const state = randomUUID();
  let url = `${issuer}/auth?${new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid profile lp',
    redirect_uri: REDIRECT_URI,
    login_hint: sub,
    nonce,
    state,
  })}`;
  for (let hop = 0; hop < 10; hop++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    await res.body?.cancel();
    const location = res.headers.get('location');
    if (!location) throw new Error(`the authorization flow stopped with ${res.status} at ${url}`);
    const next = new URL(location, url);
    if (next.href.startsWith(REDIRECT_URI)) {
      if (next.searchParams.get('state') !== state) throw new Error('state mismatch');
      const code = next.searchParams.get('code');
      if (!code) throw new Error(`no code: ${next.search}`);
      return exchangeCode(issuer, clientId, code);
    }
    url = next.href;
  }
  throw new Error('too many redirects');
}

async function exchangeCode(issuer: string, clientId: string, code: string): Promise<string> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${CLIENT_SECRET}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
  });
  const body = (await res.json()) as { id_token?: string; error?: string };
  if (!res.ok || !body.id_token) throw new Error(`token endpoint answered ${res.status} ${body.error ?? ''}`);
  return body.id_token;
}
