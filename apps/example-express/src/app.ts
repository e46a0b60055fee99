import express from 'express';
import { lpAuth, lpErrorHandler, type LpAuthMiddleware } from '@lp-auth/express';
import type { LpAuth } from '@lp-auth/core';
import { exampleCalls } from 'example-runner';

/**
 * The example's routes, each calling LivePerson through one configured client (the calls live in
 * `example-runner`, shared by every framework's example). A route whose credential is not configured
 * answers 500 `config_invalid` saying which option to set.
 */
export function createApp(lp: LpAuth): { app: express.Express; middleware: LpAuthMiddleware } {
  const app = express();
  const middleware = lpAuth(lp);
  const calls = exampleCalls(lp);
  app.use(express.json());
  app.use(middleware);

  app.get('/health', (req, res) => {
    res.json({ ok: true, clients: Object.keys(req.lp.clients) });
  });
  app.get('/skills', async (_req, res) => {
    res.json(await calls.skills());
  });
  app.put('/context/v1/:namespace/:session', async (req, res) => {
    res.json(await calls.putContextV1(req.params.namespace, req.params.session, req.body));
  });
  app.get('/context/v2/:namespace/:session', async (req, res) => {
    res.json(await calls.contextV2(req.params.namespace, req.params.session));
  });
  app.get('/users', async (_req, res) => {
    res.json(await calls.users());
  });
  app.post('/agent-session', async (_req, res) => {
    res.json(await calls.agentSession());
  });
  app.post('/consumers/:consumerId/messages', async (req, res) => {
    res.json(await calls.messageConsumer(req.params.consumerId, req.body?.text));
  });

  app.use(lpErrorHandler());
  return { app, middleware };
}
