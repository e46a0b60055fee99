/**
 * `doctor`'s check of one credential: obtain a token where the flow has one, then send one harmless
 * read that the credential authorizes, and see whether LivePerson accepts it.
 *
 * @module
 */
import { isLpAuthError, type LpApiError, type LpAuth, type QueryValue } from '@lp-auth/core';
import type { Flow } from '../config.js';
import { tokenManagerOf } from '../lp-auth-session.js';
import { relativeTime } from '../relative-time.js';
import { checkResult, type CheckResult } from './check-result.js';
import { diagnose } from './diagnose.js';

interface Probe {
  service: string;
  path: string;
  query?: Record<string, QueryValue>;
}

/**
 * A read-only request per flow whose answer shows whether LivePerson accepted the credential. The
 * namespaces and session ids are made up: an empty answer (or a 404) is as good as a full one, only
 * 401 means the credential was refused. Login has none: its login is already LivePerson's answer.
 */
const PROBES: Partial<Record<Flow, Probe>> = {
  appJwt: {
    service: 'accountConfigReadOnly',
    path: '/api/account/{accountId}/configuration/le-users/skills',
    query: { v: '2.0' },
  },
  orchestratorV1: {
    service: 'orchestratorContext',
    path: '/v1/account/{accountId}/lp-auth-doctor/probe/properties',
  },
  orchestratorV2: {
    service: 'orchestratorContext',
    path: '/v2/context/document/{accountId}/lp-auth-doctor/probe',
  },
  oauth1: {
    service: 'accountConfigReadOnly',
    path: '/api/account/{accountId}/configuration/le-users/users',
    query: { v: '4.0' },
  },
};

/** Checks the `flow` client of `lp`. Resolves with a report line; never throws. */
export async function checkCredential(lp: LpAuth, flow: Flow, csdsUrl: string): Promise<CheckResult> {
  const context = { csdsUrl, accountId: lp.accountId };
  const found: string[] = [];
  try {
    const client = lp.client(flow);
    const tokens = tokenManagerOf(client);
    if (tokens) {
      const token = await tokens.getToken();
      found.push(`token obtained, expires ${relativeTime(token.expiresAt)}`);
    }
    const probe = PROBES[flow];
    if (probe) {
      try {
        const { status } = await client.request({ ...probe, method: 'GET' });
        found.push(`${probe.service} accepted a request (${status})`);
      } catch (error) {
        const status = isLpAuthError(error, 'api_error') ? (error as LpApiError).status : undefined;
        if (status === undefined || status === 401) throw error;
        // Anything but 401 means the credential itself passed.
        found.push(
          status === 403
            ? `${probe.service} accepted the credential but denied the sample read (403: a permission, not a credential problem)`
            : `${probe.service} accepted the credential (the sample read answered ${status})`,
        );
      }
    }
    return checkResult(flow, 'ok', found.join('; '));
  } catch (error) {
    const failed = diagnose(flow, error, context);
    return found.length ? { ...failed, result: `${found.join('; ')}; but ${failed.result}` } : failed;
  }
}
