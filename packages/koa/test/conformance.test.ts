import { describe, test } from '@jest/globals';
import Koa from 'koa';
import {
  CONFORMANCE_AGENT_SESSION_PATH,
  CONFORMANCE_SKILLS_PATH,
  conformanceCases,
  serveOnLoopback,
  type ConformanceHarness,
} from '@lp-auth/testing';
import type { LpAuthOptions } from '@lp-auth/core';
import { lpAuth } from '../src/index.js';

const harness: ConformanceHarness = {
  name: 'koa',
  async start(options) {
    const middleware = lpAuth(options as unknown as LpAuthOptions);
    const app = new Koa();
    app.silent = true; // the "not ours" error is expected; keep Koa from printing it
    app.use(middleware);
    app.use(async (ctx) => {
      const { lp } = ctx.state;
      const route = `${ctx.method} ${ctx.path}`;
      if (route === 'GET /account') {
        ctx.body = { accountId: lp.auth.accountId, clients: Object.keys(lp.clients).sort() };
      } else if (route === 'GET /skills') {
        ctx.body = (
          await lp.clients.appJwt!.request({
            service: 'accountConfigReadOnly',
            path: CONFORMANCE_SKILLS_PATH,
          })
        ).data;
      } else if (route === 'POST /agent-session') {
        ctx.body = (
          await lp.clients.login!.request({
            service: 'agentVep',
            path: CONFORMANCE_AGENT_SESSION_PATH,
            method: 'POST',
            query: { v: 1, NC: true },
          })
        ).data;
      } else if (route === 'GET /not-ours') {
        throw new Error('not ours');
      }
    });
    const served = await serveOnLoopback(app.callback());
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
