import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  ConsumerGuard,
  consumerClaimChecks,
  createLpAuth,
  lpRequestContext,
  silentLogger,
  type BearerRequestParts,
  type ConsumerCheckRunner,
  type LpAuth,
  type LpRequestContext,
} from './core.js';
import { ISSUER, claims, sign, testKey, type TestKey } from './consumer-support.js';

// The guard every adapter runs, with a plain object as the "framework request".
type Req = { headers: Record<string, string | undefined> };
const binding = { partsOf: (req: Req): BearerRequestParts => ({ headers: req.headers }) };
const bearer = (token?: string): Req => ({ headers: { authorization: token && `Bearer ${token}` } });

let key: TestKey;
let lp: LpAuth;
let context: LpRequestContext;

beforeAll(async () => {
  key = await testKey('RS256', 'rsa-1');
  const pem = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  lp = createLpAuth({ accountId: '12345678', logger: silentLogger, consumer: { issuer: ISSUER, key: pem } });
  context = lpRequestContext(lp);
});
afterAll(() => lp.close());

describe("ConsumerGuard.admit() returns the request's context", () => {
  test('the shared context carries the core and its verifier', () => {
    expect(context.auth).toBe(lp);
    expect(context.verifier).toBe(lp.consumer);
    expect(Object.isFrozen(context)).toBe(true);
  });

  test('with the verified consumer and the verifier that admitted it, the shared context untouched', async () => {
    const guard = new ConsumerGuard<Req>(true, {}, binding);
    const admitted = await guard.admit(bearer(await sign(claims(), key)), context);
    expect(admitted).not.toBe(context);
    expect(admitted.consumer?.sub).toBe('consumer-1');
    expect(admitted.verifier).toBe(lp.consumer);
    expect(admitted.clients).toBe(context.clients);
    expect(admitted.auth).toBe(lp);
    expect(Object.isFrozen(admitted)).toBe(true);
    expect(context.consumer).toBeUndefined();
  });

  test('an optional guard without a token hands back the same context, allocating nothing', async () => {
    const guard = new ConsumerGuard<Req>(false, {}, binding);
    expect(await guard.admit(bearer(), context)).toBe(context);
  });

  test('a required guard without a token is refused with token_missing', async () => {
    const guard = new ConsumerGuard<Req>(true, {}, binding);
    await expect(guard.admit(bearer(), context)).rejects.toMatchObject({ code: 'token_missing' });
  });

  test('bound to a core at creation, a guard without any verifier fails then, naming its setup', () => {
    const bare = createLpAuth({ accountId: '12345678', logger: silentLogger });
    try {
      expect(
        () => new ConsumerGuard<Req>(true, {}, { ...binding, lp: bare, setup: 'app.lp.requireConsumer()' }),
      ).toThrow(/app\.lp\.requireConsumer\(\) has no verifier/);
    } finally {
      void bare.close();
    }
  });

  test('a guard with its own verifier and no context gives a context without core or clients', async () => {
    const pem = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const guard = new ConsumerGuard<Req>(
      true,
      { verifier: { issuer: ISSUER, key: pem, realm: 'solo' } },
      binding,
    );
    const admitted = await guard.admit(bearer(await sign(claims(), key)), undefined);
    expect(admitted.consumer?.sub).toBe('consumer-1');
    expect(admitted.verifier).toBe(guard.ownVerifier);
    expect(admitted.auth).toBeUndefined();
    expect(admitted.clients).toEqual({});
    guard.close();
  });
});

describe('consumerClaimChecks(toHandler)', () => {
  // The "framework": a handler is a function of the context that answers what happened.
  const checks = consumerClaimChecks((check: ConsumerCheckRunner) => (lp: LpRequestContext | undefined) => {
    try {
      check(lp);
      return 'next';
    } catch (error) {
      return (error as { code: string }).code;
    }
  });

  test('each check reads the consumer a guard put on the context', async () => {
    const guard = new ConsumerGuard<Req>(true, {}, binding);
    const admitted = await guard.admit(bearer(await sign(claims({ groups: ['gold'] }), key)), context);
    expect(checks.consumerClaimEquals('given_name', 'John')(admitted)).toBe('next');
    expect(checks.consumerClaimIncludes('groups', 'gold')(admitted)).toBe('next');
    expect(checks.consumerCheck((c) => c.given_name === 'Jane')(admitted)).toBe('claim_check_failed');
  });

  test('without an admitted consumer a check is token_missing, never a pass or a 403', () => {
    expect(checks.consumerClaimEquals('given_name', 'John')(context)).toBe('token_missing');
    expect(checks.consumerClaimEquals('given_name', 'John')(undefined)).toBe('token_missing');
  });
});
