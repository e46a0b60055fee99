import Fastify, { type FastifyInstance } from 'fastify';
import { lpAuth } from '@lp-auth/fastify';
import type { LpAuth } from '@lp-auth/core';
import { exampleCalls } from 'example-runner';

type Params = { namespace: string; session: string };

/**
 * The example's routes on Fastify: the same as every framework's example, over the shared calls.
 * With the `consumer` option, `GET /orders` is only for consumers signed in at the brand's
 * identity provider (a valid id_token as `Authorization: Bearer …`).
 */
export async function createApp(lp: LpAuth): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(lpAuth, { lp });
  const calls = exampleCalls(lp);

  app.get('/health', async (request) => ({ ok: true, clients: Object.keys(request.lp!.clients) }));
  app.get('/skills', () => calls.skills());
  app.put<{ Params: Params }>('/context/v1/:namespace/:session', (request) =>
    calls.putContextV1(request.params.namespace, request.params.session, request.body),
  );
  app.get<{ Params: Params }>('/context/v2/:namespace/:session', (request) =>
    calls.contextV2(request.params.namespace, request.params.session),
  );
  app.get('/users', () => calls.users());
  app.post('/agent-session', () => calls.agentSession());
  app.post<{ Params: { consumerId: string }; Body: { text?: unknown } | undefined }>(
    '/consumers/:consumerId/messages',
    (request) => calls.messageConsumer(request.params.consumerId, request.body?.text),
  );
  if (lp.consumer) {
    app.get('/orders', { preHandler: app.lp.requireConsumer() }, async (request) => ({
      sub: request.lp!.consumer!.sub,
    }));
  }
  return app;
}
