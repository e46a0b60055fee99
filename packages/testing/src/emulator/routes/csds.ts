import type { EmulatorContext } from '../context.js';
import { json, type EmulatorRequest, type EmulatorResponse } from '../http.js';
import { lpError } from '../lp-errors.js';
import type { RouteDefinition } from '../router.js';

/** The common services of wire page §1, every one pointing at the emulator unless overridden. */
export const COMMON_SERVICES = [
  'agentVep',
  'sentinel',
  'idp',
  'asyncMessagingEnt',
  'facadeMsg',
  'accountConfigReadOnly',
  'accountConfigReadWrite',
  'msgHist',
  'engHistDomain',
  'leDataReporting',
  'msgEwtAPI',
  'smt',
  'mavenContext',
  'faasGW',
] as const;

/** Checks `version` and the account, as CSDS does; an error response, or undefined when fine. */
function check(request: EmulatorRequest, context: EmulatorContext): EmulatorResponse | undefined {
  const version = request.url.searchParams.get('version');
  if (version === null) return lpError(400, 'Missing mandatory query parameter: version');
  if (version !== '1.0') return lpError(400, `Unsupported version: ${version}`);
  if (request.params.acct !== context.accountId) {
    return lpError(401, `Account ${request.params.acct ?? ''} is not valid`);
  }
  return undefined;
}

/** Domain API (CSDS), wire page §1: all services, or one. No authentication. */
export const csdsRoutes: readonly RouteDefinition[] = [
  {
    name: 'csds.all',
    methods: ['GET'],
    path: '/api/account/{acct}/service/baseURI.json',
    handler: (request, context) =>
      check(request, context) ??
      json(200, {
        baseURIs: [...context.services].map(([service, baseURI]) => ({
          service,
          account: context.accountId,
          baseURI,
        })),
      }),
  },
  {
    name: 'csds.one',
    methods: ['GET'],
    path: '/api/account/{acct}/service/{service}/baseURI.json',
    handler: (request, context) => {
      const failed = check(request, context);
      if (failed) return failed;
      const service = request.params.service ?? '';
      const baseURI = context.services.get(service); // case-sensitive, as LivePerson's
      if (baseURI === undefined)
        return lpError(404, `Service ${service} not found for account ${context.accountId}`);
      return json(200, { service, account: context.accountId, baseURI });
    },
  },
];
