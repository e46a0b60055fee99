import 'reflect-metadata';
import { afterEach, describe, expect, test } from '@jest/globals';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLpAuth, silentLogger, type LpClient } from '@lp-auth/core';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { InjectLpClient, LpAuthModule } from '../src/index.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

@Controller()
class OrchestratorController {
  constructor(@InjectLpClient('orchestratorV1') private readonly orchestrator: LpClient) {}

  @Get('context')
  async context() {
    return (
      await this.orchestrator.request({
        service: 'orchestratorContext',
        path: '/v1/account/{accountId}/n/s/properties',
      })
    ).data;
  }
}

describe('LpAuthModule', () => {
  test('forRoot({ lp }) shares an LpAuth the app does not own: closing the app leaves it open', async () => {
    emu = await startEmulator();
    const lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      credentials: { appJwt: emu.credentials.appJwt },
    });
    @Module({ imports: [LpAuthModule.forRoot({ lp })] })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    await app.init();
    await app.close();
    expect(lp.closed).toBe(false);
    await lp.close();
  });

  test('a client whose credential is not configured fails when used, with config_invalid naming it', async () => {
    emu = await startEmulator();
    @Module({
      imports: [
        LpAuthModule.forRoot({
          ...emu.lpAuthOptions(),
          logger: silentLogger,
          credentials: { appJwt: emu.credentials.appJwt },
        }),
      ],
      controllers: [OrchestratorController],
    })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/context`);
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({
        error: 'config_invalid',
        field: 'credentials.orchestratorV1',
      });
    } finally {
      await app.close();
    }
  });

  test('login routes without a cookieSecret fail NestFactory.create with config_invalid naming it', async () => {
    emu = await startEmulator();
    const redirectUri = 'http://127.0.0.1:1/auth/callback';
    @Module({
      imports: [
        LpAuthModule.forRoot({
          ...emu.lpAuthOptions(),
          logger: silentLogger,
          appAuthorization: { ...emu.credentials.appAuthorization, redirectUri },
        }),
      ],
    })
    class AppModule {}
    await expect(NestFactory.create(AppModule, { logger: false, abortOnError: false })).rejects.toMatchObject(
      {
        code: 'config_invalid',
        field: 'appAuthorization.cookieSecret',
      },
    );
  });
});
