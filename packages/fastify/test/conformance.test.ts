import { describe, test } from '@jest/globals';
import Fastify from 'fastify';
import {
  CONFORMANCE_AGENT_SESSION_PATH,
  CONFORMANCE_SKILLS_PATH,
  conformanceCases,
  type ConformanceHarness,
} from '@lp-auth/testing';
import type { LpAuthOptions } from '@lp-auth/core';
import { lpAuth } from '../src/index.js';

const harness: ConformanceHarness = {
  name: 'fastify',
  async start(options) {
    const app = Fastify();
    try {
      await app.register(lpAuth, options as unknown as LpAuthOptions);
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
    app.get('/account', async (request) => ({
      accountId: request.lp!.auth.accountId,
      clients: Object.keys(request.lp!.clients).sort(),
    }));
    app.get(
      '/skills',
      async (request) =>
        (
          await request.lp!.clients.appJwt!.request({
            service: 'accountConfigReadOnly',
            path: CONFORMANCE_SKILLS_PATH,
          })
        ).data,
    );
    app.post(
      '/agent-session',
      async (request) =>
        (
          await request.lp!.clients.login!.request({
            service: 'agentVep',
            path: CONFORMANCE_AGENT_SESSION_PATH,
            method: 'POST',
            query: { v: 1, NC: true },
          })
        ).data,
    );
    app.get('/not-ours', async () => {
      throw new Error('not ours');
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  },
};

describe(`conformance: ${harness.name}`, () => {
  for (const c of conformanceCases()) test(c.title, () => c.run(harness));
});
