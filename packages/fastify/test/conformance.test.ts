import { describe, test } from '@jest/globals';
import Fastify from 'fastify';
import {
  CONFORMANCE_AGENT_SESSION_PATH,
  CONFORMANCE_SKILLS_PATH,
  CONFORMANCE_TOKEN_HEADER,
  conformanceCases,
  type ConformanceHarness,
} from '@lp-auth/testing';
import type { LpAuthOptions } from '@lp-auth/core';
import {
  consumerClaimEquals,
  consumerClaimIncludes,
  consumerOf,
  lpAuth,
  optionalConsumer,
  requireConsumer,
} from '../src/index.js';

const harness: ConformanceHarness = {
  name: 'fastify',
  async start(options, listen) {
    const app = Fastify();
    try {
      await app.register(lpAuth, options as unknown as LpAuthOptions);
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
    app.get('/account', async (request) => ({
      accountId: request.lp!.auth!.accountId,
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
    app.get('/consumer', { preHandler: requireConsumer() }, async (request) => ({
      sub: request.lp!.consumer!.sub,
      issuer: request.lp!.consumer!.issuer,
    }));
    app.get(
      '/consumer/header',
      {
        preHandler: requireConsumer({
          getToken: (request) => request.headers[CONFORMANCE_TOKEN_HEADER] as string,
        }),
      },
      async (request) => ({ sub: consumerOf(request).sub, issuer: consumerOf(request).issuer }),
    );
    app.get('/consumer/optional', { preHandler: optionalConsumer() }, async (request) => ({
      sub: request.lp!.consumer?.sub ?? null,
    }));
    app.get(
      '/consumer/vip',
      { preHandler: [requireConsumer(), consumerClaimEquals('tier', 'vip')] },
      async (request) => ({ sub: request.lp!.consumer!.sub }),
    );
    app.get(
      '/consumer/beta',
      { preHandler: [requireConsumer(), consumerClaimIncludes('groups', 'beta')] },
      async (request) => ({ sub: request.lp!.consumer!.sub }),
    );
    app.get('/me', async (request) => ({ user: request.lp!.user?.user.id ?? null }));
    app.get('/me/skills', async (request, reply) => {
      const user = request.lp!.user;
      if (!user) return reply.code(401).send({ error: 'login_required' });
      const { data } = await user.client.request({
        service: 'accountConfigReadOnly',
        path: CONFORMANCE_SKILLS_PATH,
      });
      return data;
    });
    // A taken port: close the app (and the plugin's LpAuth) before the case tries another one.
    const url = await app
      .listen({ port: listen?.port ?? 0, host: '127.0.0.1' })
      .catch(async (error: unknown) => {
        await app.close().catch(() => undefined);
        throw error;
      });
    return { url, close: () => app.close() };
  },
};

describe(`conformance: ${harness.name}`, () => {
  for (const c of conformanceCases()) test(c.title, () => c.run(harness));
});
