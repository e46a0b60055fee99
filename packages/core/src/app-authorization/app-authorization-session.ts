import { createHash } from 'node:crypto';
import { inspect, type InspectOptionsStylized } from 'node:util';
import type { LpClient } from '../http/lp-client.js';
import type { TokenManager } from '../tokens/token-manager.js';
import {
  type AuthorizeContext,
  type AuthorizeResult,
  type Credential,
  type OutgoingRequest,
  tokenForRequest,
} from '../credentials/credential.js';
import type { LpUser } from './sentinel-id-token.js';

/**
 * A logged-in LivePerson user, as the app sees it: who, until when, and a client that calls
 * LivePerson as this user (`Authorization: Bearer <access_token>`, refreshed with the rotating
 * refresh token, one refresh at a time, a 401 retried once with a fresh token).
 *
 * @example
 * ```ts
 * const user = await lp.appAuthorization!.session(sessionId);
 * if (user) {
 *   const { data } = await user.client.request({ service: 'accountConfigReadOnly', path: '/api/account/{accountId}/configuration/le-users/skills' });
 * }
 * ```
 */
export interface UserSession {
  /** The opaque session id (256 random bits). Keep it in an HttpOnly cookie; never log it. */
  readonly id: string;
  readonly user: LpUser;
  readonly client: LpClient;
  /** When the session ends unless it is used (epoch ms); each refresh moves it on. */
  readonly expiresAt: number;
}

/** What `JSON.stringify` and `util.inspect` show of a {@link UserSession}: who, and until when. */
export interface PrintableUserSession {
  userId: string;
  isAdmin: boolean;
  isLpa: boolean;
  expiresAt: number;
}

/**
 * The {@link UserSession} the library hands out. Its id is a getter over a private field, so that
 * logging a request context (`console.log(req.lp)`), serialising it, or spreading the session never
 * shows the id, which logs in whoever reads it; the client behind it (tokens) is not shown either.
 */
class LiveUserSession implements UserSession {
  readonly #id: string;
  readonly user: LpUser;
  readonly client: LpClient;
  readonly expiresAt: number;

  constructor(id: string, user: LpUser, client: LpClient, expiresAt: number) {
    this.#id = id;
    this.user = user;
    this.client = client;
    this.expiresAt = expiresAt;
  }

  get id(): string {
    return this.#id;
  }

  toJSON(): PrintableUserSession {
    const { id, isAdmin, isLpa } = this.user;
    return { userId: id, isAdmin, isLpa, expiresAt: this.expiresAt };
  }

  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return `UserSession ${inspect(this.toJSON(), options)}`;
  }
}

/** A session as {@link UserSession}s are handed out: `id` readable, never printed. */
export function userSession(id: string, user: LpUser, client: LpClient, expiresAt: number): UserSession {
  return new LiveUserSession(id, user, client, expiresAt);
}

/**
 * What the {@link TokenStore} keeps per session, under `lp:{account}:user:{sha256(id)}`. The refresh
 * token lives here (with the session's lifetime), the access token under `…:access` (with its own),
 * so that an expired access token does not take the refresh token with it.
 */
export interface StoredUserSession {
  refreshToken: string;
  user: LpUser;
  createdAt: number;
  expiresAt: number;
}

/**
 * The store key of a session. The raw id never reaches the store: whoever can read the store
 * (a shared Redis) cannot turn a key into a cookie that logs them in.
 */
export function userSessionKey(accountId: string, sessionId: string): string {
  return `lp:${accountId}:user:${createHash('sha256').update(sessionId, 'utf8').digest('hex')}`;
}

/** Sessions last 12 hours without a refresh unless `sessionTtlMs` says otherwise (a working day). */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60_000;

/** A session id as minted by `exchangeCode`: 43 base64url characters. Anything else is not looked up. */
export const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * The {@link Credential} of one user session: applies the user's access token as a bearer. The
 * session's `TokenManager` does the rest (single-flight refresh with rotation, across processes
 * through the store's lock).
 */
export class UserSessionCredential implements Credential {
  readonly kind = 'appAuthorization';
  readonly refreshable = true;
  readonly tokens: TokenManager;

  constructor(tokens: TokenManager) {
    this.tokens = tokens;
  }

  async authorize(request: OutgoingRequest, context: AuthorizeContext): Promise<AuthorizeResult> {
    const token = await tokenForRequest(this.tokens, context);
    request.headers.set('authorization', `Bearer ${token.value}`);
    return { token: token.value };
  }

  invalidate(): Promise<void> {
    return this.tokens.invalidate();
  }

  async close(): Promise<void> {
    this.tokens.close();
  }
}
