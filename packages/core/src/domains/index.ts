export { DomainResolver, DEFAULT_CSDS_URL, type DomainResolverOptions } from './csds.js';
export {
  ORCHESTRATOR_REGIONS,
  REGIONAL_SERVICES,
  isRegionalService,
  parseRegion,
  regionalBaseUrl,
  type OrchestratorRegion,
  type RegionalService,
} from './regions.js';
