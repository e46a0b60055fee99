import type { RouteDefinition } from '../router.js';
import { accountConfigRoutes } from './account-config.js';
import { csdsRoutes } from './csds.js';
import { idpRoutes } from './idp.js';
import { loginRoutes } from './login.js';
import { oauth1Routes } from './oauth1.js';
import { orchestratorV1Routes } from './orchestrator-v1.js';
import { orchestratorV2Routes } from './orchestrator-v2.js';
import { sendApiRoutes } from './send-api.js';
import { sentinelRoutes } from './sentinel.js';
import { sentinelAuthorizeRoutes } from './sentinel-authorize.js';
import { sentinelUserTokenRoutes } from './sentinel-user-token.js';

export { COMMON_SERVICES } from './csds.js';

/**
 * Every route module the emulator serves. A new LivePerson API is a new module here; the server
 * itself does not change. Order matters only between patterns that overlap.
 */
export const defaultRoutes: readonly RouteDefinition[] = [
  ...csdsRoutes,
  ...sentinelRoutes,
  ...sentinelAuthorizeRoutes,
  ...sentinelUserTokenRoutes,
  ...accountConfigRoutes,
  ...orchestratorV1Routes,
  ...orchestratorV2Routes,
  ...oauth1Routes,
  ...loginRoutes,
  ...idpRoutes,
  ...sendApiRoutes,
];
