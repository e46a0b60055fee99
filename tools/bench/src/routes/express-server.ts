import { createServer } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { expressjwt, type Request as JwtRequest } from 'express-jwt';
import { auth as oauth2JwtBearer } from 'express-oauth2-jwt-bearer';
import jwksRsa from 'jwks-rsa';
import { consumerOf, lpAuth, lpErrorHandler, requireConsumer } from '@lp-auth/express';
import { silentLogger } from '@lp-auth/core';
import { listenLoopback } from './listen.js';
import { ROUTE, SAME_TOKEN_SUB, type IdpInfo, type Listening, type Variant } from './spec.js';

/** The Express app of one variant, each configured as its README says, all checking iss, aud and RS256. */
export function expressApp(variant: Variant, idp: IdpInfo): express.Express {
  const app = express();
  app.disable('x-powered-by');
  switch (variant) {
    case 'bare':
      app.get(ROUTE, (_req, res) => {
        res.json({ sub: SAME_TOKEN_SUB });
      });
      break;
    case 'noop':
      app.use((_req, _res, next) => next());
      app.get(
        ROUTE,
        (_req, _res, next) => next(),
        (_req, res) => {
          res.json({ sub: SAME_TOKEN_SUB });
        },
      );
      break;
    case 'ours':
      app.use(
        lpAuth({
          accountId: '12345678',
          logger: silentLogger,
          consumer: { issuer: idp.issuer, jwksUri: idp.jwksUri, audience: idp.audience },
        }),
      );
      app.get(ROUTE, requireConsumer(), (req, res) => {
        res.json({ sub: consumerOf(req).sub });
      });
      app.use(lpErrorHandler());
      break;
    case 'express-jwt':
      app.get(
        ROUTE,
        expressjwt({
          secret: jwksRsa.expressJwtSecret({ jwksUri: idp.jwksUri, cache: true, rateLimit: true }),
          algorithms: ['RS256'],
          issuer: idp.issuer,
          audience: idp.audience,
        }) as unknown as RequestHandler,
        (req, res) => {
          res.json({ sub: (req as JwtRequest).auth!.sub });
        },
      );
      app.use(((error, _req, res, _next) => {
        res.status(error.status ?? 500).json({ error: error.code ?? 'error' });
      }) as ErrorRequestHandler);
      break;
    case 'express-oauth2-jwt-bearer':
      app.get(
        ROUTE,
        oauth2JwtBearer({
          issuer: idp.issuer,
          jwksUri: idp.jwksUri,
          audience: idp.audience,
          tokenSigningAlg: 'RS256',
        }),
        (req, res) => {
          res.json({ sub: req.auth!.payload.sub });
        },
      );
      app.use(((error, _req, res, _next) => {
        res.status(error.status ?? 500).json({ error: error.code ?? 'error' });
      }) as ErrorRequestHandler);
      break;
    default:
      throw new Error(`no Express variant ${variant}`);
  }
  return app;
}

export function startExpress(variant: Variant, idp: IdpInfo): Promise<Listening> {
  return listenLoopback(createServer(expressApp(variant, idp)));
}
