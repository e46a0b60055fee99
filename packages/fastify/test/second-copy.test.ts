import { afterEach, expect, test } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { expectSecondCopyAnswered } from '@lp-auth/testing';
import { ConsumerTokenError, isLpAuthError, silentLogger } from '@lp-auth/core';
import { lpAuth } from '../src/index.js';

// Tests resolve @lp-auth/core to its sources; the built errors folder (it imports nothing) is a
// second copy of the same classes, as an app with two versions of the core in node_modules has.
const otherCopy = await import('../../core/dist/errors/index.js');

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

test("the plugin's error handler answers errors of another copy of the core by their brand and code", async () => {
  const expired = new otherCopy.ConsumerTokenError('token_expired', 'expired');
  expect(expired instanceof ConsumerTokenError).toBe(false);
  expect(isLpAuthError(expired, 'token_expired')).toBe(true);
  app = Fastify();
  await app.register(lpAuth, { accountId: '12345678', logger: silentLogger });
  app.get('/expired', async () => {
    throw expired;
  });
  app.get('/config', async () => {
    throw new otherCopy.ConfigError('consumer', 'missing');
  });

  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  await expectSecondCopyAnswered(url);
});
