import { ConfigError } from '../errors/index.js';

/** Conversation Orchestrator regions and the zone number of their hosts. */
export const ORCHESTRATOR_REGIONS = { us: 1, emea: 2, apac: 3 } as const;
export type OrchestratorRegion = keyof typeof ORCHESTRATOR_REGIONS;

/**
 * Conversation Orchestrator services live on regional hosts that CSDS does not list. These are
 * the names `LpClient.request({ service })` takes for them.
 */
export const REGIONAL_SERVICES = {
  /** Context Service v1, v2 login and Next Actions v2: `z{n}.context.liveperson.net`. */
  orchestratorContext: (zone: number) => `https://z${zone}.context.liveperson.net`,
  /** Context Service v2 documents: `z{n}.ccs.liveperson.net`. */
  orchestratorCcs: (zone: number) => `https://z${zone}.ccs.liveperson.net`,
  /** Next Actions v1: `z{n}.askmaven.liveperson.net`. */
  orchestratorAskMaven: (zone: number) => `https://z${zone}.askmaven.liveperson.net`,
} as const;
export type RegionalService = keyof typeof REGIONAL_SERVICES;

export function isRegionalService(service: string): service is RegionalService {
  return Object.hasOwn(REGIONAL_SERVICES, service);
}

/** Validates a region option; the error names the field and the accepted values. */
export function parseRegion(field: string, value: unknown): OrchestratorRegion {
  if (typeof value === 'string' && Object.hasOwn(ORCHESTRATOR_REGIONS, value.toLowerCase())) {
    return value.toLowerCase() as OrchestratorRegion;
  }
  throw new ConfigError(
    field,
    `unknown region ${JSON.stringify(value)}; use one of ${Object.keys(ORCHESTRATOR_REGIONS).join(', ')}.`,
  );
}

/** The base URL of a regional service. */
export function regionalBaseUrl(service: RegionalService, region: OrchestratorRegion): string {
  return REGIONAL_SERVICES[service](ORCHESTRATOR_REGIONS[region]);
}
