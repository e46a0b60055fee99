/**
 * A benchmark server in a child process of its own: `node serve.js '<ServerSpec JSON>'`. It builds
 * the framework app of the spec, listens on 127.0.0.1, sends `{ port }` (or `{ pending }` when our
 * adapter for the framework has no consumer guard yet) to the parent, and exits when the parent
 * disconnects; on the message `cpu` it answers `{ cpuMicros }`, its CPU time so far. One process per
 * server keeps the load generator (the parent) on the other core.
 */
import { AdapterPending, type Listening, type ServerReady, type ServerSpec } from './spec.js';

type Starter = (variant: ServerSpec['variant'], idp: ServerSpec['idp']) => Promise<Listening>;

// Imported on demand: a server process loads its own framework only (no Nest polyfills in Koa's).
const starters: Record<ServerSpec['framework'], () => Promise<Starter>> = {
  express: async () => (await import('./express-server.js')).startExpress,
  koa: async () => (await import('./koa-server.js')).startKoa,
  fastify: async () => (await import('./fastify-server.js')).startFastify,
  nest: async () => (await import('./nest-server.js')).startNest,
};

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as ServerSpec;
  let server: Listening;
  try {
    server = await (await starters[spec.framework]())(spec.variant, spec.idp);
  } catch (error) {
    if (!(error instanceof AdapterPending)) throw error;
    process.send!({ pending: error.message } satisfies ServerReady);
    process.disconnect();
    return;
  }
  process.send!({ port: server.port } satisfies ServerReady);
  // The parent asks for the CPU time used so far, to divide it by the requests of a run.
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuMicros: user + system });
    }
  });
  process.once('disconnect', () => {
    void server.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
