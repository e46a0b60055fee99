import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from '@jest/globals';
import express from 'express';
import { expectSecondCopyAnswered } from '@lp-auth/testing';
import { ConsumerTokenError, isLpAuthError } from '@lp-auth/core';
import { lpErrorHandler } from '../src/index.js';

// Tests resolve @lp-auth/core to its sources; the built errors folder (it imports nothing) is a
// second copy of the same classes, as an app with two versions of the core in node_modules has.
const otherCopy = await import('../../core/dist/errors/index.js');

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

test('lpErrorHandler() answers errors of another copy of the core by their brand and code', async () => {
  const expired = new otherCopy.ConsumerTokenError('token_expired', 'expired');
  expect(expired instanceof ConsumerTokenError).toBe(false);
  expect(isLpAuthError(expired, 'token_expired')).toBe(true);
  const app = express();
  app.get('/expired', () => {
    throw expired;
  });
  app.get('/config', () => {
    throw new otherCopy.ConfigError('consumer', 'missing');
  });
  app.use(lpErrorHandler());
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  await expectSecondCopyAnswered(url);
});
