/**
 * Building an `LpAuth` for one command run from flags and environment, and reaching a credential's
 * token engine.
 *
 * @module
 */
import { createLpAuth, type LpAuth, type LpAuthOptions, type LpClient } from '@lp-auth/core';
import { type TokenManager } from '@lp-auth/core/adapter';
import { CliError } from './errors.js';
import { FLOW_VARIABLES, type Flow } from './config.js';

/**
 * The options with only `flows` kept among the credentials, so that a command that needs one flow
 * does not build (and warn about) the others. Throws `flow_not_configured` naming the variables to set.
 */
export function onlyFlows(options: LpAuthOptions, flows: readonly Flow[]): LpAuthOptions {
  const credentials: NonNullable<LpAuthOptions['credentials']> = {};
  for (const flow of flows) {
    const configured = options.credentials?.[flow];
    if (!configured) {
      throw new CliError(
        'flow_not_configured',
        `no ${flow} credential is configured: set ${FLOW_VARIABLES[flow]} (in the environment, ./.env or --dotenv).`,
      );
    }
    Object.assign(credentials, { [flow]: configured });
  }
  return { ...options, credentials };
}

/** `createLpAuth`, closed whatever `use` does. */
export async function withLpAuth<T>(options: LpAuthOptions, use: (lp: LpAuth) => Promise<T>): Promise<T> {
  const lp = createLpAuth(options);
  try {
    return await use(lp);
  } finally {
    await lp.close();
  }
}

/**
 * The token engine behind a bearer-token client (appJwt, orchestratorV2, login), or undefined for
 * the flows that have no token (the v1 key, OAuth 1.0). Core's credential interface does not expose
 * it; the bearer credentials each carry it as `tokens`.
 */
export function tokenManagerOf(client: LpClient): TokenManager | undefined {
  const tokens = (client.credential as { tokens?: unknown }).tokens;
  return tokens && typeof (tokens as TokenManager).getToken === 'function'
    ? (tokens as TokenManager)
    : undefined;
}
