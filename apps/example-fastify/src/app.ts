import Fastify, { type FastifyInstance } from 'fastify';
import { lpAuth } from '@lp-auth/fastify';
import type { LpAuth } from '@lp-auth/core';
import { exampleCalls } from 'example-runner';

type Params = { namespace: string; session: string };

/**
 * The example's routes on Fastify: the same as every framework's example, over the shared calls.
 * With the `consumer` option, `GET /orders` is only for consumers signed in at the brand's
 * identity provider (a valid id_token as `Authorization: Bearer …`). With `appAuthorization`,
 * `GET /` and `GET /me` are the "Log in with LivePerson" pages.
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
  if (lp.appAuthorization) addLoginRoutes(app);
  return app;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * "Log in with LivePerson" (application authorization): the plugin already serves `/auth/login`,
 * the callback and `/auth/logout` from its `onRequest` hook (so the logout form's urlencoded POST
 * is answered before Fastify parses a body), and puts the logged-in user on `request.lp.user`;
 * these pages use it.
 */
function addLoginRoutes(app: FastifyInstance): void {
  app.get('/', async (request, reply) => {
    const user = request.lp!.user;
    const body = user
      ? `<p>Logged in to LivePerson as user ${escapeHtml(user.user.id)}.</p>
<p><a href="/me">What LivePerson says about me</a></p>
<form method="post" action="/auth/logout"><button>Log out</button></form>`
      : '<p><a href="/auth/login?returnTo=/">Log in with LivePerson</a></p>';
    return reply.type('text/html; charset=utf-8')
      .send(`<!doctype html><meta charset="utf-8"><title>@lp-auth example</title>
<h1>@lp-auth Fastify example</h1>${body}`);
  });
  app.get('/me', async (request, reply) => {
    const user = request.lp!.user;
    if (!user) return reply.code(401).send({ error: 'login_required', login: '/auth/login?returnTo=/me' });
    // A call to LivePerson as this user: their access token, refreshed (and rotated) as needed.
    const { data } = await user.client.request<unknown[]>({
      service: 'accountConfigReadOnly',
      path: '/api/account/{accountId}/configuration/le-users/skills',
    });
    return {
      userId: user.user.id,
      isAdmin: user.user.isAdmin,
      skills: Array.isArray(data) ? data.length : 0,
    };
  });
}
