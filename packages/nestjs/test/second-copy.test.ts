import 'reflect-metadata';
import { afterEach, describe, expect, test } from '@jest/globals';
import { Controller, Get, Module } from '@nestjs/common';
import { ConsumerTokenError, isLpAuthError, silentLogger } from '@lp-auth/core';
import { LpAuthModule } from '../src/index.js';
import { expectSecondCopyAnswered } from '@lp-auth/testing';
import { PLATFORMS, serveNest } from './serve.js';

// Tests resolve @lp-auth/core to its sources; the built errors folder (it imports nothing) is a
// second copy of the same classes, as an app with two versions of the core in node_modules has.
const otherCopy = await import('../../core/dist/errors/index.js');

@Controller()
class ThrowingController {
  @Get('expired')
  expired(): never {
    throw new otherCopy.ConsumerTokenError('token_expired', 'expired');
  }

  @Get('config')
  config(): never {
    throw new otherCopy.ConfigError('consumer', 'missing');
  }
}

@Module({
  imports: [LpAuthModule.forRoot({ accountId: '12345678', logger: silentLogger })],
  controllers: [ThrowingController],
})
class AppModule {}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe.each(PLATFORMS)('on %s', (platform) => {
  test("the module's exception filter answers errors of another copy of the core by their brand and code", async () => {
    const expired = new otherCopy.ConsumerTokenError('token_expired', 'expired');
    expect(expired instanceof ConsumerTokenError).toBe(false);
    expect(isLpAuthError(expired, 'token_expired')).toBe(true);
    const { url, close } = await serveNest(AppModule, platform);
    closers.push(close);

    await expectSecondCopyAnswered(url);
  });
});
