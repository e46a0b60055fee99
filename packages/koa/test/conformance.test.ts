import { describe, test } from '@jest/globals';
import Koa from 'koa';
import Router from '@koa/router';
import {
  CONFORMANCE_AGENT_SESSION_PATH,
  CONFORMANCE_SKILLS_PATH,
  CONFORMANCE_TOKEN_HEADER,
  conformanceCases,
  serveOnLoopback,
  type ConformanceHarness,
} from '@lp-auth/testing';
import type { LpAuthOptions } from '@lp-auth/core';
import type { HttpErrorResponseOptions } from '@lp-auth/core/adapter';
import {
  consumerClaimEquals,
  consumerClaimIncludes,
  lpAuth,
  optionalConsumer,
  requireConsumer,
} from '../src/index.js';

const harness: ConformanceHarness = {
  name: 'koa',
  async start(options, listen) {
    const { errorResponse, ...core } = options as { errorResponse?: HttpErrorResponseOptions };
    const middleware = lpAuth(core as unknown as LpAuthOptions, { errorResponse });
    const app = new Koa();
    app.silent = true; // the "not ours" error is expected; keep Koa from printing it
    const router = new Router();
    router.get('/account', (ctx) => {
      ctx.body = {
        accountId: ctx.state.lp.auth!.accountId,
        clients: Object.keys(ctx.state.lp.clients).sort(),
      };
    });
    router.get('/skills', async (ctx) => {
      const { data } = await ctx.state.lp.clients.appJwt!.request({
        service: 'accountConfigReadOnly',
        path: CONFORMANCE_SKILLS_PATH,
      });
      ctx.body = data;
    });
    router.post('/agent-session', async (ctx) => {
      const { data } = await ctx.state.lp.clients.login!.request({
        service: 'agentVep',
        path: CONFORMANCE_AGENT_SESSION_PATH,
        method: 'POST',
        query: { v: 1, NC: true },
      });
      ctx.body = data;
    });
    router.get('/not-ours', () => {
      throw new Error('not ours');
    });
    router.get('/consumer', requireConsumer(), (ctx) => {
      ctx.body = { sub: ctx.state.lp.consumer!.sub, issuer: ctx.state.lp.consumer!.issuer };
    });
    router.get(
      '/consumer/header',
      requireConsumer({ getToken: (ctx) => ctx.get(CONFORMANCE_TOKEN_HEADER) }),
      (ctx) => {
        ctx.body = { sub: ctx.state.lp.consumer!.sub, issuer: ctx.state.lp.consumer!.issuer };
      },
    );
    router.get('/consumer/optional', optionalConsumer(), (ctx) => {
      ctx.body = { sub: ctx.state.lp.consumer?.sub ?? null };
    });
    router.get('/consumer/vip', requireConsumer(), consumerClaimEquals('tier', 'vip'), (ctx) => {
      ctx.body = { sub: ctx.state.lp.consumer!.sub };
    });
    router.get('/consumer/beta', requireConsumer(), consumerClaimIncludes('groups', 'beta'), (ctx) => {
      ctx.body = { sub: ctx.state.lp.consumer!.sub };
    });
    router.get('/me', (ctx) => {
      ctx.body = { user: ctx.state.lp.user?.user.id ?? null };
    });
    router.get('/me/skills', async (ctx) => {
      const { user } = ctx.state.lp;
      if (!user) {
        ctx.status = 401;
        ctx.body = { error: 'login_required' };
        return;
      }
      const { data } = await user.client.request({
        service: 'accountConfigReadOnly',
        path: CONFORMANCE_SKILLS_PATH,
      });
      ctx.body = data;
    });
    app.use(middleware);
    app.use(router.routes()).use(router.allowedMethods());
    // A taken port: close the middleware before the case tries another one.
    const served = await serveOnLoopback(app.callback(), listen?.port).catch(async (error: unknown) => {
      await middleware.close();
      throw error;
    });
    return {
      url: served.url,
      close: async () => {
        await served.close();
        await middleware.close();
      },
    };
  },
};

describe(`conformance: ${harness.name}`, () => {
  for (const c of conformanceCases()) test(c.title, () => c.run(harness));
});
