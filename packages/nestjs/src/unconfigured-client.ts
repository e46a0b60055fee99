import type { LpAuth, LpClient } from '@lp-auth/core';
import type { LpClientKind } from './tokens.js';

/**
 * Stands in for the client of a credential that is not configured: Nest builds every provider at
 * start-up, so the module cannot fail there for a client nobody injects. Any use throws the core's
 * `config_invalid` error that says how to configure the credential.
 */
export function unconfiguredClient(lp: LpAuth, kind: LpClientKind): LpClient {
  const fail = (): never => {
    lp.client(kind); // throws ConfigError naming credentials.<kind>
    throw new Error(`unreachable: ${kind} is configured`);
  };
  return {
    fetch: async () => fail(),
    request: async () => fail(),
    get credential() {
      return fail();
    },
  } as unknown as LpClient;
}
