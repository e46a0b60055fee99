// The scratch app of the strict-install check: installed with pnpm, it lists the adapters (and
// their frameworks) but never @lp-auth/core, and imports everything from the adapters, as the
// READMEs tell users to. pnpm's layout lets a package import only what it lists, so this proves
// that each adapter's own entry is enough.

/** package.json of the app; `packed` maps a package dir (`express`, …) to its tarball. */
export function pnpmAppPackageJson(packed) {
  const tarball = (dir) => `file:${packed.get(dir)}`;
  return {
    name: 'pnpm-app',
    private: true,
    type: 'module',
    dependencies: {
      '@lp-auth/express': tarball('express'),
      '@lp-auth/koa': tarball('koa'),
      '@lp-auth/fastify': tarball('fastify'),
      '@lp-auth/nestjs': tarball('nestjs'),
      express: '^5.1.0',
      koa: '^3.0.0',
      fastify: '^5.0.0',
      '@nestjs/common': '^12.0.0',
      '@nestjs/core': '^12.0.0',
      'reflect-metadata': '^0.2.0',
      rxjs: '^7.8.0',
    },
    devDependencies: {
      '@types/express': '^5.0.0',
      '@types/koa': '^3.0.0',
      '@types/node': '^20.19.0',
    },
    // The adapters depend on @lp-auth/core 0.1.0, which only exists as a tarball here.
    pnpm: { overrides: { '@lp-auth/core': tarball('core') } },
  };
}

export const PNPM_APP_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    strict: true,
    skipLibCheck: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    types: ['node'],
    outDir: 'out',
  },
  include: ['src'],
};

/** Runs: an Express app built from @lp-auth/express alone answers a consumer route the documented way. */
const EXPRESS_APP = `import { once } from 'node:events';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  ConfigError,
  LpAuthError,
  consumerOf,
  isLpAuthError,
  lpAuth,
  lpErrorHandler,
  requireConsumer,
  type ConsumerIdentity,
  type LpAuthOptions,
  type LpClient,
  type UserSession,
} from '@lp-auth/express';

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const options: LpAuthOptions = {
  accountId: '12345678',
  consumer: { issuer: 'https://login.brand.example', key: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
};
const middleware = lpAuth(options);
const app = express();
app.use(middleware);
app.get('/orders', requireConsumer(), (req, res) => {
  const consumer: ConsumerIdentity = consumerOf(req);
  res.json({ sub: consumer.sub });
});
app.use(lpErrorHandler());
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
try {
  const res = await fetch(\`http://127.0.0.1:\${(server.address() as AddressInfo).port}/orders\`);
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 401 || body.code !== 'token_missing' || !res.headers.get('www-authenticate')?.startsWith('Bearer ')) {
    throw new Error(\`GET /orders without a token answered \${res.status} \${JSON.stringify(body)}\`);
  }
  // The error classes re-exported by the adapter are the ones the core throws.
  let caught: unknown;
  try {
    lpAuth({ accountId: '' });
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof ConfigError) || !(caught instanceof LpAuthError) || !isLpAuthError(caught, 'config_invalid')) {
    throw new Error(\`lpAuth({ accountId: '' }) did not throw the core's ConfigError: \${String(caught)}\`);
  }
  const describe = (client: LpClient, session: UserSession) => [typeof client.request, session.id];
  void describe;
  console.log('express app: 401 token_missing, ConfigError caught');
} finally {
  server.close();
  await middleware.close();
}
`;

/** Type-checked only. */
const KOA_APP = `import Koa from 'koa';
import { findSde, lpAuth, requireConsumer, LpApiError, type ConsumerIdentity, type LpAuthOptions } from '@lp-auth/koa';

export function build(options: LpAuthOptions): Koa {
  const app = new Koa();
  app.use(lpAuth(options));
  app.use(requireConsumer());
  app.use((ctx) => {
    const consumer: ConsumerIdentity = ctx.state.lp.consumer!;
    ctx.body = { sub: consumer.sub, customerId: findSde(consumer.sdes, 'ctmrinfo')?.info.customerId };
  });
  app.on('error', (error: unknown) => {
    if (error instanceof LpApiError) console.error(error.status);
  });
  return app;
}
`;

const FASTIFY_APP = `import Fastify from 'fastify';
import { lpAuth, requireConsumer, isLpAuthError, type LpAuthOptions, type LpClient } from '@lp-auth/fastify';

export async function build(options: LpAuthOptions) {
  const app = Fastify();
  await app.register(lpAuth, options);
  app.get('/orders', { preHandler: requireConsumer() }, async (request) => ({ sub: request.lp!.consumer!.sub }));
  app.get('/skills', async (request) => {
    const client: LpClient = request.lp!.clients.appJwt!;
    try {
      return (await client.request({ service: 'accountConfigReadOnly', path: '/api/account/{accountId}/configuration/le-users/skills' })).data;
    } catch (error) {
      if (isLpAuthError(error, 'retry_budget_exceeded')) return [];
      throw error;
    }
  });
  return app;
}
`;

const NEST_APP = `import 'reflect-metadata';
import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import {
  Consumer,
  ConsumerGuard,
  InjectLpClient,
  LpAuthModule,
  type ConsumerIdentity,
  type LpClient,
} from '@lp-auth/nestjs';

@Controller()
class OrdersController {
  constructor(@InjectLpClient('appJwt') private readonly lp: LpClient) {}

  @Get('orders')
  @UseGuards(ConsumerGuard)
  list(@Consumer() consumer: ConsumerIdentity) {
    return { sub: consumer.sub, client: typeof this.lp.request };
  }
}

@Module({ imports: [LpAuthModule.forRoot({ accountId: '12345678' })], controllers: [OrdersController] })
export class AppModule {}
`;

export const PNPM_APP_FILES = {
  'src/express-app.ts': EXPRESS_APP,
  'src/koa-app.ts': KOA_APP,
  'src/fastify-app.ts': FASTIFY_APP,
  'src/nest-app.ts': NEST_APP,
};
