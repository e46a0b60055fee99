import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorContext } from './context.js';

/** An authorize request waiting for the user to log in on the emulator's login page. */
export interface PendingAuthorization {
  clientId: string;
  /** The redirect URI the code will be sent to (the given one, or the only registered one). */
  redirectUri: string;
  /** Whether the client named `redirect_uri` in the authorize request (then the token request must too). */
  redirectUriGiven: boolean;
  state: string;
  codeChallenge?: string;
  scope?: string;
  expiresAt: number;
}

/** A code issued after a login: single-use, bound to the client, redirect URI and PKCE challenge. */
interface IssuedCode extends Omit<PendingAuthorization, 'state'> {
  userId: string;
  /** Set once the code was exchanged; a second exchange revokes what the first one got. */
  family?: string;
}

/** Every token issued from one authorization code, rotations included. */
interface TokenFamily {
  clientId: string;
  userId: string;
  scope?: string;
  revoked: boolean;
  /** The one refresh token of the family that can still be used. */
  refreshToken: string;
}

interface AccessToken {
  family: string;
  expiresAt: number;
}

/** How long an authorize request may wait for the login, and how long a code lives (RFC 6749 §4.1.2: short). */
export const PENDING_TTL_MS = 10 * 60_000;
export const CODE_TTL_MS = 60_000;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** RFC 7636 S256: base64url(sha256(verifier)). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Outcome of redeeming a code or a refresh token. */
export type Redeemed =
  { ok: true; family: string; userId: string; scope?: string } | { ok: false; description: string };

/**
 * Sentinel's authorization-code state (wire page §5): pending authorize requests, single-use codes,
 * and token families. A family is what one code yields; its refresh token rotates on every use, and
 * presenting a code or refresh token a second time revokes the whole family, as OAuth 2.0 Security
 * BCP §4.14 asks, because a replay means someone else holds a copy.
 */
export class AppAuthorizationState {
  readonly redirectUris = new Set<string>();
  readonly #pending = new Map<string, PendingAuthorization>();
  readonly #codes = new Map<string, IssuedCode>();
  readonly #families = new Map<string, TokenFamily>();
  readonly #refreshTokens = new Map<string, string>(); // token → family; used ones stay to detect replay
  readonly #accessTokens = new Map<string, AccessToken>();

  /** Keeps an authorize request until the login form comes back with its id. */
  addPending(request: PendingAuthorization): string {
    const id = randomBytes(16).toString('base64url');
    this.#pending.set(id, request);
    return id;
  }

  pending(id: string | null): PendingAuthorization | undefined {
    const found = id === null ? undefined : this.#pending.get(id);
    if (found && found.expiresAt <= Date.now()) {
      this.#pending.delete(id!);
      return undefined;
    }
    return found;
  }

  /** Ends a pending request (login done or cancelled), so its form cannot be posted twice. */
  takePending(id: string): PendingAuthorization | undefined {
    const found = this.pending(id);
    this.#pending.delete(id);
    return found;
  }

  issueCode(request: PendingAuthorization, userId: string): string {
    this.#sweep();
    const code = randomBytes(32).toString('base64url');
    const { state: _state, ...binding } = request;
    this.#codes.set(code, { ...binding, userId, expiresAt: Date.now() + CODE_TTL_MS });
    return code;
  }

  /**
   * Redeems `code` for `clientId`. A code works once, before it expires, for the client, redirect
   * URI and PKCE verifier it was issued for. A replay revokes the tokens the first use got.
   */
  redeemCode(
    code: string,
    clientId: string,
    redirectUri: string | null,
    codeVerifier: string | null,
  ): Redeemed {
    const issued = this.#codes.get(code);
    if (!issued || issued.expiresAt <= Date.now())
      return { ok: false, description: 'unknown or expired code' };
    if (issued.family !== undefined) {
      this.revokeFamily(issued.family);
      return { ok: false, description: 'the code was already used; the tokens it gave are revoked' };
    }
    if (issued.clientId !== clientId)
      return { ok: false, description: 'the code was issued to another client' };
    if (
      issued.redirectUriGiven
        ? redirectUri !== issued.redirectUri
        : redirectUri !== null && redirectUri !== issued.redirectUri
    ) {
      return { ok: false, description: 'redirect_uri does not match the authorization request' };
    }
    if (issued.codeChallenge !== undefined) {
      if (codeVerifier === null) return { ok: false, description: 'code_verifier is required (PKCE)' };
      if (s256(codeVerifier) !== issued.codeChallenge) {
        return { ok: false, description: 'code_verifier does not match the code_challenge' };
      }
    }
    const family = hex(16);
    issued.family = family;
    this.#families.set(family, {
      clientId,
      userId: issued.userId,
      ...(issued.scope ? { scope: issued.scope } : {}),
      revoked: false,
      refreshToken: '',
    });
    return { ok: true, family, userId: issued.userId, ...(issued.scope ? { scope: issued.scope } : {}) };
  }

  /** Redeems a refresh token: only the family's latest one, only by its client. A replay revokes the family. */
  redeemRefreshToken(token: string, clientId: string): Redeemed {
    const familyId = this.#refreshTokens.get(token);
    const family = familyId === undefined ? undefined : this.#families.get(familyId);
    if (!familyId || !family || family.revoked)
      return { ok: false, description: 'unknown or revoked refresh token' };
    if (family.clientId !== clientId)
      return { ok: false, description: 'the refresh token belongs to another client' };
    if (family.refreshToken !== token) {
      this.revokeFamily(familyId);
      return { ok: false, description: 'the refresh token was already used; the session is revoked' };
    }
    return {
      ok: true,
      family: familyId,
      userId: family.userId,
      ...(family.scope ? { scope: family.scope } : {}),
    };
  }

  /** New access and refresh tokens for `family`; the previous refresh token stops working. */
  issueTokens(family: string, lifetimeSeconds: number): { accessToken: string; refreshToken: string } {
    const accessToken = hex(32);
    const refreshToken = hex(32);
    this.#families.get(family)!.refreshToken = refreshToken;
    this.#refreshTokens.set(refreshToken, family);
    this.#accessTokens.set(accessToken, { family, expiresAt: Date.now() + lifetimeSeconds * 1000 });
    return { accessToken, refreshToken };
  }

  /** The user of a live access token, if it is one. */
  userOfAccessToken(token: string): { userId: string; clientId: string } | undefined {
    const access = this.#accessTokens.get(token);
    const family = access ? this.#families.get(access.family) : undefined;
    if (!access || !family || family.revoked || access.expiresAt <= Date.now()) return undefined;
    return { userId: family.userId, clientId: family.clientId };
  }

  /** The family of an access or refresh token of `clientId`, if any. */
  familyOf(token: string, clientId: string): string | undefined {
    const family = this.#accessTokens.get(token)?.family ?? this.#refreshTokens.get(token);
    return family !== undefined && this.#families.get(family)?.clientId === clientId ? family : undefined;
  }

  revokeFamily(family: string): void {
    const found = this.#families.get(family);
    if (found) found.revoked = true;
  }

  /** Families not revoked: one per logged-in user session (for tests). */
  liveSessions(): number {
    return [...this.#families.values()].filter((f) => !f.revoked).length;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [code, issued] of this.#codes) if (issued.expiresAt <= now) this.#codes.delete(code);
    for (const [token, access] of this.#accessTokens)
      if (access.expiresAt <= now) this.#accessTokens.delete(token);
  }
}

/** The module state, shared by the routes and the emulator handle. */
export const appAuthorizationState = (context: EmulatorContext) =>
  context.store('appAuthorization', () => new AppAuthorizationState());
