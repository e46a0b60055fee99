import express from 'express';
import {
  consumerOf,
  lpAuth,
  lpErrorHandler,
  lpOf,
  requireConsumer,
  type LpAuthMiddleware,
} from '@lp-auth/express';
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
    res.json({ ok: true, clients: Object.keys(lpOf(req).clients) });
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
  // Only for consumers signed in at the brand's identity provider (the `consumer` option).
  app.get('/orders', requireConsumer(), (req, res) => {
    res.json({ sub: consumerOf(req).sub });
  });
  if (lp.appAuthorization) addLoginRoutes(app);

  app.use(lpErrorHandler());
  return { app, middleware };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * "Log in with LivePerson" (application authorization): `lpAuth` already serves `/auth/login`, the
 * callback and `/auth/logout`, and puts the logged-in user on `lpOf(req).user`; these pages use it.
 */
function addLoginRoutes(app: express.Express): void {
  app.get('/', (req, res) => {
    const user = lpOf(req).user;
    const body = user
      ? `<p>Logged in to LivePerson as user ${escapeHtml(user.user.id)}.</p>
<p><a href="/me">What LivePerson says about me</a></p>
<form method="post" action="/auth/logout"><button>Log out</button></form>`
      : '<p><a href="/auth/login?returnTo=/">Log in with LivePerson</a></p>';
    res.type('html').send(`<!doctype html><meta charset="utf-8"><title>@lp-auth example</title>
<h1>@lp-auth Express example</h1>${body}`);
  });
  app.get('/me', async (req, res) => {
    const user = lpOf(req).user;
    if (!user)
      return void res.status(401).json({ error: 'login_required', login: '/auth/login?returnTo=/me' });
    // A call to LivePerson as this user: their access token, refreshed (and rotated) as needed.
    const { data } = await user.client.request<unknown[]>({
      service: 'accountConfigReadOnly',
      path: '/api/account/{accountId}/configuration/le-users/skills',
    });
    res.json({
      userId: user.user.id,
      isAdmin: user.user.isAdmin,
      skills: Array.isArray(data) ? data.length : 0,
    });
  });
}
