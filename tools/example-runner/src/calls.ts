import type { LpAuth } from '@lp-auth/core';

const SKILLS = '/api/account/{accountId}/configuration/le-users/skills';
const USERS = '/api/account/{accountId}/configuration/le-users/users';
const AGENT_SESSION = '/api/account/{accountId}/agentSession';
const CONVERSATION = '/api/account/{accountId}/messaging/consumer/conversation';
const SEND = '/api/account/{accountId}/messaging/consumer/conversation/send';

const segment = (value: string) => encodeURIComponent(value);

/**
 * The LivePerson calls behind the example routes, written once; each framework's app only maps its
 * routes to them. Each uses one configured client and resolves with what the route answers.
 */
export function exampleCalls(lp: LpAuth) {
  return {
    /** AppJWT (OAuth 2.0 client credentials): the account's skills. */
    skills: async () =>
      (
        await lp
          .client('appJwt')
          .request({ service: 'accountConfigReadOnly', path: SKILLS, query: { v: '2.0' } })
      ).data,

    /** Conversation Orchestrator v1 (maven-api-key): write, then read, Context Service properties. */
    putContextV1: async (namespace: string, session: string, properties: unknown) => {
      const path = `/v1/account/{accountId}/${segment(namespace)}/${segment(session)}/properties`;
      const client = lp.client('orchestratorV1');
      await client.request({ service: 'orchestratorContext', path, method: 'PUT', json: properties ?? {} });
      return (await client.request({ service: 'orchestratorContext', path })).data;
    },

    /** Conversation Orchestrator v2 (Basic login → token): a Context Service document. */
    contextV2: async (namespace: string, session: string) => {
      const path = `/v2/context/document/{accountId}/${segment(namespace)}/${segment(session)}`;
      return (await lp.client('orchestratorV2').request({ service: 'orchestratorCcs', path })).data;
    },

    /** OAuth 1.0 API key (every request signed): the account's users. */
    users: async () =>
      (
        await lp
          .client('oauth1')
          .request({ service: 'accountConfigReadOnly', path: USERS, query: { v: '4.0' } })
      ).data,

    /** Login Service (bearer + keepalive): an agent session as the logged-in user. */
    agentSession: async () =>
      (
        await lp
          .client('login')
          .request({ service: 'agentVep', path: AGENT_SESSION, method: 'POST', query: { v: 1, NC: true } })
      ).data,

    /** Send API (AppJWT + ConsumerJWS): open a conversation for a consumer and send it a message. */
    messageConsumer: async (consumerId: string, text: unknown) => {
      const client = lp.client('appJwt');
      const opened = await client.request<{ body: { conversationId?: string } }[]>({
        service: 'asyncMessagingEnt',
        path: CONVERSATION,
        method: 'POST',
        query: { v: 3 },
        onBehalfOf: consumerId,
        json: [
          {
            kind: 'req',
            id: '1,',
            type: 'userprofile.SetUserProfile',
            body: { authenticatedData: { lp_sdes: [] } },
          },
          { kind: 'req', id: '2,', type: 'cm.ConsumerRequestConversation', body: { brandId: lp.accountId } },
        ],
      });
      const dialogId = opened.data[1]?.body.conversationId;
      const message = typeof text === 'string' ? text : 'Hello from @lp-auth';
      const sent = await client.request({
        service: 'asyncMessagingEnt',
        path: SEND,
        method: 'POST',
        query: { v: 3 },
        onBehalfOf: consumerId,
        json: {
          kind: 'req',
          id: 1,
          type: 'ms.PublishEvent',
          body: { dialogId, event: { type: 'ContentEvent', contentType: 'text/plain', message } },
        },
      });
      return { conversationId: dialogId, sent: sent.data };
    },
  };
}

export type ExampleCalls = ReturnType<typeof exampleCalls>;
