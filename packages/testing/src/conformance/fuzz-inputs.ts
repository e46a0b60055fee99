/**
 * The fuzzer's inputs: a small seeded PRNG and generators of `Authorization` values, cookies and
 * callback query strings, random or mutated from real tokens. Every input is a pure function of
 * (seed, index), so a failure replays from the two numbers it prints.
 */

import { parse as legacyUrlParse } from 'node:url';

// Read once: under Jest, every lookup of a global (Math) is slow enough to dominate a PRNG.
const { imul, floor } = Math;

/** mulberry32: a tiny, fast 32-bit PRNG, good enough to spread inputs (not for secrets). */
export function mulberry32(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.float();
}

/** Random choices drawn from one mulberry32 stream. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** The stream of input `index` under `seed`: inputs do not depend on one another. */
  static forInput(seed: number, index: number): Rng {
    return new Rng((seed ^ imul(index + 1, 0x9e3779b1)) >>> 0);
  }
  float(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return floor(this.float() * n);
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** A length: mostly short, sometimes long, rarely huge (past the servers' 16 KiB header limit). */
  length(): number {
    const r = this.float();
    if (r < 0.8) return this.int(120);
    if (r < 0.97) return 120 + this.int(2000);
    if (r < 0.995) return 8000 + this.int(8000);
    return 16_000 + this.int(48_000);
  }
}

/** Characters Node's HTTP client lets into a header value: HTAB, visible ASCII and space, obs-text. */
const HEADER_CHARS = ['\t', ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))];
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64TOKEN = `${B64URL}.~+/=`;
/** Characters Node's HTTP client and parser let into a request target. */
const PATH_CHARS = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).join('');

/** Characters of a query value that do not end it (`&`) or start a fragment (`#`). */
const QUERY_CHARS = PATH_CHARS.replace(/[&#]/g, '');

const UNICODE = ['é', 'ß', 'Ω', '€', '中', '😀', '\u200b', '\u202e', '\ufeff', '\ufffd', 'ǅ', 'ﬀ'];

/** A Unicode string as the UTF-8 bytes a client puts on the wire (a latin1 string is sent byte for byte). */
export const utf8OnTheWire = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

/** One character of a header value: mostly visible ASCII, some obs-text, some UTF-8 bytes. */
function headerChar(rng: Rng): string {
  const r = rng.float();
  if (r < 0.85) return rng.pick(HEADER_CHARS);
  if (r < 0.95) return String.fromCharCode(0x80 + rng.int(0x80));
  return utf8OnTheWire(rng.pick(UNICODE));
}

const POOL_CHARS = 32 * 1024;
const pools = new Map<string, string>();

/**
 * 32 K random characters of an alphabet, made once from a fixed seed: long random strings are
 * slices of it at random offsets, so that making a 64 KiB input costs a few draws, not 64 K of
 * them (the fuzzer runs in the app's process and must not stall its event loop itself).
 */
function poolOf(key: string, char: (rng: Rng) => string): string {
  let pool = pools.get(key);
  if (pool === undefined) {
    const rng = new Rng(key.length * 7919 + 17);
    const parts: string[] = [];
    for (let n = 0; n < POOL_CHARS; n++) parts.push(char(rng));
    pool = parts.join('');
    pools.set(key, pool);
  }
  return pool;
}

function randomString(rng: Rng, length: number, key: string, char: (rng: Rng) => string): string {
  if (length <= 32) {
    let out = '';
    for (let i = 0; i < length; i++) out += char(rng);
    return out;
  }
  const pool = poolOf(key, char);
  const parts: string[] = [];
  for (let left = length; left > 0;) {
    const at = rng.int(pool.length);
    const take = Math.min(left, pool.length - at, 256 + rng.int(4096));
    parts.push(pool.slice(at, at + take));
    left -= take;
  }
  return parts.join('');
}

export function randomHeaderValue(rng: Rng, length = rng.length()): string {
  return randomString(rng, length, '\u0000header', headerChar);
}

export function randomFrom(rng: Rng, alphabet: string, length = rng.length()): string {
  return randomString(rng, length, alphabet, (r) => alphabet[r.int(alphabet.length)]!);
}

const JSON_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -1e-308,
  2 ** 53 + 1,
  '',
  'none',
  'x'.repeat(300),
  [],
  {},
  [[[[[]]]]],
  { __proto__: { admin: true } },
  ['a', 1, null],
  '../../dev/null',
  "' OR 1=1 --",
];

/** Splits a compact token and changes it 1–4 times: bytes, characters, segments, lengths. */
export function mutateToken(rng: Rng, token: string, others: readonly string[]): string {
  let out = token;
  const times = 1 + rng.int(4);
  for (let n = 0; n < times; n++) out = mutateOnce(rng, out, others);
  return out;
}

function mutateOnce(rng: Rng, token: string, others: readonly string[]): string {
  const at = token.length === 0 ? 0 : rng.int(token.length);
  const segments = token.split('.');
  const s = rng.int(segments.length);
  switch (rng.int(17)) {
    case 0: {
      const flipped = token.charCodeAt(at) ^ (1 << rng.int(7));
      const ch = flipped >= 0x20 && flipped < 0x7f ? String.fromCharCode(flipped) : rng.pick([...B64URL]);
      return token.slice(0, at) + ch + token.slice(at + 1);
    }
    case 1:
      return token.slice(0, at) + rng.pick([...B64TOKEN]) + token.slice(at + 1);
    case 2:
      return token.slice(0, at) + token.slice(at + 1);
    case 3:
      return token.slice(0, at) + rng.pick(HEADER_CHARS) + token.slice(at);
    case 4:
      return token.slice(0, at);
    case 5: {
      const t = rng.int(segments.length);
      [segments[s], segments[t]] = [segments[t]!, segments[s]!];
      return segments.join('.');
    }
    case 6:
      segments.splice(s, 1);
      return segments.join('.');
    case 7:
      segments.splice(s, 0, rng.chance(0.5) ? segments[s]! : '');
      return segments.join('.');
    case 8: {
      const other = rng.pick(others).split('.');
      segments[s] = other[s % other.length]!;
      return segments.join('.');
    }
    case 9:
      // Huge: a segment repeated until the token is tens of kilobytes.
      segments[s] = segments[s]!.repeat(2 + rng.int(rng.chance(0.1) ? 200 : 20));
      return segments.join('.');
    case 10:
      return token.slice(0, at) + utf8OnTheWire(rng.pick(UNICODE)) + token.slice(at);
    case 11:
      return token.slice(0, at) + rng.pick([' ', '\t', '  ', ' \t ']) + token.slice(at);
    case 12: {
      const ch = token[at] ?? 'a';
      const swapped = ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
      return token.slice(0, at) + swapped + token.slice(at + 1);
    }
    case 13:
      segments[s] = segments[s]! + rng.pick(['=', '==', '===']);
      return segments.join('.');
    case 14:
      segments[s] = Buffer.from(segments[s]!, 'base64url').toString('base64');
      return segments.join('.');
    case 15:
      segments[s] = rng.chance(0.5)
        ? Buffer.from(JSON.stringify(rng.pick(JSON_VALUES)) ?? '').toString('base64url')
        : randomFrom(rng, B64URL, rng.int(400));
      return segments.join('.');
    default: {
      // The last character of a segment with other padding bits: same bytes, another string.
      const seg = segments[s]!;
      if (seg.length === 0) return token;
      const last = B64URL.indexOf(seg[seg.length - 1]!);
      segments[s] = seg.slice(0, -1) + B64URL[(last ^ (1 + rng.int(3))) & 63]!;
      return segments.join('.');
    }
  }
}

/** A JWS whose header or payload JSON is changed, re-encoded, with the original signature. */
export function mutateJson(rng: Rng, token: string): string {
  const [h, p, sig] = token.split('.') as [string, string, string];
  const target = rng.chance(0.4) ? 0 : 1;
  const parsed = JSON.parse(Buffer.from(target === 0 ? h : p, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  const names = Object.keys(parsed);
  const name =
    rng.chance(0.7) && names.length > 0 ? rng.pick(names) : rng.pick(['crit', 'b64', 'jku', 'x', 'azp']);
  let text: string;
  switch (rng.int(4)) {
    case 0:
      delete parsed[name];
      text = JSON.stringify(parsed);
      break;
    case 1:
      parsed[name] = rng.pick(JSON_VALUES);
      text = JSON.stringify(parsed);
      break;
    case 2:
      // A duplicate member, which JSON.stringify cannot write.
      text = `${JSON.stringify(parsed).slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(rng.pick(JSON_VALUES))}}`;
      break;
    default:
      parsed[name] =
        target === 0
          ? rng.pick(['none', 'HS256', 'RS256', 'ES256', 'PS256', 'EdDSA', ''])
          : rng.pick(JSON_VALUES);
      text = JSON.stringify(parsed);
  }
  const segment = Buffer.from(text, 'utf8').toString('base64url');
  return target === 0 ? `${segment}.${p}.${sig}` : `${h}.${segment}.${sig}`;
}

/** Schemes before a token: the first ones are what RFC 6750 (and Node's trimming) accept. */
export const VALID_PREFIXES = ['Bearer ', 'bearer ', 'BEARER ', 'Bearer   ', ' Bearer ', '\tBearer '];
const OTHER_PREFIXES = [
  'Bearer\t',
  'Bearer',
  'Basic ',
  'Token ',
  '',
  'Bearer: ',
  'Bearer,',
  'DPoP ',
  'Bearer \t',
];

export function bearerPrefix(rng: Rng): string {
  return rng.chance(0.8) ? rng.pick(VALID_PREFIXES) : rng.pick(OTHER_PREFIXES);
}

export function bearerSuffix(rng: Rng): string {
  return rng.chance(0.85) ? '' : rng.pick([' ', '\t', '  \t', ' x', ',', ' Bearer x']);
}

/** Whether Node's parser plus RFC 6750 read `prefix + token + suffix` as exactly `token`. */
export function readsAsToken(prefix: string, suffix: string): boolean {
  return /^[ \t]*bearer +$/i.test(prefix) && /^[ \t]*$/.test(suffix);
}

/** A `Cookie` header from name/value pairs, joined the ways browsers and others do. */
export function cookieHeaderOf(rng: Rng, pairs: readonly (readonly [string, string])[]): string {
  const separator = rng.pick(['; ', ';', ' ; ', ';  ']);
  return pairs.map(([name, value]) => (name === '' ? value : `${name}=${value}`)).join(separator);
}

/** Random cookie pairs: garbage, well-formed, empty, valueless. */
export function randomCookiePairs(rng: Rng): [string, string][] {
  const pairs: [string, string][] = [];
  const count = rng.int(6);
  for (let i = 0; i < count; i++) {
    const r = rng.float();
    if (r < 0.3) pairs.push(['', randomHeaderValue(rng, rng.int(60))]);
    else if (r < 0.6)
      pairs.push([randomFrom(rng, B64URL, 1 + rng.int(12)), randomFrom(rng, B64TOKEN, rng.int(80))]);
    else if (r < 0.8)
      pairs.push([randomFrom(rng, B64URL, 1 + rng.int(12)), randomHeaderValue(rng, rng.int(60))]);
    else pairs.push([rng.pick(['lp_auth_state', 'lp_auth_session', '__Host-lp_auth_session', 'a']), '']);
  }
  return pairs;
}

const QUERY_NAMES = [
  'code',
  'state',
  'error',
  'error_description',
  'error_uri',
  'iss',
  'session_state',
  'returnTo',
];

/** A query-string value: printable, percent-encoded bytes (valid or not), UTF-8, or long. */
export function queryValue(rng: Rng): string {
  const r = rng.float();
  if (r < 0.3) return randomFrom(rng, QUERY_CHARS, rng.int(60));
  if (r < 0.5) {
    let out = '';
    for (let i = rng.int(20); i > 0; i--) {
      out += rng.pick([
        '%',
        '%z',
        '%zz',
        '%0',
        `%${rng.int(256).toString(16).padStart(2, '0')}`,
        '%E0%A4',
        '%C0%AF',
        '%00',
        '%0d%0a',
        '+',
      ]);
    }
    return out;
  }
  if (r < 0.65) return encodeURIComponent(rng.pick(UNICODE).repeat(1 + rng.int(5)));
  if (r < 0.75) return randomFrom(rng, B64URL, 1000 + rng.int(7000));
  if (r < 0.85) return '';
  return randomFrom(rng, B64URL, 1 + rng.int(64));
}

/** Query pairs for `/auth/callback`; `state` is the real one when `realState` is given and chance says so. */
export function callbackQuery(rng: Rng, realState: string | undefined): string {
  const pairs: string[] = [];
  const count = rng.int(6);
  for (let i = 0; i < count; i++) {
    const name = rng.chance(0.8) ? rng.pick(QUERY_NAMES) : queryValue(rng).slice(0, 40);
    const value = name === 'state' && realState && rng.chance(0.6) ? realState : queryValue(rng);
    pairs.push(rng.chance(0.05) ? name : `${name}=${value}`);
  }
  return pairs.join(rng.pick(['&', '&', '&', ';', '&&']));
}

/** A path that is not a harness route: traversal, odd encodings, doubled slashes, host-like starts. */
export function randomPath(rng: Rng): string {
  const path = anyPath(rng);
  // A target Node's url.parse refuses (a host part with `|`, `{`, …) is a 500 in Koa and others
  // before any adapter code runs (`ctx.path`, parseurl): the frameworks', not this conformance.
  try {
    legacyUrlParse(path);
    return path;
  } catch {
    return `/auth/${randomFrom(rng, B64URL, rng.int(40))}`;
  }
}

function anyPath(rng: Rng): string {
  const r = rng.float();
  if (r < 0.25)
    return `//${randomFrom(rng, 'abcdefghij.', 1 + rng.int(12))}:${rng.pick(['', '0', '99999', 'x', '-1'])}/${randomFrom(rng, B64URL, rng.int(10))}`;
  if (r < 0.5)
    return rng.pick([
      '/auth/callback/..',
      '/auth/%2e%2e/callback',
      '/AUTH/CALLBACK',
      '/auth/callback;x',
      '/auth//callback',
      '/auth/callback%3f',
      '/%2f%2fevil',
      '/auth/login/..',
      '/./auth/callback',
    ]);
  if (r < 0.75) return `/${randomFrom(rng, PATH_CHARS, rng.int(200))}`;
  return `/auth/${randomFrom(rng, PATH_CHARS, rng.int(40))}`;
}
