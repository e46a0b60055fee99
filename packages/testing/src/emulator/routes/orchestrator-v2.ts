import { randomUUID } from 'node:crypto';
import { secretEquals } from '../credentials.js';
import type { EmulatorContext } from '../context.js';
import {
  bearerToken,
  isJsonObject,
  json,
  readJson,
  type EmulatorRequest,
  type EmulatorResponse,
} from '../http.js';
import { awsError } from '../lp-errors.js';
import type { RouteDefinition } from '../router.js';
import { notExpired } from '../signing-keys.js';

/** The imitated Cognito user pool (issuer) and app client (audience) of the v2 login tokens. */
export const COGNITO_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LpAuthEmu';
export const COGNITO_CLIENT_ID = '4kq1emulatorlpauth0client0';

interface StoredDocument {
  payload: Record<string, unknown>;
  expiresAt: number;
}

const documentsOf = (context: EmulatorContext) =>
  context.store('co.v2.documents', () => new Map<string, StoredDocument>());

/** The account ids a request may name: the emulator's, with or without LivePerson's `le` prefix. */
const isOurAccount = (context: EmulatorContext, account: unknown) =>
  account === context.accountId || account === `le${context.accountId}`;

function login(request: EmulatorRequest, context: EmulatorContext): EmulatorResponse {
  const match = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(request.headers.authorization ?? '');
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const { username, password } = context.credentials.orchestratorV2;
  const ok =
    colon > 0 &&
    secretEquals(decoded.slice(0, colon), username) &&
    secretEquals(decoded.slice(colon + 1), password);
  if (!ok) return awsError(401);
  const iat = Math.floor(Date.now() / 1000);
  const token = context.cognitoKeys.sign({
    sub: randomUUID(),
    aud: COGNITO_CLIENT_ID,
    iss: COGNITO_ISSUER,
    token_use: 'id',
    'cognito:username': username,
    auth_time: iat,
    iat,
    exp: iat + context.tokenLifetime('co.v2.login'),
    jti: randomUUID(),
  });
  return json(200, { token });
}

/** The v2 token from `?access_token=` or `Authorization: Bearer`, verified; an error response otherwise. */
function authenticate(request: EmulatorRequest, context: EmulatorContext): EmulatorResponse | undefined {
  const token = request.url.searchParams.get('access_token') ?? bearerToken(request);
  if (!token) return awsError(401);
  const verified = context.cognitoKeys.verify(token);
  if ('failure' in verified) return awsError(401);
  const { payload } = verified;
  if (!notExpired(payload) || payload.iss !== COGNITO_ISSUER || payload.token_use !== 'id') {
    return awsError(401);
  }
  return undefined;
}

const documentKey = (nameSpace: string, sessionId: string | undefined) => `${nameSpace}:${sessionId ?? ''}`;

function readDocument(request: EmulatorRequest, context: EmulatorContext): EmulatorResponse {
  const denied = authenticate(request, context);
  if (denied) return denied;
  if (!isOurAccount(context, request.params.acct)) return awsError(403);
  const key = documentKey(request.params.nameSpace ?? '', request.params.sessionId);
  const documents = documentsOf(context);
  const found = documents.get(key);
  if (found && found.expiresAt <= Date.now()) documents.delete(key);
  return json(200, found && found.expiresAt > Date.now() ? found.payload : {});
}

async function createDocument(request: EmulatorRequest, context: EmulatorContext): Promise<EmulatorResponse> {
  const denied = authenticate(request, context);
  if (denied) return denied;
  const body = await readJson(request);
  if (!isJsonObject(body) || typeof body.nameSpace !== 'string' || !isJsonObject(body.payload)) {
    return awsError(400, 'Expected {"accountId","nameSpace","sessionId","ttlSeconds","payload":{…}}');
  }
  if (!isOurAccount(context, body.accountId)) return awsError(403);
  const sessionId = typeof body.sessionId === 'string' ? body.sessionId : undefined;
  const ttl = typeof body.ttlSeconds === 'number' && body.ttlSeconds > 0 ? body.ttlSeconds : 24 * 60 * 60;
  const key = documentKey(body.nameSpace, sessionId);
  const documents = documentsOf(context);
  const previous = documents.get(key);
  const kept = previous && previous.expiresAt > Date.now() ? previous.payload : {};
  // "overwrites existing properties and inserts non-existing properties"
  documents.set(key, { payload: { ...kept, ...body.payload }, expiresAt: Date.now() + ttl * 1000 });
  const tenantId = String(body.accountId);
  return json(201, {
    documentKey: [tenantId, body.nameSpace, ...(sessionId ? [sessionId] : [])].join(':'),
    tenantId,
    success: true,
  });
}

/** Conversation Orchestrator v2, wire page §6: Basic login for a Cognito-like JWT, and Context Service v2. */
export const orchestratorV2Routes: readonly RouteDefinition[] = [
  { name: 'co.v2.login', methods: ['POST'], path: '/v2/authenticate/login', handler: login },
  { name: 'co.v2.context', methods: ['POST'], path: '/v2/context/document/create', handler: createDocument },
  {
    name: 'co.v2.context',
    methods: ['GET'],
    path: '/v2/context/document/{acct}/{nameSpace}/{sessionId}',
    handler: readDocument,
  },
  {
    name: 'co.v2.context',
    methods: ['GET'],
    path: '/v2/context/document/{acct}/{nameSpace}',
    handler: readDocument,
  },
];
