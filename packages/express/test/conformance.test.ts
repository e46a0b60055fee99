import { describe, test } from '@jest/globals';
import express from 'express';
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
  consumerOf,
  lpAuth,
  lpErrorHandler,
  lpOf,
  optionalConsumer,
  requireConsumer,
} from '../src/index.js';

const harness: ConformanceHarness = {
  name: 'express',
  async start(options, listen) {
    const { errorResponse, ...core } = options as { errorResponse?: HttpErrorResponseOptions };
    const middleware = lpAuth(core as unknown as LpAuthOptions);
    const app = express();
    app.use(middleware);
    app.get('/account', (req, res) => {
      res.json({ accountId: lpOf(req).auth!.accountId, clients: Object.keys(lpOf(req).clients).sort() });
    });
    app.get('/skills', async (req, res) => {
      const { data } = await lpOf(req).clients.appJwt!.request({
        service: 'accountConfigReadOnly',
        path: CONFORMANCE_SKILLS_PATH,
      });
      res.json(data);
    });
    app.post('/agent-session', async (req, res) => {
      const { data } = await lpOf(req).clients.login!.request({
        service: 'agentVep',
        path: CONFORMANCE_AGENT_SESSION_PATH,
        method: 'POST',
        query: { v: 1, NC: true },
      });
      res.json(data);
    });
    app.get('/not-ours', () => {
      throw new Error('not ours');
    });
    app.get('/consumer', requireConsumer(), (req, res) => {
      res.json({ sub: consumerOf(req).sub, issuer: consumerOf(req).issuer });
    });
    app.get(
      '/consumer/header',
      requireConsumer({ getToken: (req) => req.get(CONFORMANCE_TOKEN_HEADER) }),
      (req, res) => res.json({ sub: consumerOf(req).sub, issuer: consumerOf(req).issuer }),
    );
    app.get('/consumer/optional', optionalConsumer(), (req, res) => {
      res.json({ sub: req.lp?.consumer?.sub ?? null });
    });
    app.get('/consumer/vip', requireConsumer(), consumerClaimEquals('tier', 'vip'), (req, res) => {
      res.json({ sub: consumerOf(req).sub });
    });
    app.get('/consumer/beta', requireConsumer(), consumerClaimIncludes('groups', 'beta'), (req, res) => {
      res.json({ sub: consumerOf(req).sub });
    });
    app.get('/me', (req, res) => {
      res.json({ user: req.lp?.user?.user.id ?? null });
    });
    app.get('/me/skills', async (req, res) => {
      const { user } = lpOf(req);
      if (!user) return void res.status(401).json({ error: 'login_required' });
      const { data } = await user.client.request({
        service: 'accountConfigReadOnly',
        path: CONFORMANCE_SKILLS_PATH,
      });
      res.json(data);
    });
    app.use(lpErrorHandler(errorResponse));
    // A taken port: close the middleware before the case tries another one.
    const served = await serveOnLoopback(app, listen?.port).catch(async (error: unknown) => {
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
