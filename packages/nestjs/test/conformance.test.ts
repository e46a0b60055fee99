import 'reflect-metadata';
import { describe, test } from '@jest/globals';
import {
  Controller,
  Get,
  HttpCode,
  Module,
  Post,
  UnauthorizedException,
  UseGuards,
  type DynamicModule,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { ConsumerIdentity, LpAuth, LpAuthOptions, LpClient, UserSession } from '@lp-auth/core';
import {
  CONFORMANCE_AGENT_SESSION_PATH,
  CONFORMANCE_SKILLS_PATH,
  CONFORMANCE_TOKEN_HEADER,
  conformanceCases,
  type ConformanceHarness,
} from '@lp-auth/testing';
import {
  Consumer,
  ConsumerClaimEquals,
  ConsumerClaimIncludes,
  ConsumerGuard,
  InjectLpAuth,
  InjectLpClient,
  LpAuthModule,
  LpUser,
  OptionalConsumer,
} from '../src/index.js';

@Controller()
class ConformanceController {
  constructor(
    @InjectLpAuth() private readonly lp: LpAuth,
    @InjectLpClient('appJwt') private readonly appJwt: LpClient,
    @InjectLpClient('login') private readonly login: LpClient,
  ) {}

  @Get('account')
  account() {
    return { accountId: this.lp.accountId, clients: Object.keys(this.lp.clients).sort() };
  }

  @Get('skills')
  async skills() {
    return (await this.appJwt.request({ service: 'accountConfigReadOnly', path: CONFORMANCE_SKILLS_PATH }))
      .data;
  }

  @Post('agent-session')
  @HttpCode(200)
  async agentSession() {
    const { data } = await this.login.request({
      service: 'agentVep',
      path: CONFORMANCE_AGENT_SESSION_PATH,
      method: 'POST',
      query: { v: 1, NC: true },
    });
    return data;
  }

  @Get('not-ours')
  notOurs() {
    throw new Error('not ours');
  }
}

/** The consumer routes, guarded as a Nest user would: the controller requires, one route relaxes. */
@Controller('consumer')
@UseGuards(ConsumerGuard)
class ConsumerController {
  @Get()
  consumer(@Consumer() consumer: ConsumerIdentity) {
    return { sub: consumer.sub, issuer: consumer.issuer };
  }

  @Get('optional')
  @OptionalConsumer()
  optional(@Consumer('sub') sub: string | undefined) {
    return { sub: sub ?? null };
  }

  @Get('vip')
  @ConsumerClaimEquals('tier', 'vip')
  vip(@Consumer('sub') sub: string) {
    return { sub };
  }

  @Get('beta')
  @ConsumerClaimIncludes('groups', 'beta')
  beta(@Consumer('sub') sub: string) {
    return { sub };
  }
}

/** A token from a header of the app's own, through the guard's `getToken`. */
@Controller('consumer/header')
@UseGuards(ConsumerGuard.with({ getToken: (req) => req.headers[CONFORMANCE_TOKEN_HEADER] as string }))
class ConsumerHeaderController {
  @Get()
  consumer(@Consumer() consumer: ConsumerIdentity) {
    return { sub: consumer.sub, issuer: consumer.issuer };
  }
}

/** The logged-in LivePerson user of the module's login routes. */
@Controller('me')
class MeController {
  @Get()
  me(@LpUser() user: UserSession | undefined) {
    return { user: user?.user.id ?? null };
  }

  @Get('skills')
  async skills(@LpUser() user: UserSession | undefined) {
    if (!user) throw new UnauthorizedException({ error: 'login_required' });
    return (await user.client.request({ service: 'accountConfigReadOnly', path: CONFORMANCE_SKILLS_PATH }))
      .data;
  }
}

/** The app module, with the options given through forRootAsync (as a ConfigService would). */
function appModule(options: LpAuthOptions): DynamicModule {
  @Module({ providers: [{ provide: 'LP_OPTIONS', useValue: options }], exports: ['LP_OPTIONS'] })
  class OptionsModule {}

  @Module({
    imports: [
      LpAuthModule.forRootAsync({
        isGlobal: true,
        imports: [OptionsModule],
        inject: ['LP_OPTIONS'],
        useFactory: (given: LpAuthOptions) => given,
      }),
    ],
    controllers: [ConformanceController, ConsumerController, ConsumerHeaderController, MeController],
  })
  class AppModule {}
  return { module: AppModule };
}

function harness(platform: 'express' | 'fastify'): ConformanceHarness {
  return {
    name: `nestjs (${platform})`,
    async start(options, listen) {
      const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
      const app = await NestFactory.create(appModule(options as unknown as LpAuthOptions), adapter, {
        logger: false,
        abortOnError: false,
      });
      // A taken port: close the app (and the module's LpAuth) before the case tries another one.
      await app.listen(listen?.port ?? 0, '127.0.0.1').catch(async (error: unknown) => {
        await app.close().catch(() => undefined);
        throw error;
      });
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      return { url, close: () => app.close() };
    },
  };
}

// Nest's own routing costs more per request than bare Express or Fastify: the fuzz cases (tens of
// thousands of requests each) need more than Jest's default 30 s on a busy 2-core machine.
const CASE_TIMEOUT_MS = 120_000;

for (const platform of ['express', 'fastify'] as const) {
  const h = harness(platform);
  describe(`conformance: ${h.name}`, () => {
    for (const c of conformanceCases()) test(c.title, () => c.run(h), CASE_TIMEOUT_MS);
  });
}
