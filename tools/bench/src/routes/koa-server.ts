import { createServer } from 'node:http';
import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import koaJwt from 'koa-jwt';
import jwksRsa from 'jwks-rsa';
import { silentLogger, type ConsumerIdentity } from '@lp-auth/core';
import { adapterExport, listenLoopback } from './listen.js';
import { AdapterPending, ROUTE, SAME_TOKEN_SUB, type IdpInfo, type Listening, type Variant } from './spec.js';

type LpAuthKoa = (options: unknown) => Middleware;
type RequireConsumerKoa = () => Middleware;

/** The Koa app of one variant (router from @koa/router, as a Koa app would have). */
export async function koaApp(variant: Variant, idp: IdpInfo): Promise<Koa> {
  const app = new Koa();
  const router = new Router();
  switch (variant) {
    case 'bare':
      router.get(ROUTE, (ctx) => {
        ctx.body = { sub: SAME_TOKEN_SUB };
      });
      break;
    case 'noop':
      app.use(async (_ctx, next) => {
        await next();
      });
      router.get(
        ROUTE,
        async (_ctx, next) => {
          await next();
        },
        (ctx) => {
          ctx.body = { sub: SAME_TOKEN_SUB };
        },
      );
      break;
    case 'ours': {
      const lpAuth = await adapterExport<LpAuthKoa>('@lp-auth/koa', 'lpAuth');
      const requireConsumer = await adapterExport<RequireConsumerKoa>('@lp-auth/koa', 'requireConsumer');
      if (!lpAuth || !requireConsumer) throw new AdapterPending('@lp-auth/koa has no requireConsumer yet');
      app.use(
        lpAuth({
          accountId: '12345678',
          logger: silentLogger,
          consumer: { issuer: idp.issuer, jwksUri: idp.jwksUri, audience: idp.audience },
        }),
      );
      router.get(ROUTE, requireConsumer(), (ctx) => {
        ctx.body = { sub: (ctx.state.lp as { consumer: ConsumerIdentity }).consumer.sub };
      });
      break;
    }
    case 'koa-jwt':
      router.get(
        ROUTE,
        koaJwt({
          secret: jwksRsa.koaJwtSecret({ jwksUri: idp.jwksUri, cache: true, rateLimit: true }),
          algorithms: ['RS256'],
          issuer: idp.issuer,
          audience: idp.audience,
        }),
        (ctx) => {
          ctx.body = { sub: (ctx.state.user as { sub: string }).sub };
        },
      );
      break;
    default:
      throw new Error(`no Koa variant ${variant}`);
  }
  app.use(router.routes());
  return app;
}

export async function startKoa(variant: Variant, idp: IdpInfo): Promise<Listening> {
  return listenLoopback(createServer((await koaApp(variant, idp)).callback()));
}
