import 'reflect-metadata';
import {
  Controller,
  Get,
  Injectable,
  Module,
  Req,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestMiddleware,
  type NestModule,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import jwksRsa from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { silentLogger, type ConsumerIdentity } from '@lp-auth/core';
import { adapterExport } from './listen.js';
import { AdapterPending, ROUTE, SAME_TOKEN_SUB, type IdpInfo, type Listening, type Variant } from './spec.js';

interface GuardedRequest {
  user?: { sub: string };
  lp?: { consumer?: ConsumerIdentity };
}

/** The route's controller, behind `guard` (none for the bare app); `sub` reads who the guard admitted. */
function controllerBehind(guard: Type<CanActivate> | undefined, sub: (req: GuardedRequest) => string) {
  @Controller()
  class ConsumerController {
    @Get(ROUTE.slice(1))
    consumer(@Req() req: GuardedRequest): { sub: string } {
      return { sub: sub(req) };
    }
  }
  // A class-level guard, set here so that the bare app has the same controller without one.
  if (guard) UseGuards(guard)(ConsumerController);
  return ConsumerController;
}

/** passport-jwt through @nestjs/passport with jwks-rsa's key provider, as the Nest docs set it up. */
function passportJwtModule(idp: IdpInfo): Type {
  @Injectable()
  class JwtStrategy extends PassportStrategy(Strategy) {
    constructor() {
      super({
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKeyProvider: jwksRsa.passportJwtSecret({
          jwksUri: idp.jwksUri,
          cache: true,
          rateLimit: true,
        }),
        issuer: idp.issuer,
        audience: idp.audience,
        algorithms: ['RS256'],
      });
    }
    validate(payload: { sub: string }): { sub: string } {
      return payload;
    }
  }
  @Module({
    imports: [PassportModule],
    controllers: [controllerBehind(AuthGuard('jwt'), (req) => req.user!.sub)],
    providers: [JwtStrategy],
  })
  class PassportJwtApp {}
  return PassportJwtApp;
}

async function oursModule(idp: IdpInfo): Promise<Type> {
  const LpAuthModule = await adapterExport<{ forRoot(options: unknown): DynamicModule }>(
    '@lp-auth/nestjs',
    'LpAuthModule',
  );
  const guard = await adapterExport<Type<CanActivate>>('@lp-auth/nestjs', 'ConsumerGuard');
  if (!LpAuthModule || !guard) throw new AdapterPending('@lp-auth/nestjs has no ConsumerGuard yet');
  @Module({
    imports: [
      LpAuthModule.forRoot({
        accountId: '12345678',
        logger: silentLogger,
        consumer: { issuer: idp.issuer, jwksUri: idp.jwksUri, audience: idp.audience },
      }),
    ],
    controllers: [controllerBehind(guard, (req) => req.lp!.consumer!.sub)],
  })
  class OursApp {}
  return OursApp;
}

async function nestModule(variant: Variant, idp: IdpInfo): Promise<Type> {
  switch (variant) {
    case 'bare': {
      @Module({ controllers: [controllerBehind(undefined, () => SAME_TOKEN_SUB)] })
      class BareApp {}
      return BareApp;
    }
    case 'noop': {
      @Injectable()
      class PassGuard implements CanActivate {
        canActivate(): boolean {
          return true;
        }
      }
      @Injectable()
      class PassMiddleware implements NestMiddleware {
        use(_req: unknown, _res: unknown, next: () => void): void {
          next();
        }
      }
      // As LpAuthModule does: a middleware on every route, and the guard on the route.
      @Module({ controllers: [controllerBehind(PassGuard, () => SAME_TOKEN_SUB)] })
      class NoopApp implements NestModule {
        configure(consumer: MiddlewareConsumer): void {
          consumer.apply(PassMiddleware).forRoutes('*');
        }
      }
      return NoopApp;
    }
    case 'ours':
      return oursModule(idp);
    case 'passport-jwt':
      return passportJwtModule(idp);
    default:
      throw new Error(`no Nest variant ${variant}`);
  }
}

/** A Nest app (Express platform, Nest's default) of one variant. */
export async function startNest(variant: Variant, idp: IdpInfo): Promise<Listening> {
  const app = await NestFactory.create(await nestModule(variant, idp), { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { port: address.port, close: () => app.close() };
}
