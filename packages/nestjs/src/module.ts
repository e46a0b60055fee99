import {
  ConfigurableModuleBuilder,
  Inject,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { adapterLpAuth, type LpAuth, type LpAuthOptions } from '@lp-auth/core';
import { LpAuthExceptionFilter } from './exception-filter.js';
import { unconfiguredClient } from './unconfigured-client.js';
import { LP_AUTH, LP_CLIENT_KINDS, lpClientToken } from './tokens.js';

/** Options of {@link LpAuthModule}: the core's options, or an already built `LpAuth` as `{ lp }`. */
export type LpAuthModuleOptions = LpAuthOptions | { lp: LpAuth };

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
    useFactory: (options: LpAuthModuleOptions) => adapterLpAuth('lp' in options ? options.lp : options),
  },
  { provide: LP_AUTH, inject: [LP_AUTH_OWNERSHIP], useFactory: (owned: { lp: LpAuth }) => owned.lp },
  ...LP_CLIENT_KINDS.map((kind) => ({
    provide: lpClientToken(kind),
    inject: [LP_AUTH],
    useFactory: (lp: LpAuth) => lp.clients[kind] ?? unconfiguredClient(lp, kind),
  })),
  { provide: APP_FILTER, useClass: LpAuthExceptionFilter },
];

/**
 * The NestJS module: builds the core once from options (validated when the app starts; a bad field
 * fails `NestFactory.create` with `config_invalid`), makes `LpAuth` and each configured client
 * injectable, answers `@lp-auth` errors with their status and headers on either platform, and closes
 * the core on shutdown (logout, timers) when it built it.
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
export class LpAuthModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(@Inject(LP_AUTH_OWNERSHIP) private readonly ownership: { lp: LpAuth; owned: boolean }) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ownership.owned) await this.ownership.lp.close();
  }
}
