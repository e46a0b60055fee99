import { afterEach, expect, test } from '@jest/globals';
import Koa from 'koa';
import { expectSecondCopyAnswered, serveOnLoopback } from '@lp-auth/testing';
import { ConsumerTokenError, isLpAuthError, silentLogger } from '@lp-auth/core';
import { lpAuth } from '../src/index.js';

// Tests resolve @lp-auth/core to its sources; the built errors folder (it imports nothing) is a
// second copy of the same classes, as an app with two versions of the core in node_modules has.
const otherCopy = await import('../../core/dist/errors/index.js');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

test('lpAuth() answers errors of another copy of the core by their brand and code', async () => {
  const expired = new otherCopy.ConsumerTokenError('token_expired', 'expired');
  expect(expired instanceof ConsumerTokenError).toBe(false);
  expect(isLpAuthError(expired, 'token_expired')).toBe(true);
  const middleware = lpAuth({ accountId: '12345678', logger: silentLogger });
  closers.push(() => middleware.close());
  const app = new Koa();
  app.silent = true;
  app.use(middleware);
  app.use((ctx) => {
    if (ctx.path === '/expired') throw expired;
    throw new otherCopy.ConfigError('consumer', 'missing');
  });
  const served = await serveOnLoopback(app.callback());
  closers.push(served.close);

  await expectSecondCopyAnswered(served.url);
});
