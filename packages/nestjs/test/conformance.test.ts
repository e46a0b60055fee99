import 'reflect-metadata';
import { describe, test } from '@jest/globals';
import { Controller, Get, HttpCode, Module, Post, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { LpAuth, LpAuthOptions, LpClient } from '@lp-auth/core';
import {
  CONFORMANCE_AGENT_SESSION_PATH,
  CONFORMANCE_SKILLS_PATH,
  conformanceCases,
  type ConformanceHarness,
} from '@lp-auth/testing';
import { InjectLpAuth, InjectLpClient, LpAuthModule } from '../src/index.js';

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
    controllers: [ConformanceController],
  })
  class AppModule {}
  return { module: AppModule };
}

function harness(platform: 'express' | 'fastify'): ConformanceHarness {
  return {
    name: `nestjs (${platform})`,
    async start(options) {
      const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
      const app = await NestFactory.create(appModule(options as unknown as LpAuthOptions), adapter, {
        logger: false,
        abortOnError: false,
      });
      await app.listen(0, '127.0.0.1');
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      return { url, close: () => app.close() };
    },
  };
}

for (const platform of ['express', 'fastify'] as const) {
  const h = harness(platform);
  describe(`conformance: ${h.name}`, () => {
    for (const c of conformanceCases()) test(c.title, () => c.run(h));
  });
}
