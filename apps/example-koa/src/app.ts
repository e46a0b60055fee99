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

  app.use(middleware); // first: it answers @lp-auth errors thrown by everything below
  app.use(bodyParser());
  app.use(router.routes()).use(router.allowedMethods());
  return { app, middleware };
}
