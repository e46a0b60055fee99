import type { ConformanceApp } from './harness.js';
import {
  bearerPrefix,
  bearerSuffix,
  callbackQuery,
  cookieHeaderOf,
  mutateJson,
  mutateToken,
  queryValue,
  randomCookiePairs,
  randomFrom,
  randomHeaderValue,
  randomPath,
  type Rng,
} from './fuzz-inputs.js';

/** What the fuzzer knows of the app it attacks: real tokens and cookies to mutate. */
export interface FuzzTarget {
  app: ConformanceApp;
  port: number;
  /** The `sub` of the good tokens. */
  sub: string;
  /** The cookie the app's verifier reads consumer tokens from. */
  consumerCookie: string;
  tokens: { good: string; goodJwe: string; expired: string; forged: string };
  /** Every token above, to mutate and splice. */
  bank: readonly string[];
  /** A logged-in session (its cookie value) and its user. */
  sessionId: string;
  userId: string;
  /** A real signed login state cookie and the `state` it holds. */
  stateCookie: string;
  state: string;
  /** Sentinel's authorize URL: the only place the login route may redirect to. */
  authorizePrefix: string;
}

/** One request of the fuzzer, and the rule its answer must keep (besides "no 5xx"). */
export interface FuzzInput {
  /** Which generator made it (printed on failure). */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  /** A broken rule, in words, or undefined. */
  judge(answer: { status: number; body: string; location?: string }): string | undefined;
}

export interface FuzzSurface {
  title: string;
  /** Its share of the iterations. */
  share: number;
  generate(rng: Rng, target: FuzzTarget): FuzzInput;
  /**
   * Inputs that once found a bug, sent as the surface's first inputs (indices 0, 1, …) so that
   * every seed keeps checking them.
   */
  regressions(target: FuzzTarget): FuzzInput[];
}

/** `token` with its `segment`-th segment replaced by `change` of it. */
function spliced(token: string, segment: number, change: (part: string) => string): string {
  const parts = token.split('.');
  parts[segment] = change(parts[segment]!);
  return parts.join('.');
}

/** The last character of a segment with its padding bits set: the same bytes to a lenient decoder. */
const dirtyLast = (part: string): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return part.slice(0, -1) + alphabet[alphabet.indexOf(part[part.length - 1]!) | 1]!;
};

const B64TOKEN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=';

/** Whether `value` presents `token` itself as a bearer token: RFC 6750 syntax, after Node trims the value. */
function presents(value: string, token: string): boolean {
  const at = value.indexOf(token);
  if (at < 0) return false;
  return /^[ \t]*bearer +$/i.test(value.slice(0, at)) && /^[ \t]*$/.test(value.slice(at + token.length));
}

const parse = (body: string): Record<string, unknown> => {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/**
 * A consumer route's rule: a 200 with a consumer only when a good token was presented intact
 * (`mayPass`); on the optional route, a 200 without one must carry no consumer.
 */
function consumerJudge(optional: boolean, mayPass: boolean, sub: string): FuzzInput['judge'] {
  return ({ status, body }) => {
    if (status !== 200) return undefined;
    const seen = parse(body).sub;
    if (mayPass) return seen === sub ? undefined : `a good token gave sub ${JSON.stringify(seen)}`;
    if (optional && seen === null) return undefined;
    return `answered 200 (sub ${JSON.stringify(seen)}) to a token that is not a good one`;
  };
}

function consumerPath(rng: Rng): { path: string; optional: boolean } {
  const optional = rng.chance(0.15);
  return { path: optional ? '/consumer/optional' : '/consumer', optional };
}

/** One `Authorization` value: random, a mutated real token, a JSON-mutated one, or a real one under odd schemes. */
function authorizationValue(rng: Rng, target: FuzzTarget): { kind: string; value: string } {
  const { good, goodJwe } = target.tokens;
  const r = rng.float();
  if (r < 0.15) return { kind: 'random bytes', value: randomHeaderValue(rng) };
  if (r < 0.3) return { kind: 'random b64token', value: bearerPrefix(rng) + randomFrom(rng, B64TOKEN) };
  if (r < 0.75) {
    const base = rng.pick(target.bank);
    return {
      kind: 'mutated token',
      value: bearerPrefix(rng) + mutateToken(rng, base, target.bank) + bearerSuffix(rng),
    };
  }
  if (r < 0.9)
    return { kind: 'mutated JSON', value: bearerPrefix(rng) + mutateJson(rng, good) + bearerSuffix(rng) };
  return {
    kind: 'odd scheme',
    value: bearerPrefix(rng) + (rng.chance(0.8) ? good : goodJwe) + bearerSuffix(rng),
  };
}

const authorizationSurface: FuzzSurface = {
  title: 'Authorization headers',
  share: 0.5,
  regressions: (target) =>
    [
      // A JWE whose tag has non-zero padding bits decrypted (jose ignores them): a second spelling.
      spliced(target.tokens.goodJwe, 4, dirtyLast),
      // The same for a JWS signature.
      spliced(target.tokens.good, 2, dirtyLast),
    ].map((token) => ({
      kind: 'regression',
      method: 'GET',
      path: '/consumer',
      headers: { authorization: `Bearer ${token}` },
      judge: consumerJudge(false, false, target.sub),
    })),
  generate(rng, target) {
    const { path, optional } = consumerPath(rng);
    const first = authorizationValue(rng, target);
    const values = [first.value];
    if (rng.chance(0.03))
      values.push(rng.chance(0.5) ? authorizationValue(rng, target).value : 'Basic dXNlcjpwYXNz');
    // A request is let in on a good token only when it is the one bearer value (two are refused).
    const bearers = values.filter((value) => /^bearer(?: |$)/i.test(value.trimStart()));
    const mayPass =
      bearers.length === 1 &&
      (presents(bearers[0]!, target.tokens.good) || presents(bearers[0]!, target.tokens.goodJwe));
    return {
      kind: values.length > 1 ? `${first.kind}, twice` : first.kind,
      method: 'GET',
      path,
      headers: { authorization: values.length === 1 ? values[0]! : values },
      judge: consumerJudge(optional, mayPass, target.sub),
    };
  },
};

/** A session id that is surely not the real one. */
function notTheSession(rng: Rng, target: FuzzTarget): string {
  const value = rng.chance(0.7)
    ? mutateToken(rng, target.sessionId, [target.sessionId])
    : randomHeaderValue(rng, rng.int(80));
  return value.includes(target.sessionId) ? randomFrom(rng, B64TOKEN, 43) : value;
}

const cookieSurface: FuzzSurface = {
  title: 'cookies (consumer token, login state, session)',
  share: 0.25,
  regressions: (target) => [
    {
      // A JWE with a space in its ciphertext decrypted (jose skips characters outside base64url).
      kind: 'regression',
      method: 'GET',
      path: '/consumer',
      headers: {
        cookie: `${target.consumerCookie}=${spliced(target.tokens.goodJwe, 3, (p) => `${p.slice(0, 9)}  ${p.slice(9)}`)}`,
      },
      judge: consumerJudge(false, false, target.sub),
    },
  ],
  generate(rng, target) {
    const pairs = randomCookiePairs(rng);
    const insert = (name: string, value: string) => pairs.splice(rng.int(pairs.length + 1), 0, [name, value]);
    const r = rng.float();
    if (r < 0.4) {
      const { path, optional } = consumerPath(rng);
      const { good } = target.tokens;
      for (let n = rng.int(3); n > 0; n--) {
        const v = rng.float();
        insert(
          target.consumerCookie,
          v < 0.3 ? good : v < 0.85 ? mutateToken(rng, rng.pick(target.bank), target.bank) : queryValue(rng),
        );
      }
      const withHeader = rng.chance(0.3);
      const headers: Record<string, string> = { cookie: cookieHeaderOf(rng, pairs) };
      if (withHeader) headers.authorization = `Bearer ${good}`;
      const { goodJwe } = target.tokens;
      const mayPass =
        withHeader ||
        pairs.some(
          ([name, value]) => name === target.consumerCookie && [good, goodJwe].includes(value.trim()),
        );
      return {
        kind: 'consumer token cookie',
        method: 'GET',
        path,
        headers,
        judge: consumerJudge(optional, mayPass, target.sub),
      };
    }
    if (r < 0.65) {
      const real = rng.chance(0.1);
      insert('lp_auth_session', real ? target.sessionId : notTheSession(rng, target));
      const cookie = cookieHeaderOf(rng, pairs);
      return {
        kind: 'session cookie',
        method: 'GET',
        path: '/me',
        headers: { cookie },
        judge: ({ status, body }) => {
          const user = parse(body).user;
          if (status !== 200 || user === null || cookie.includes(target.sessionId)) return undefined;
          return `a session cookie that is not the real one logged in as ${JSON.stringify(user)}`;
        },
      };
    }
    if (r < 0.85) {
      const v = rng.float();
      insert(
        'lp_auth_state',
        v < 0.1
          ? target.stateCookie
          : v < 0.8
            ? mutateToken(rng, target.stateCookie, [target.stateCookie])
            : randomHeaderValue(rng, rng.int(200)),
      );
      return {
        kind: 'login state cookie',
        method: 'GET',
        path: `/auth/callback?code=${randomFrom(rng, B64TOKEN.slice(0, 64), 32)}&state=${target.state}`,
        headers: { cookie: cookieHeaderOf(rng, pairs) },
        judge: ({ status }) =>
          status === 302 ? 'the callback logged in with a code nobody issued' : undefined,
      };
    }
    insert('lp_auth_session', notTheSession(rng, target));
    return {
      kind: 'logout cookie',
      method: 'POST',
      path: '/auth/logout',
      headers: { cookie: cookieHeaderOf(rng, pairs) },
      judge: () => undefined,
    };
  },
};

const METHODS = ['GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

const callbackSurface: FuzzSurface = {
  title: 'OAuth callback query strings',
  share: 0.25,
  // A request target that is no URL made every request of an app with login routes a 500.
  regressions: () =>
    ['//a:99999/', "//WbC%+\\[NC8;G'{=o9[}h!={#t;ouz@a(3Q>.;:?x.V@8)x{]Y3", '//x:-1/auth/callback'].map(
      (path) => ({
        kind: 'regression',
        method: 'GET',
        path,
        headers: {},
        judge: () => undefined,
      }),
    ),
  generate(rng, target) {
    const pairs: [string, string][] = rng.chance(0.3) ? randomCookiePairs(rng) : [];
    const r = rng.float();
    if (r < 0.05) {
      return {
        kind: 'odd path',
        method: rng.pick(METHODS),
        path: randomPath(rng),
        headers: { cookie: cookieHeaderOf(rng, pairs) },
        judge: () => undefined,
      };
    }
    if (r < 0.1) {
      return {
        kind: 'login returnTo',
        method: 'GET',
        path: `/auth/login?returnTo=${queryValue(rng)}`,
        headers: {},
        judge: ({ status, location }) =>
          status === 302 && !location?.startsWith(`${target.authorizePrefix}?`)
            ? `the login redirected to ${JSON.stringify(location)}, not to Sentinel`
            : undefined,
      };
    }
    const c = rng.float();
    if (c < 0.5) pairs.push(['lp_auth_state', target.stateCookie]);
    else if (c < 0.7)
      pairs.push(['lp_auth_state', mutateToken(rng, target.stateCookie, [target.stateCookie])]);
    const headers: Record<string, string> = pairs.length > 0 ? { cookie: cookieHeaderOf(rng, pairs) } : {};
    const query = callbackQuery(rng, target.state);
    return {
      kind: 'callback query',
      method: 'GET',
      path: `/auth/callback${rng.chance(0.97) ? '?' : ''}${query}`,
      headers,
      judge: ({ status, location }) =>
        status === 302
          ? `the callback redirected (to ${JSON.stringify(location)}) with a code nobody issued`
          : undefined,
    };
  },
};

/** The three surfaces, in the order their cases run. */
export function fuzzSurfaces(): FuzzSurface[] {
  return [authorizationSurface, cookieSurface, callbackSurface];
}
