import { randomBytes, randomUUID } from 'node:crypto';
import { secretEquals } from '../credentials.js';
import type { EmulatorContext } from '../context.js';
import {
  bearerToken,
  isJsonObject,
  json,
  readJson,
  type EmulatorRequest,
  type EmulatorResponse,
} from '../http.js';
import { lpError } from '../lp-errors.js';
import type { RouteDefinition } from '../router.js';

/** One Login Service session. */
interface LoginSession {
  bearer: string;
  csrf: string;
  sessionId: string;
  loginName: string;
  userId: string;
  createdAt: number;
  lastRefreshAt: number;
  expiresAt: number;
}

/** Default idle timeout: a session not refreshed for this long is gone (LivePerson asks for a refresh every 3–5 minutes). */
export const DEFAULT_LOGIN_IDLE_TIMEOUT_MS = 10 * 60_000;
/** `sessionTTl` the emulator reports and enforces (LivePerson's documented sample: 8 hours). */
export const LOGIN_SESSION_TTL_MS = 8 * 60 * 60_000;

/**
 * The Login Service's sessions: a bearer (64 hex), a csrf and a `Session_id` cookie each. A session
 * ends at logout, after `sessionTTl`, when not refreshed for `idleTimeoutMs`, or when a test drops it.
 */
export class LoginSessions {
  idleTimeoutMs = DEFAULT_LOGIN_IDLE_TIMEOUT_MS;
  readonly #byBearer = new Map<string, LoginSession>();

  create(loginName: string, userId: string): LoginSession {
    const now = Date.now();
    const session: LoginSession = {
      bearer: randomBytes(32).toString('hex'),
      csrf: randomBytes(16).toString('hex'),
      sessionId: randomBytes(24).toString('base64url'),
      loginName,
      userId,
      createdAt: now,
      lastRefreshAt: now,
      expiresAt: now + LOGIN_SESSION_TTL_MS,
    };
    this.#byBearer.set(session.bearer, session);
    return session;
  }

  /** The live session of `bearer`, if any. */
  byBearer(bearer: string | undefined): LoginSession | undefined {
    return bearer === undefined ? undefined : this.#alive(this.#byBearer.get(bearer));
  }

  /** The live session whose cookie is `sessionId`, if any. */
  bySessionId(sessionId: string | undefined): LoginSession | undefined {
    if (sessionId === undefined) return undefined;
    for (const session of this.#byBearer.values()) {
      if (session.sessionId === sessionId) return this.#alive(session);
    }
    return undefined;
  }

  end(session: LoginSession): void {
    this.#byBearer.delete(session.bearer);
  }

  /** Ends every session; returns how many there were. */
  dropAll(): number {
    const n = this.count();
    this.#byBearer.clear();
    return n;
  }

  /** Live sessions. */
  count(): number {
    return [...this.#byBearer.values()].filter((s) => this.#alive(s)).length;
  }

  #alive(session: LoginSession | undefined): LoginSession | undefined {
    if (!session) return undefined;
    const now = Date.now();
    if (now >= session.expiresAt || now - session.lastRefreshAt > this.idleTimeoutMs) {
      this.#byBearer.delete(session.bearer);
      return undefined;
    }
    return session;
  }
}

/** The module state, shared by the routes and the emulator handle. */
export const loginSessions = (context: EmulatorContext) => context.store('login', () => new LoginSessions());

/** The `Session_id` cookie's value; the name is matched case-insensitively (faas-cli sends `session_id`). */
function sessionCookie(request: EmulatorRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === 'session_id') return part.slice(eq + 1).trim();
  }
  return undefined;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const DUMMY = 'dummy';

/** Which user the login body names, if its credentials are right. */
function authenticate(
  body: Record<string, unknown>,
  context: EmulatorContext,
): { loginName: string; userId: string } | undefined {
  const { login, loginBot, oauth1, appJwt } = context.credentials;
  const username = str(body.username);
  if (username === undefined) return undefined;
  if (body.password !== undefined) {
    const ok = secretEquals(username, login.username) && secretEquals(str(body.password), login.password);
    return ok ? { loginName: login.username, userId: login.userId } : undefined;
  }
  if (!secretEquals(username, loginBot.username)) return undefined;
  const [appKey, secret, accessToken, accessTokenSecret] = [
    body.appKey,
    body.secret,
    body.accessToken,
    body.accessTokenSecret,
  ].map(str);
  // An OAuth 1.0 API key's four parts, or an OAuth 2.0 client id and secret with "dummy" token parts.
  const apiKey =
    secretEquals(appKey, oauth1.consumerKey) &&
    secretEquals(secret, oauth1.consumerSecret) &&
    secretEquals(accessToken, oauth1.token) &&
    secretEquals(accessTokenSecret, oauth1.tokenSecret);
  const oauth2 =
    secretEquals(appKey, appJwt.clientId) &&
    secretEquals(secret, appJwt.clientSecret) &&
    accessToken === DUMMY &&
    accessTokenSecret === DUMMY;
  return apiKey || oauth2 ? { loginName: loginBot.username, userId: loginBot.userId } : undefined;
}

function checkAccount(request: EmulatorRequest, context: EmulatorContext): EmulatorResponse | undefined {
  return request.params.acct === context.accountId
    ? undefined
    : lpError(401, `Account ${request.params.acct ?? ''} is not valid`, 1001);
}

async function login(request: EmulatorRequest, context: EmulatorContext): Promise<EmulatorResponse> {
  if (request.url.searchParams.get('v') !== '1.3')
    return lpError(400, 'query parameter v=1.3 is required', 1000);
  const wrongAccount = checkAccount(request, context);
  if (wrongAccount) return wrongAccount;
  const body = await readJson(request);
  if (!isJsonObject(body))
    return lpError(400, 'The body must be a JSON object with username and password, or a bot key', 1000);
  if (str(body.username) === undefined || (body.password === undefined && body.appKey === undefined)) {
    return lpError(
      400,
      'username and password (or appKey, secret, accessToken, accessTokenSecret) are required',
      1000,
    );
  }
  const user = authenticate(body, context);
  if (!user) return lpError(401, 'Authentication failed: wrong user name or credentials', 1004);
  const session = loginSessions(context).create(user.loginName, user.userId);
  const now = Date.now();
  return json(
    200,
    {
      csrf: session.csrf,
      wsuk: randomUUID(),
      config: {
        userId: user.userId,
        userPid: `pid-${user.userId}`,
        loginName: user.loginName,
        userTypeId: user.loginName === context.credentials.loginBot.username ? 2 : 1,
        userPrivileges: [1, 4, 5],
        isAdmin: false,
        isLPA: false,
        serverCurrentTime: now,
        timeDiff: 0,
        serverVersion: 'emulator',
        accountTimeZoneId: 'UTC',
      },
      csdsCollectionResponse: {
        baseURIs: [...context.services].map(([service, baseURI]) => ({
          service,
          account: context.accountId,
          baseURI,
        })),
      },
      accountData: { agentGroupsData: { items: [], revision: 1 } },
      sessionTTl: String(LOGIN_SESSION_TTL_MS),
      bearer: session.bearer,
    },
    { 'set-cookie': `Session_id=${session.sessionId}; Path=/; Secure; HttpOnly` },
  );
}

/** The session a refresh or logout names by cookie and csrf, or the 401 LivePerson answers. */
async function sessionOf(
  request: EmulatorRequest,
  context: EmulatorContext,
): Promise<LoginSession | EmulatorResponse> {
  const wrongAccount = checkAccount(request, context);
  if (wrongAccount) return wrongAccount;
  const session = loginSessions(context).bySessionId(sessionCookie(request));
  if (!session) return lpError(401, 'Session is not valid or has expired', 1005);
  const body = await readJson(request);
  const csrf = isJsonObject(body) ? str(body.csrf) : undefined;
  if (!secretEquals(csrf, session.csrf))
    return lpError(401, 'csrf is missing or does not match the session', 1006);
  return session;
}

/** A protected sample on agentVep (Chat Agent API "start agent session"): needs a live login bearer. */
async function agentSession(request: EmulatorRequest, context: EmulatorContext): Promise<EmulatorResponse> {
  const session = loginSessions(context).byBearer(bearerToken(request));
  if (!session || request.params.acct !== context.accountId) {
    return lpError(401, 'Bearer is missing, invalid or its session has ended', 1005);
  }
  const id = randomUUID();
  return json(201, {
    agentSessionLocation: {
      link: {
        '@href': `http://${context.host}/api/account/${context.accountId}/agentSession/${id}`,
        '@rel': 'location',
      },
    },
    userId: session.userId,
  });
}

/** Login Service, wire page §2 (service `agentVep`): login, keepalive, logout, and a protected sample. */
export const loginRoutes: readonly RouteDefinition[] = [
  { name: 'login.login', methods: ['POST'], path: '/api/account/{acct}/login', handler: login },
  {
    name: 'login.refresh',
    methods: ['POST'],
    path: '/api/account/{acct}/refresh',
    handler: async (request, context) => {
      const session = await sessionOf(request, context);
      if (!('bearer' in session)) return session;
      session.lastRefreshAt = Date.now();
      return { status: 200 };
    },
  },
  {
    name: 'login.logout',
    methods: ['POST'],
    path: '/api/account/{acct}/logout',
    handler: async (request, context) => {
      const session = await sessionOf(request, context);
      if (!('bearer' in session)) return session;
      loginSessions(context).end(session);
      return { status: 200 };
    },
  },
  { name: 'login.api', methods: ['POST'], path: '/api/account/{acct}/agentSession', handler: agentSession },
];
