import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { isJsonObject, json, readJson, type EmulatorRequest, type EmulatorResponse } from '../http.js';
import type { RouteDefinition } from '../router.js';
import { idpState, verifyRawAppJwt } from './idp.js';

/** The Send API's error codes (wire page §4). */
const MISSING_PARAMETER = 40001;
const INVALID_APP_JWT = 40102;
const INVALID_CONSUMER_JWS = 40103;
const MISSING_CONSUMER_JWS = 40104;
const MISSING_APP_JWT = 40105;

/** The Send API's error body: `{"kind":"resp","code":401,"body":{"title","details","errorCode"},"type":".ReqBody$ErrorResp"}`. */
function sendError(status: number, title: string, details: string, errorCode?: number): EmulatorResponse {
  return json(status, {
    kind: 'resp',
    code: status,
    body: { title, details, ...(errorCode !== undefined ? { errorCode } : {}) },
    type: '.ReqBody$ErrorResp',
  });
}

/** Conversations opened through the Send API, and who owns each. */
const conversations = (context: EmulatorContext) =>
  context.store('send.conversations', () => new Map<string, { lpConsumerId: string; sequence: number }>());

/** Checks the two tokens; resolves to the consumer the JWS names, or the 401 LivePerson answers. */
async function authenticate(
  request: EmulatorRequest,
  context: EmulatorContext,
): Promise<{ lpConsumerId: string } | EmulatorResponse> {
  if (request.url.searchParams.get('v') !== '3') {
    return sendError(400, 'Bad Request', 'query parameter v=3 is required', MISSING_PARAMETER);
  }
  const authorization = request.headers.authorization;
  const onBehalf = request.headers['x-lp-on-behalf'];
  if (!authorization) return sendError(401, 'Unauthorized', 'AppJWT is missing', MISSING_APP_JWT);
  if (typeof onBehalf !== 'string' || onBehalf === '') {
    return sendError(401, 'Unauthorized', 'ConsumerJWS is missing (X-LP-ON-BEHALF)', MISSING_CONSUMER_JWS);
  }
  const app = verifyRawAppJwt(authorization, context);
  if ('failure' in app)
    return sendError(401, 'Unauthorized', `AppJWT is invalid: ${app.failure}`, INVALID_APP_JWT);
  const jws = (await idpState(context).keys).verify(onBehalf);
  if ('failure' in jws) {
    return sendError(401, 'Unauthorized', `ConsumerJWS is invalid: ${jws.failure}`, INVALID_CONSUMER_JWS);
  }
  const { account_id: account, lp_consumer_id: lpConsumerId } = jws.payload;
  if (account !== context.accountId || account !== request.params.acct || typeof lpConsumerId !== 'string') {
    return sendError(401, 'Unauthorized', 'ConsumerJWS is not valid for this account', INVALID_CONSUMER_JWS);
  }
  return { lpConsumerId };
}

/** `POST …/conversation?v=3`: a batch of requests; `cm.ConsumerRequestConversation` opens a conversation. */
async function openConversation(
  request: EmulatorRequest,
  context: EmulatorContext,
): Promise<EmulatorResponse> {
  const who = await authenticate(request, context);
  if (!('lpConsumerId' in who)) return who;
  const body = await readJson(request);
  const batch = Array.isArray(body) ? body : [body];
  if (!batch.every(isJsonObject))
    return sendError(400, 'Bad Request', 'The body must be a request or an array of requests');
  const answers = (batch as Record<string, unknown>[]).map((req) => {
    if (req.type === 'cm.ConsumerRequestConversation') {
      const conversationId = randomUUID();
      conversations(context).set(conversationId, { lpConsumerId: who.lpConsumerId, sequence: 0 });
      return {
        kind: 'resp',
        reqId: req.id,
        code: 200,
        body: { conversationId },
        type: 'cm.RequestConversationResponse',
      };
    }
    return { kind: 'resp', reqId: req.id, code: 200, body: 'Success', type: 'GenericSubscribeResponse' };
  });
  return json(200, Array.isArray(body) ? answers : answers[0]);
}

/** `POST …/conversation/send?v=3`: `ms.PublishEvent` into a conversation the consumer owns. */
async function publish(request: EmulatorRequest, context: EmulatorContext): Promise<EmulatorResponse> {
  const who = await authenticate(request, context);
  if (!('lpConsumerId' in who)) return who;
  const body = await readJson(request);
  const inner = isJsonObject(body) && isJsonObject(body.body) ? body.body : undefined;
  const dialogId = inner?.dialogId ?? inner?.conversationId;
  if (!isJsonObject(body) || typeof dialogId !== 'string') {
    return sendError(400, 'Bad Request', 'body.dialogId is required', MISSING_PARAMETER);
  }
  const conversation = conversations(context).get(dialogId);
  // Decision: another consumer's conversation is a 403 in the same error shape (LivePerson does not document it).
  if (!conversation || conversation.lpConsumerId !== who.lpConsumerId) {
    return sendError(403, 'Forbidden', 'The conversation does not exist or belongs to another consumer');
  }
  const sequence = conversation.sequence++;
  return json(200, {
    kind: 'resp',
    reqId: body.id,
    code: 200,
    body: { sequence },
    type: 'ms.PublishEventResponse',
  });
}

/** The Send API, wire page §4 (service `asyncMessagingEnt`): AppJWT raw + `X-LP-ON-BEHALF: <ConsumerJWS>`. */
export const sendApiRoutes: readonly RouteDefinition[] = [
  {
    name: 'send.conversation',
    methods: ['POST'],
    path: '/api/account/{acct}/messaging/consumer/conversation',
    handler: openConversation,
  },
  {
    name: 'send.message',
    methods: ['POST'],
    path: '/api/account/{acct}/messaging/consumer/conversation/send',
    handler: publish,
  },
];
