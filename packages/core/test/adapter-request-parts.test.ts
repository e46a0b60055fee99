import { createServer, IncomingMessage, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  bearerPartsOf,
  createConsumerVerifier,
  lpContextOf,
  putLpContext,
  silentLogger,
  type ConsumerVerifierOptions,
  type LpRequestContext,
  type ParsedRequestParts,
} from './core.js';
import { ISSUER, testKey, type TestKey } from './consumer-support.js';

// Real requests from a real http server: what each adapter hands bearerPartsOf.
let server: Server;
let port: number;
let onRequest: (req: IncomingMessage & { lp?: LpRequestContext }) => void = () => {};
let key: TestKey;

beforeAll(async () => {
  key = await testKey('RS256', 'rsa-1');
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      let status = 204;
      try {
        onRequest(req);
      } catch {
        status = 500;
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends one request and hands the server's `IncomingMessage` to `inspect` (run inside the handler). */
async function withRequest<T>(
  options: { method?: string; path?: string; headers?: [string, string][]; body?: string },
  inspect: (req: IncomingMessage & { lp?: LpRequestContext }) => T,
): Promise<T> {
  let result: { value: T } | { error: unknown } | undefined;
  onRequest = (req) => {
    try {
      result = { value: inspect(req) };
    } catch (error) {
      result = { error };
    }
  };
  await new Promise<void>((resolve, reject) => {
    // Raw headers as sent (names' case, repeats); with an array Node adds no Host header itself.
    const raw = [['Host', `127.0.0.1:${port}`], ...(options.headers ?? [])].flat();
    const out = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: raw },
      (res) => {
        if (res.statusCode !== 204 && res.statusCode !== 500) reject(new Error(`status ${res.statusCode}`));
        res.resume();
        res.on('end', resolve);
      },
    );
    out.on('error', reject);
    out.end(options.body);
  });
  if (!result) throw new Error('the server saw no request');
  if ('error' in result) throw result.error;
  return result.value;
}

function verifier(options: Partial<ConsumerVerifierOptions> = {}) {
  const pem = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  return createConsumerVerifier({ issuer: ISSUER, key: pem, ...options }, { logger: silentLogger });
}

/** Parsed parts that record which of them the extraction asked for. */
function recording(parsed: { query?: unknown; body?: unknown; cookies?: unknown }) {
  const asked: string[] = [];
  const parts: ParsedRequestParts = {
    query: () => (asked.push('query'), parsed.query),
    body: () => (asked.push('body'), parsed.body),
    cookies: () => (asked.push('cookies'), parsed.cookies),
  };
  return { asked, parts };
}

describe('bearerPartsOf reads what the extraction needs, and only that', () => {
  test('a GET with a bearer header: the token, and no query, body or cookies read', async () => {
    const { asked, parts } = recording({ body: { access_token: 'x' }, cookies: { t: 'y' } });
    const token = await withRequest({ headers: [['Authorization', 'Bearer abc.def.ghi']] }, (req) =>
      verifier().extract(bearerPartsOf(req, parts)),
    );
    expect(token).toBe('abc.def.ghi');
    expect(asked).toEqual([]);
  });

  test('a query string is parsed only when the URL has one, and a token there is refused by default', async () => {
    const { asked, parts } = recording({ query: { access_token: 'abc.def.ghi' } });
    const attempt = withRequest({ path: '/orders?access_token=abc.def.ghi' }, (req) =>
      verifier().extract(bearerPartsOf(req, parts)),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'token_location_not_allowed' });
    expect(asked).toEqual(['query']);
  });

  test('a form POST has its body read: refused by default, the token when the body is allowed', async () => {
    const form = {
      method: 'POST',
      headers: [['Content-Type', 'application/x-www-form-urlencoded']] as [string, string][],
      body: 'access_token=abc.def.ghi',
    };
    const refused = recording({ body: { access_token: 'abc.def.ghi' } });
    await expect(
      withRequest(form, (req) => verifier().extract(bearerPartsOf(req, refused.parts))),
    ).rejects.toMatchObject({ code: 'token_location_not_allowed' });
    expect(refused.asked).toEqual(['body']);

    const allowed = recording({ body: { access_token: 'abc.def.ghi' } });
    const token = await withRequest(form, (req) =>
      verifier({ tokenLocations: { body: true } }).extract(bearerPartsOf(req, allowed.parts)),
    );
    expect(token).toBe('abc.def.ghi');
  });

  test('a JSON POST never has its body read', async () => {
    const { asked, parts } = recording({ body: { access_token: 'abc.def.ghi' } });
    const token = await withRequest(
      { method: 'POST', headers: [['Content-Type', 'application/json']], body: '{}' },
      (req) => verifier({ tokenLocations: { body: true } }).extract(bearerPartsOf(req, parts)),
    );
    expect(token).toBeUndefined();
    expect(asked).toEqual([]);
  });

  test('cookies are read only by a verifier with a cookie location; without parsed cookies, the Cookie header', async () => {
    const headers: [string, string][] = [['Cookie', 'other=1; idt=abc.def.ghi']];
    const parsed = recording({ cookies: { idt: 'abc.def.ghi' } });
    expect(
      await withRequest({ headers }, (req) => verifier().extract(bearerPartsOf(req, parsed.parts))),
    ).toBe(undefined);
    expect(parsed.asked).toEqual([]);
    const viaCookie = verifier({ tokenLocations: { cookie: 'idt' } });
    expect(await withRequest({ headers }, (req) => viaCookie.extract(bearerPartsOf(req, parsed.parts)))).toBe(
      'abc.def.ghi',
    );
    expect(parsed.asked).toEqual(['cookies']);
    expect(await withRequest({ headers }, (req) => viaCookie.extract(bearerPartsOf(req)))).toBe(
      'abc.def.ghi',
    );
  });

  test('a repeated Authorization header is counted from the raw headers and refused', async () => {
    const attempt = withRequest(
      {
        headers: [
          ['Authorization', 'Bearer abc.def.ghi'],
          ['authorization', 'Bearer jkl.mno.pqr'],
        ],
      },
      (req) => verifier().extract(bearerPartsOf(req)),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'multiple_tokens' });
  });
});

describe('putLpContext and lpContextOf', () => {
  const context = Object.freeze({ clients: {} }) as LpRequestContext;

  test("on Node's own request: an own property, read back", async () => {
    const seen = await withRequest({}, (req) => {
      const before = lpContextOf(req);
      putLpContext(req, context);
      return {
        before,
        after: lpContextOf(req),
        own: Object.hasOwn(req, 'lp'),
        read: (req as { lp?: unknown }).lp,
      };
    });
    expect(seen).toEqual({ before: undefined, after: context, own: true, read: context });
  });

  test("under a framework's prototype: an accessor, the same value through req.lp and lpContextOf", async () => {
    // As Express does: every request of an app gets the app's prototype, above Node's.
    const frameworkRequest = Object.create(IncomingMessage.prototype) as object;
    const appRequest = Object.create(frameworkRequest) as object;
    const seen = await withRequest({}, (req) => {
      Object.setPrototypeOf(req, appRequest);
      const before = lpContextOf(req);
      putLpContext(req, context);
      const later = Object.freeze({ clients: {}, consumer: undefined }) as LpRequestContext;
      const viaProperty = { ...context };
      const afterPut = { accessor: lpContextOf(req), property: (req as { lp?: unknown }).lp };
      (req as { lp?: unknown }).lp = viaProperty; // an app's own assignment goes through the accessor
      const afterAssign = lpContextOf(req);
      putLpContext(req, later);
      return {
        before,
        afterPut,
        afterAssign: afterAssign === viaProperty,
        last: lpContextOf(req) === later && (req as { lp?: unknown }).lp === later,
        own: Object.hasOwn(req, 'lp'),
        onTop: Object.getOwnPropertyDescriptor(frameworkRequest, 'lp')?.get !== undefined,
      };
    });
    expect(seen).toEqual({
      before: undefined,
      afterPut: { accessor: context, property: context },
      afterAssign: true,
      last: true,
      own: false,
      onTop: true,
    });
    // Another request of the same app, never seen by putLpContext, has no context.
    const other = await withRequest({}, (req) => {
      Object.setPrototypeOf(req, appRequest);
      return { accessor: lpContextOf(req), property: (req as { lp?: unknown }).lp };
    });
    expect(other).toEqual({ accessor: undefined, property: undefined });
  });

  test("a frozen framework prototype: an own property, as on Node's request", async () => {
    const frozen = Object.freeze(Object.create(IncomingMessage.prototype) as object);
    const seen = await withRequest({}, (req) => {
      Object.setPrototypeOf(req, frozen);
      putLpContext(req, context);
      return { accessor: lpContextOf(req), own: Object.hasOwn(req, 'lp') };
    });
    expect(seen).toEqual({ accessor: context, own: true });
  });

  test("a prototype whose top already has another `lp` (the app's own, another copy of the core's) is left to it", async () => {
    const values = new WeakMap<object, unknown>();
    const theirs = Object.create(IncomingMessage.prototype) as object;
    Object.defineProperty(theirs, 'lp', {
      get(this: object) {
        return values.get(this);
      },
      set(this: object, value: unknown) {
        values.set(this, value);
      },
    });
    const seen = await withRequest({}, (req) => {
      Object.setPrototypeOf(req, theirs);
      putLpContext(req, context);
      return { theirs: values.get(req), ours: lpContextOf(req) };
    });
    expect(seen).toEqual({ theirs: context, ours: context });
  });
});
