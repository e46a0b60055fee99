import {
  ConfigurableModuleBuilder,
  Inject,
  Module,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { type LpAuth, type LpAuthOptions } from '@lp-auth/core';
import {
  AppAuthorizationWeb,
  adapterLpAuth,
  lpRequestContext,
  type AppAuthorizationRoutesOptions,
  resolveHttpErrorResponseOptions,
  type HttpErrorResponseOptions,
} from '@lp-auth/core/adapter';
import { LP_ERROR_RESPONSE_OPTIONS, LpAuthExceptionFilter } from './exception-filter.js';
import { decorateFastifyRequests } from './fastify-request.js';
import {
  LP_APP_AUTHORIZATION_WEB,
  LP_REQUEST_CONTEXT,
  LpRequestContextMiddleware,
} from './request-context.middleware.js';
import { unconfiguredClient } from './unconfigured-client.js';
import { LP_AUTH, LP_CLIENT_KINDS, lpClientToken } from './tokens.js';

/** Nest-side options of {@link LpAuthModule}, next to the core's. */
export interface LpAuthNestOptions {
  /**
   * Paths of the login routes served when the core has `appAuthorization` (the callback's is the
   * redirect URI's). Full paths: with `setGlobalPrefix('api')`, write `/api/auth/login`.
   */
  appAuthorizationRoutes?: AppAuthorizationRoutesOptions;
  /**
   * How the module's exception filter answers `@lp-auth` errors: `expose: false` keeps 5xx bodies
   * to a code and a generic message; `format(error, response)` builds your own body.
   */
  errorResponse?: HttpErrorResponseOptions;
}

/** Options of {@link LpAuthModule}: the core's options, or an already built `LpAuth` as `{ lp }`. */
export type LpAuthModuleOptions = (LpAuthOptions | { lp: LpAuth }) & LpAuthNestOptions;

const builder = new ConfigurableModuleBuilder<LpAuthModuleOptions>({ moduleName: 'LpAuth' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = builder;
export const { OPTIONS_TYPE: LP_AUTH_OPTIONS_TYPE, ASYNC_OPTIONS_TYPE: LP_AUTH_ASYNC_OPTIONS_TYPE } = builder;

/** Which `LpAuth` the module uses and whether it built it (and so closes it on shutdown). */
const LP_AUTH_OWNERSHIP = Symbol.for('@lp-auth/nestjs:ownership');

const providers: Provider[] = [
  {
    provide: LP_AUTH_OWNERSHIP,
    inject: [MODULE_OPTIONS_TOKEN],
    useFactory: (options: LpAuthModuleOptions) => {
      const { appAuthorizationRoutes: _routes, errorResponse: _errors, ...core } = options;
      return adapterLpAuth('lp' in core ? core.lp : core);
    },
  },
  { provide: LP_AUTH, inject: [LP_AUTH_OWNERSHIP], useFactory: (owned: { lp: LpAuth }) => owned.lp },
  { provide: LP_REQUEST_CONTEXT, inject: [LP_AUTH], useFactory: lpRequestContext },
  {
    // Built at start-up, so that a missing cookieSecret or a bad path fails NestFactory.create.
    provide: LP_APP_AUTHORIZATION_WEB,
    inject: [LP_AUTH_OWNERSHIP, MODULE_OPTIONS_TOKEN],
    useFactory: ({ lp, owned }: { lp: LpAuth; owned: boolean }, options: LpAuthModuleOptions) => {
      if (!lp.appAuthorization) return null;
      try {
        return new AppAuthorizationWeb(lp.appAuthorization, options.appAuthorizationRoutes, lp.logger);
      } catch (error) {
        // The app will not start, so nothing else would close the core built for it.
        if (owned) void lp.close();
        throw error;
      }
    },
  },
  LpRequestContextMiddleware,
  ...LP_CLIENT_KINDS.map((kind) => ({
    provide: lpClientToken(kind),
    inject: [LP_AUTH],
    useFactory: (lp: LpAuth) => lp.clients[kind] ?? unconfiguredClient(lp, kind),
  })),
  {
    provide: LP_ERROR_RESPONSE_OPTIONS,
    inject: [MODULE_OPTIONS_TOKEN],
    useFactory: (options: LpAuthModuleOptions) => resolveHttpErrorResponseOptions(options.errorResponse),
  },
  { provide: APP_FILTER, useClass: LpAuthExceptionFilter },
];

/**
 * The NestJS module: builds the core once from options (validated when the app starts; a bad field
 * fails `NestFactory.create` with `config_invalid`), makes `LpAuth` and each configured client
 * injectable, puts `req.lp` (`{ clients, auth, consumer?, user? }`) on every request, serves the
 * login routes of application authorization when it is configured, answers `@lp-auth` errors with
 * their status and headers on either platform, and closes the core on shutdown (logout, timers)
 * when it built it. Guard routes with {@link ConsumerGuard}.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     LpAuthModule.forRootAsync({
 *       isGlobal: true,
 *       inject: [ConfigService],
 *       useFactory: (config: ConfigService) => ({ accountId: config.get('LP_ACCOUNT_ID'), credentials: { … } }),
 *     }),
 *   ],
 * })
 * export class AppModule {}
 * ```
 */
@Module({ providers, exports: [LP_AUTH, ...LP_CLIENT_KINDS.map(lpClientToken)] })
export class LpAuthModule
  extends ConfigurableModuleClass
  implements NestModule, OnModuleInit, OnApplicationShutdown
{
  constructor(
    @Inject(LP_AUTH_OWNERSHIP) private readonly ownership: { lp: LpAuth; owned: boolean },
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {
    super();
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(LpRequestContextMiddleware).forRoutes('*');
  }

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (adapter?.getType() === 'fastify') decorateFastifyRequests(adapter.getInstance());
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ownership.owned) await this.ownership.lp.close();
  }
}
