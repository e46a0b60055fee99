import express from 'express';
import { lpAuth, lpErrorHandler, type LpAuthMiddleware } from '@lp-auth/express';
import type { LpAuth } from '@lp-auth/core';

const SKILLS = '/api/account/{accountId}/configuration/le-users/skills';
const USERS = '/api/account/{accountId}/configuration/le-users/users';
const AGENT_SESSION = '/api/account/{accountId}/agentSession';
const CONVERSATION = '/api/account/{accountId}/messaging/consumer/conversation';
const SEND = '/api/account/{accountId}/messaging/consumer/conversation/send';

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

  // OAuth 1.0 API key (every request signed): list the account's users.
  app.get('/users', async (req, res) => {
    const { data } = await req.lp.auth
      .client('oauth1')
      .request({ service: 'accountConfigReadOnly', path: USERS, query: { v: '4.0' } });
    res.json(data);
  });

  // Login Service (bearer + keepalive): open an agent session as the logged-in user.
  app.post('/agent-session', async (req, res) => {
    const { data } = await req.lp.auth
      .client('login')
      .request({ service: 'agentVep', path: AGENT_SESSION, method: 'POST', query: { v: 1, NC: true } });
    res.json(data);
  });

  // Send API (AppJWT + ConsumerJWS): open a conversation for a consumer and send it a message.
  app.post('/consumers/:consumerId/messages', async (req, res) => {
    const client = req.lp.auth.client('appJwt');
    const onBehalfOf = req.params.consumerId;
    const opened = await client.request<{ body: { conversationId?: string } }[]>({
      service: 'asyncMessagingEnt',
      path: CONVERSATION,
      method: 'POST',
      query: { v: 3 },
      onBehalfOf,
      json: [
        {
          kind: 'req',
          id: '1,',
          type: 'userprofile.SetUserProfile',
          body: { authenticatedData: { lp_sdes: [] } },
        },
        { kind: 'req', id: '2,', type: 'cm.ConsumerRequestConversation', body: { brandId: lp.accountId } },
      ],
    });
    const dialogId = opened.data[1]?.body.conversationId;
    const text = typeof req.body?.text === 'string' ? req.body.text : 'Hello from @lp-auth';
    const sent = await client.request({
      service: 'asyncMessagingEnt',
      path: SEND,
      method: 'POST',
      query: { v: 3 },
      onBehalfOf,
      json: {
        kind: 'req',
        id: 1,
        type: 'ms.PublishEvent',
        body: { dialogId, event: { type: 'ContentEvent', contentType: 'text/plain', message: text } },
      },
    });
    res.json({ conversationId: dialogId, sent: sent.data });
  });

  app.use(lpErrorHandler());
  return { app, middleware };
}
