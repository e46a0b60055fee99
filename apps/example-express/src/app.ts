import express from 'express';
import { lpAuth, lpErrorHandler, type LpAuthMiddleware } from '@lp-auth/express';
import type { LpAuth } from '@lp-auth/core';

const SKILLS = '/api/account/{accountId}/configuration/le-users/skills';

/**
 * The example's routes: each calls LivePerson through one configured client. A route whose
 * credential is not configured answers 501 and says which `LP_*` variables to set.
 */
export function createApp(lp: LpAuth): { app: express.Express; middleware: LpAuthMiddleware } {
  const app = express();
  const middleware = lpAuth(lp);
  app.use(express.json());
  app.use(middleware);

  app.get('/health', (_req, res) => {
    res.json({ ok: true, clients: Object.keys(lp.clients) });
  });

  // AppJWT (OAuth 2.0 client credentials): read the account's skills.
  app.get('/skills', async (req, res) => {
    const { data } = await req.lp.auth
      .client('appJwt')
      .request({ service: 'accountConfigReadOnly', path: SKILLS, query: { v: '2.0' } });
    res.json(data);
  });

  // Conversation Orchestrator v1 (maven-api-key): write then read Context Service properties.
  app.put('/context/v1/:namespace/:session', async (req, res) => {
    const path = `/v1/account/{accountId}/${encodeURIComponent(req.params.namespace)}/${encodeURIComponent(req.params.session)}/properties`;
    const client = req.lp.auth.client('orchestratorV1');
    await client.request({ service: 'orchestratorContext', path, method: 'PUT', json: req.body ?? {} });
    const { data } = await client.request({ service: 'orchestratorContext', path });
    res.json(data);
  });

  // Conversation Orchestrator v2 (Basic login → token): read a Context Service document.
  app.get('/context/v2/:namespace/:session', async (req, res) => {
    const path = `/v2/context/document/{accountId}/${encodeURIComponent(req.params.namespace)}/${encodeURIComponent(req.params.session)}`;
    const { data } = await req.lp.auth.client('orchestratorV2').request({ service: 'orchestratorCcs', path });
    res.json(data);
  });

  app.use(lpErrorHandler());
  return { app, middleware };
}
