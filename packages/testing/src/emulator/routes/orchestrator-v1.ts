import { secretEquals } from '../credentials.js';
import { isJsonObject, json, readJson, type EmulatorRequest } from '../http.js';
import { awsError } from '../lp-errors.js';
import type { EmulatorContext } from '../context.js';
import type { RouteDefinition } from '../router.js';

type Properties = Record<string, unknown>;

const propertiesOf = (context: EmulatorContext) =>
  context.store('co.v1.properties', () => new Map<string, Properties>());

async function contextProperties(request: EmulatorRequest, context: EmulatorContext) {
  const key = request.headers['maven-api-key'];
  const presented = Array.isArray(key) ? key[0] : key;
  if (
    !secretEquals(presented, context.credentials.orchestratorV1.apiKey) ||
    request.params.acct !== context.accountId
  ) {
    return awsError(401);
  }
  const store = propertiesOf(context);
  const id = `${request.params.namespace ?? ''}/${request.params.sessionId ?? ''}`;
  if (request.method === 'GET') return json(200, store.get(id) ?? {});

  const body = await readJson(request);
  if (!isJsonObject(body)) return awsError(400, 'The body must be a JSON object of properties');
  const next = request.method === 'PUT' ? { ...body } : { ...store.get(id), ...body };
  store.set(id, next);
  return json(200, next);
}

/**
 * Conversation Orchestrator v1 Context Service, wire page §6: properties of a session in a
 * namespace, kept in memory. PUT replaces, PATCH merges, GET reads (`{}` when nothing was stored).
 * Requires the `maven-api-key` header.
 */
export const orchestratorV1Routes: readonly RouteDefinition[] = [
  {
    name: 'co.v1.context',
    methods: ['GET', 'PUT', 'PATCH'],
    path: '/v1/account/{acct}/{namespace}/{sessionId}/properties',
    handler: contextProperties,
  },
];
