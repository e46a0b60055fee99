import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Controller, Get, Module, Req, UseGuards, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { ConsumerIdentity, LpAuth } from '@lp-auth/core';
import type { LpRequestContext } from '@lp-auth/core/adapter';
import { startConsumerIdp, startEmulator, type ConsumerIdp, type Emulator } from '@lp-auth/testing';
import {
  Consumer,
  ConsumerCheck,
  ConsumerClaimEquals,
  ConsumerGuard,
  InjectLpAuth,
  LpAuthModule,
  OptionalConsumer,
  Public,
} from '../src/index.js';
import { getJson, PLATFORMS, serveNest } from './serve.js';

const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

let emu: Emulator;
let idp: ConsumerIdp;
beforeAll(async () => {
  [emu, idp] = await Promise.all([startEmulator(), startConsumerIdp()]);
});
afterAll(async () => {
  await Promise.all([idp?.close(), emu?.close()]);
});

/** The core's options for these apps: the emulator's account, and the IdP as the consumer verifier. */
const lpOptions = (consumer: false | { errorDetail?: boolean } = {}) => ({
  ...emu.lpAuthOptions(),
  logger: QUIET,
  ...(consumer ? { consumer: { issuer: idp.issuer, ...consumer } } : {}),
});

@Controller('orders')
class OrdersController {
  constructor(@InjectLpAuth() private readonly lp: LpAuth) {}

  @Get()
  list(@Consumer('sub') sub: string) {
    return { sub };
  }

  @Public()
  @Get('catalog')
  catalog(@Consumer() consumer: ConsumerIdentity | undefined) {
    return { consumer: consumer ?? null };
  }

  @OptionalConsumer()
  @Get('mine')
  mine(@Consumer('sub') sub: string | undefined) {
    return { sub: sub ?? null };
  }

  @ConsumerClaimEquals('tier', 'vip')
  @Get('vip')
  vip(@Consumer('sub') sub: string) {
    return { sub };
  }

  /** What the param decorators and the platform's own request see. */
  @Get('whoami')
  whoami(
    @Consumer() consumer: ConsumerIdentity,
    @Consumer('claims') claims: ConsumerIdentity['claims'],
    @Req() req: { lp: LpRequestContext },
  ) {
    return {
      sub: consumer.sub,
      issuer: consumer.issuer,
      tier: claims.tier ?? null,
      reqSub: req.lp.consumer?.sub ?? null,
      reqHasClients: req.lp.clients === this.lp.clients,
      reqAuth: req.lp.auth === this.lp,
    };
  }
}

/** Public as a whole; one handler asks for an optional consumer, which wins over its class. */
@Public()
@Controller('health')
class HealthController {
  @Get()
  health() {
    return { ok: true };
  }

  @OptionalConsumer()
  @Get('greeting')
  greeting(@Consumer('sub') sub: string | undefined) {
    return { hello: sub ?? 'stranger' };
  }
}

/** One handler, inherited by a public controller and a guarded one: the same function, two rules. */
abstract class ShelfController {
  @Get()
  items(@Consumer('sub') sub: string | undefined) {
    return { sub: sub ?? null };
  }
}

@Public()
@Controller('open-shelf')
class OpenShelfController extends ShelfController {}

@Controller('closed-shelf')
class ClosedShelfController extends ShelfController {}

function globallyGuarded(): DynamicModule {
  @Module({
    imports: [LpAuthModule.forRoot({ ...lpOptions(), isGlobal: true })],
    controllers: [OrdersController, HealthController, OpenShelfController, ClosedShelfController],
    providers: [{ provide: APP_GUARD, useClass: ConsumerGuard }],
  })
  class AppModule {}
  return { module: AppModule };
}

describe.each(PLATFORMS)('ConsumerGuard as APP_GUARD (%s)', (platform) => {
  let served: Awaited<ReturnType<typeof serveNest>>;
  beforeAll(async () => {
    served = await serveNest(globallyGuarded(), platform);
  });
  afterAll(() => served?.close());

  test('every route needs a valid consumer token unless it opts out', async () => {
    const none = await getJson(`${served.url}/orders`);
    expect(none.status).toBe(401);
    expect(none.challenge).toBe('Bearer realm="api"');
    expect(none.body).toMatchObject({ error: 'unauthorized', code: 'token_missing' });

    const expired = await getJson(`${served.url}/orders`, await idp.issue({ expiresInSeconds: -120 }));
    expect(expired.status).toBe(401);
    expect(expired.challenge).toContain('error="invalid_token"');

    const ok = await getJson(`${served.url}/orders`, await idp.issue({ claims: { sub: 'c-1' } }));
    expect(ok).toMatchObject({ status: 200, body: { sub: 'c-1' } });
  });

  test('@Public() on a handler or a controller lets any request through without reading a token', async () => {
    expect(await getJson(`${served.url}/orders/catalog`)).toMatchObject({
      status: 200,
      body: { consumer: null },
    });
    expect(await getJson(`${served.url}/health`, 'not-a-jwt')).toMatchObject({
      status: 200,
      body: { ok: true },
    });
    // Public means not read at all: even a valid token puts no consumer on the request.
    const token = await idp.issue({ claims: { sub: 'c-2' } });
    expect(await getJson(`${served.url}/orders/catalog`, token)).toMatchObject({ body: { consumer: null } });
  });

  test('a handler inherited by a public and a guarded controller follows each controller, request after request', async () => {
    const token = await idp.issue({ claims: { sub: 'c-shelf' } });
    for (let round = 0; round < 2; round++) {
      expect(await getJson(`${served.url}/open-shelf`)).toMatchObject({ status: 200, body: { sub: null } });
      expect(await getJson(`${served.url}/closed-shelf`)).toMatchObject({
        status: 401,
        body: { code: 'token_missing' },
      });
      expect(await getJson(`${served.url}/closed-shelf`, token)).toMatchObject({
        status: 200,
        body: { sub: 'c-shelf' },
      });
      // Public means not read: the same token on the open shelf puts no consumer on the request.
      expect(await getJson(`${served.url}/open-shelf`, token)).toMatchObject({ body: { sub: null } });
    }
  });

  test("@OptionalConsumer() on a handler wins over its controller's @Public(), and still refuses a bad token", async () => {
    expect(await getJson(`${served.url}/health/greeting`)).toMatchObject({
      status: 200,
      body: { hello: 'stranger' },
    });
    const token = await idp.issue({ claims: { sub: 'c-3' } });
    expect(await getJson(`${served.url}/health/greeting`, token)).toMatchObject({ body: { hello: 'c-3' } });
    const bad = await getJson(`${served.url}/health/greeting`, 'not-a-jwt');
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: 'invalid_token' });
    expect((await getJson(`${served.url}/orders/mine`)).body).toEqual({ sub: null });
  });

  test('a claim decorator under the global guard: 200 with the claim, 403 without, 401 without a token', async () => {
    const vip = await idp.issue({ claims: { sub: 'v-1', tier: 'vip' } });
    const basic = await idp.issue({ claims: { sub: 'b-1', tier: 'basic' } });
    expect(await getJson(`${served.url}/orders/vip`, vip)).toMatchObject({
      status: 200,
      body: { sub: 'v-1' },
    });
    const refused = await getJson(`${served.url}/orders/vip`, basic);
    expect(refused.status).toBe(403);
    expect(refused.challenge).toContain('error="insufficient_scope"');
    expect((await getJson(`${served.url}/orders/vip`)).status).toBe(401);
  });

  test("@Consumer(), @Consumer(field) and the platform request's req.lp show the same verified consumer", async () => {
    const token = await idp.issue({ claims: { sub: 'c-4', tier: 'gold' } });
    expect(await getJson(`${served.url}/orders/whoami`, token)).toEqual({
      status: 200,
      challenge: null,
      body: {
        sub: 'c-4',
        issuer: idp.issuer,
        tier: 'gold',
        reqSub: 'c-4',
        reqHasClients: true,
        reqAuth: true,
      },
    });
  });

  test('each request gets its own consumer: concurrent requests never see another one', async () => {
    const subs = Array.from({ length: 12 }, (_, i) => `concurrent-${i}`);
    const tokens = await Promise.all(subs.map((sub) => idp.issue({ claims: { sub } })));
    const answers = await Promise.all(tokens.map((token) => getJson(`${served.url}/orders/mine`, token)));
    expect(answers.map((a) => a.body.sub)).toEqual(subs);
    expect((await getJson(`${served.url}/orders/mine`)).body).toEqual({ sub: null });
  });
});

describe.each(PLATFORMS)('ConsumerGuard.with(options) (%s)', (platform) => {
  test("a guard with its own verifier works without the module's consumer option; a plain one says what to set", async () => {
    @Controller()
    class RoutesController {
      @UseGuards(ConsumerGuard.with({ verifier: { issuer: idp.issuer } }))
      @Get('own')
      own(@Consumer('sub') sub: string) {
        return { sub };
      }

      @UseGuards(ConsumerGuard)
      @Get('plain')
      plain() {
        return {};
      }
    }
    @Module({ imports: [LpAuthModule.forRoot(lpOptions(false))], controllers: [RoutesController] })
    class AppModule {}
    const served = await serveNest(AppModule, platform);
    try {
      const token = await idp.issue({ claims: { sub: 'own-1' } });
      expect(await getJson(`${served.url}/own`, token)).toMatchObject({
        status: 200,
        body: { sub: 'own-1' },
      });
      expect((await getJson(`${served.url}/own`)).status).toBe(401);
      const plain = await getJson(`${served.url}/plain`, token);
      expect(plain.status).toBe(500);
      expect(plain.body).toMatchObject({ error: 'config_invalid', field: 'consumer' });
    } finally {
      await served.close();
    }
  });

  test("a route's stricter guard verifies again after the global guard admitted the token (maxAgeMs)", async () => {
    @Controller()
    class RecentController {
      @UseGuards(ConsumerGuard.with({ maxAgeMs: 5 * 60_000 }))
      @ConsumerCheck((claims) => typeof claims.sub === 'string', 'the sub check')
      @Get('payment')
      payment(@Consumer('sub') sub: string) {
        return { sub };
      }
    }
    @Module({
      // errorDetail: the answer names the failed check, so the test can tell max_age from the rest.
      imports: [LpAuthModule.forRoot(lpOptions({ errorDetail: true }))],
      controllers: [RecentController],
      providers: [{ provide: APP_GUARD, useClass: ConsumerGuard }],
    })
    class AppModule {}
    const served = await serveNest(AppModule, platform);
    try {
      const now = Math.floor(Date.now() / 1000);
      const fresh = await idp.issue({ claims: { sub: 'p-1', auth_time: now - 10 } });
      const old = await idp.issue({ claims: { sub: 'p-2', auth_time: now - 3600 } });
      expect(await getJson(`${served.url}/payment`, fresh)).toMatchObject({
        status: 200,
        body: { sub: 'p-1' },
      });
      const refused = await getJson(`${served.url}/payment`, old);
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'max_age_exceeded' });
    } finally {
      await served.close();
    }
  });
});

test('ConsumerGuard.with() refuses invalid verifier options where it is written, with config_invalid', () => {
  expect(() => ConsumerGuard.with({ verifier: { issuer: 'not a url' } })).toThrow(
    expect.objectContaining({ code: 'config_invalid' }),
  );
});
