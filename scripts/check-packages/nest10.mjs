// The Nest 10 smoke app: @lp-auth/nestjs's peer range starts at NestJS 10, while the workspace
// develops and tests it on 12 (ESM-only) and everything else here installs 12 too. Nest 10 is
// CommonJS and runs on Express 4 and Fastify 4, so this scratch app installs the newest 10.x from
// the registry with the packed tarballs and is what most Nest 10 apps are: TypeScript compiled to
// CommonJS as Nest's starter does (`module: commonjs`, decorator metadata), so it `require`s our
// ESM packages (Node 20.19+) while they `import` Nest's CommonJS. It answers real requests on both
// platforms: `LpAuthModule.forRoot` and
// `forRootAsync` against the emulator of @lp-auth/testing, `ConsumerGuard` as `APP_GUARD` with tokens
// from its consumer IdP, `@Public()`, a claim decorator and an injected client.

/** package.json of the app; `packed` maps a package dir (`core`, …) to its tarball. */
export function nest10PackageJson(packed) {
  const tarball = (dir) => `file:${packed.get(dir)}`;
  return {
    name: 'nest10-app',
    private: true,
    dependencies: {
      // The adapter depends on @lp-auth/core 0.1.0, which only exists as a tarball here.
      '@lp-auth/core': tarball('core'),
      '@lp-auth/nestjs': tarball('nestjs'),
      '@lp-auth/testing': tarball('testing'),
      '@nestjs/common': '^10.0.0',
      '@nestjs/core': '^10.0.0',
      '@nestjs/platform-express': '^10.0.0',
      '@nestjs/platform-fastify': '^10.0.0',
      'reflect-metadata': '^0.2.0',
      rxjs: '^7.8.0',
    },
    devDependencies: { '@types/node': '^20.19.0' },
  };
}

// Nest 10's starter tsconfig, skipLibCheck included (Nest's platform-express types import express's,
// which a user installs as @types/express@4; not needed to check ours against Nest 10's).
export const NEST10_TSCONFIG = {
  compilerOptions: {
    target: 'ES2021',
    module: 'commonjs',
    strict: true,
    skipLibCheck: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    types: ['node'],
    outDir: 'out',
  },
  include: ['src'],
};

const NEST10_APP = `import 'reflect-metadata';
import { createRequire } from 'node:module';
import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  Consumer,
  ConsumerClaimEquals,
  ConsumerGuard,
  InjectLpClient,
  LpAuthModule,
  Public,
  type ConsumerIdentity,
  type LpAuthOptions,
  type LpClient,
} from '@lp-auth/nestjs';
import { CONFORMANCE_SKILLS_PATH, startConsumerIdp, startEmulator, type ConsumerIdp } from '@lp-auth/testing';

// The Nest that @lp-auth/nestjs itself loads, not just one that is installed somewhere.
const fromAdapter = createRequire(require.resolve('@lp-auth/nestjs'));
const nest = ['common', 'core', 'platform-express', 'platform-fastify'].map(
  (name) => (fromAdapter(\`@nestjs/\${name}/package.json\`) as { version: string }).version,
);
if (nest.some((version) => !version.startsWith('10.'))) throw new Error(\`expected Nest 10, got \${nest.join(', ')}\`);

@Controller('orders')
class OrdersController {
  constructor(@InjectLpClient('appJwt') private readonly lp: LpClient) {}

  @Get()
  list(@Consumer('sub') sub: string) {
    return { sub };
  }

  @ConsumerClaimEquals('tier', 'vip')
  @Get('vip')
  vip(@Consumer('sub') sub: string) {
    return { sub };
  }

  @Public()
  @Get('catalog')
  catalog(@Consumer() consumer: ConsumerIdentity | undefined) {
    return { consumer: consumer ?? null };
  }

  @Public()
  @Get('skills')
  async skills() {
    return (await this.lp.request({ service: 'accountConfigReadOnly', path: CONFORMANCE_SKILLS_PATH })).data;
  }
}

/** forRoot on one platform, forRootAsync (ConfigurableModuleBuilder's other half) on the other. */
function appModule(options: LpAuthOptions, async: boolean): DynamicModule {
  @Module({
    imports: [async ? LpAuthModule.forRootAsync({ useFactory: async () => options }) : LpAuthModule.forRoot(options)],
    controllers: [OrdersController],
    providers: [{ provide: APP_GUARD, useClass: ConsumerGuard }],
  })
  class AppModule {}
  return { module: AppModule };
}

async function get(url: string, token?: string) {
  const res = await fetch(url, token ? { headers: { authorization: \`Bearer \${token}\` } } : {});
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as any };
}

function expect(what: string, ok: boolean, got: unknown): void {
  if (!ok) throw new Error(\`\${what}: got \${JSON.stringify(got)}\`);
}

async function check(platform: 'express' | 'fastify', options: LpAuthOptions, idp: ConsumerIdp) {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(appModule(options, platform === 'fastify'), adapter, {
    logger: false,
    abortOnError: false,
  });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1') + '/orders';
  const at = (path: string) => \`\${platform} GET /orders\${path}\`;
  try {
    const none = await get(url);
    expect(
      at(' without a token is 401 token_missing with a Bearer challenge'),
      none.status === 401 && none.body.code === 'token_missing' && !!none.challenge?.startsWith('Bearer '),
      none,
    );
    const ok = await get(url, await idp.issue({ claims: { sub: 'c-10' } }));
    expect(at(' with a token is 200 with its sub'), ok.status === 200 && ok.body.sub === 'c-10', ok);
    const bad = await get(url, 'not-a-jwt');
    expect(at(' with a bad token is 401 invalid_token'), bad.status === 401 && bad.body.error === 'invalid_token', bad);
    const basic = await get(url + '/vip', await idp.issue({ claims: { sub: 'b-10', tier: 'basic' } }));
    expect(at('/vip without the claim is 403'), basic.status === 403, basic);
    const vip = await get(url + '/vip', await idp.issue({ claims: { sub: 'v-10', tier: 'vip' } }));
    expect(at('/vip with the claim is 200'), vip.status === 200 && vip.body.sub === 'v-10', vip);
    const open = await get(url + '/catalog');
    expect(at('/catalog (@Public) is 200 without a token'), open.status === 200 && open.body.consumer === null, open);
    const skills = await get(url + '/skills');
    expect(at('/skills (the injected AppJWT client) is 200'), skills.status === 200 && Array.isArray(skills.body), skills);
  } finally {
    await app.close();
  }
}

// CommonJS: no top-level await.
async function main() {
  const [emu, idp] = await Promise.all([startEmulator(), startConsumerIdp()]);
  try {
    const options: LpAuthOptions = {
      ...emu.lpAuthOptions(),
      credentials: { appJwt: emu.credentials.appJwt },
      consumer: { issuer: idp.issuer },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    };
    await check('express', options, idp);
    await check('fastify', options, idp);
    console.log(\`Nest \${nest[1]}, CommonJS: express (forRoot), fastify (forRootAsync): 401 / 200 / 403 / @Public 200 / client\`);
  } finally {
    await Promise.all([idp.close(), emu.close()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;

export const NEST10_APP_FILES = { 'src/main.ts': NEST10_APP };
