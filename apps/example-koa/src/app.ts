import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { lpAuth, requireConsumer, type LpAuthMiddleware } from '@lp-auth/koa';
import type { LpAuth } from '@lp-auth/core';
import { exampleCalls } from 'example-runner';

/** The example's routes on Koa: the same as every framework's example, over the shared calls. */
export function createApp(lp: LpAuth): { app: Koa; middleware: LpAuthMiddleware } {
  const app = new Koa();
  const middleware = lpAuth(lp);
  const calls = exampleCalls(lp);
  const router = new Router();

  router.get('/health', (ctx) => {
    ctx.body = { ok: true, clients: Object.keys(ctx.state.lp.clients) };
  });
  router.get('/skills', async (ctx) => {
    ctx.body = await calls.skills();
  });
  router.put('/context/v1/:namespace/:session', async (ctx) => {
    ctx.body = await calls.putContextV1(ctx.params.namespace!, ctx.params.session!, ctx.request.body);
  });
  router.get('/context/v2/:namespace/:session', async (ctx) => {
    ctx.body = await calls.contextV2(ctx.params.namespace!, ctx.params.session!);
  });
  router.get('/users', async (ctx) => {
    ctx.body = await calls.users();
  });
  router.post('/agent-session', async (ctx) => {
    ctx.body = await calls.agentSession();
  });
  router.post('/consumers/:consumerId/messages', async (ctx) => {
    const body = ctx.request.body as { text?: unknown } | undefined;
    ctx.body = await calls.messageConsumer(ctx.params.consumerId!, body?.text);
  });
  // Only for consumers signed in at the brand's identity provider (the `consumer` option); a request
  // without a valid id_token is refused with 401 and RFC 6750's challenge, answered by lpAuth().
  router.get('/orders', requireConsumer(), (ctx) => {
    ctx.body = { sub: ctx.state.lp.consumer!.sub };
  });
  if (lp.appAuthorization) addLoginRoutes(router);

  app.use(middleware); // first: it answers @lp-auth errors thrown by everything below
  app.use(bodyParser());
  app.use(router.routes()).use(router.allowedMethods());
  return { app, middleware };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * "Log in with LivePerson" (application authorization): `lpAuth` already serves `/auth/login`, the
 * callback and `/auth/logout`, and puts the logged-in user on `ctx.state.lp.user`; these pages use it.
 */
function addLoginRoutes(router: Router): void {
  router.get('/', (ctx) => {
    const user = ctx.state.lp.user;
    const body = user
      ? `<p>Logged in to LivePerson as user ${escapeHtml(user.user.id)}.</p>
<p><a href="/me">What LivePerson says about me</a></p>
<form method="post" action="/auth/logout"><button>Log out</button></form>`
      : '<p><a href="/auth/login?returnTo=/">Log in with LivePerson</a></p>';
    ctx.type = 'html';
    ctx.body = `<!doctype html><meta charset="utf-8"><title>@lp-auth example</title>
<h1>@lp-auth Koa example</h1>${body}`;
  });
  router.get('/me', async (ctx) => {
    const user = ctx.state.lp.user;
    if (!user) {
      ctx.status = 401;
      ctx.body = { error: 'login_required', login: '/auth/login?returnTo=/me' };
      return;
    }
    // A call to LivePerson as this user: their access token, refreshed (and rotated) as needed.
    const { data } = await user.client.request<unknown[]>({
      service: 'accountConfigReadOnly',
      path: '/api/account/{accountId}/configuration/le-users/skills',
    });
    ctx.body = {
      userId: user.user.id,
      isAdmin: user.user.isAdmin,
      skills: Array.isArray(data) ? data.length : 0,
    };
  });
}
