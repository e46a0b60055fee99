import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { loginThroughEmulator, startEmulator, type Emulator } from '@lp-auth/testing';
import {
  MemoryTokenStore,
  createLpAuth,
  createPkce,
  randomToken,
  silentLogger,
  userSessionKey,
  type LpAuth,
  type StoredUserSession,
  type TokenSet,
} from './core.js';

const REDIRECT = 'http://127.0.0.1:8767/auth/callback';

let emu: Emulator;
let lp: LpAuth;
const store = new MemoryTokenStore();

beforeAll(async () => {
  emu = await startEmulator({ credentials: { appAuthorization: { redirectUris: [REDIRECT] } } });
  const { clientId, clientSecret } = emu.credentials.appAuthorization;
  lp = createLpAuth({
    ...emu.lpAuthOptions(),
    logger: silentLogger,
    store,
    appAuthorization: { clientId, clientSecret, redirectUri: REDIRECT },
  });
});
afterAll(async () => {
  await lp.close();
  await emu.close();
});

/** A real session: LivePerson's login page, then the code exchange. */
async function loggedIn() {
  const pkce = createPkce();
  const back = await loginThroughEmulator(
    await lp.appAuthorization!.authorizationUrl({ state: randomToken(), pkce }),
    emu.credentials.login,
  );
  const created = await lp.appAuthorization!.exchangeCode({
    code: back.searchParams.get('code')!,
    codeVerifier: pkce.verifier,
  });
  // The one adapters put on the request, looked up again from the cookie's id.
  return { created, looked: (await lp.appAuthorization!.session(created.id))! };
}

test('a UserSession prints who and until when, never its id, access token or refresh token', async () => {
  const { created, looked } = await loggedIn();
  for (const session of [created, looked]) {
    const key = userSessionKey(lp.accountId, session.id);
    const { refreshToken } = (await store.get<StoredUserSession>(key))!;
    const { value: accessToken } = (await store.get<TokenSet>(`${key}:access`))!;
    const secrets = { id: session.id, accessToken, refreshToken };
    for (const value of Object.values(secrets)) expect(value.length).toBeGreaterThan(10);

    const printedForms = {
      inspect: inspect(session, { depth: Infinity, showHidden: true }),
      json: JSON.stringify(session),
      requestContext: inspect({ lp: { accountId: lp.accountId, user: session } }, { depth: Infinity }),
      contextJson: JSON.stringify({ lp: { user: session } }),
      keys: Object.keys(session).join(','),
      template: `${String(session)}`,
    };
    for (const [form, text] of Object.entries(printedForms)) {
      for (const [name, value] of Object.entries(secrets)) {
        expect({ form, leaks: name, found: text.includes(value) }).toEqual({
          form,
          leaks: name,
          found: false,
        });
      }
    }
    expect(JSON.parse(printedForms.json)).toEqual({
      userId: emu.credentials.login.userId,
      isAdmin: session.user.isAdmin,
      isLpa: session.user.isLpa,
      expiresAt: session.expiresAt,
    });
    expect(printedForms.inspect).toContain(`userId: '${emu.credentials.login.userId}'`);
    // What apps read is unchanged.
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.user.id).toBe(emu.credentials.login.userId);
  }
});
