/**
 * Turns an error from `@lp-auth/core` into what `doctor` prints: a short finding and a fix a person
 * can act on. Only the error's class, code and status are read, never a request, so no secret can
 * reach the report from here.
 *
 * @module
 */
import {
  isLpAuthError,
  type ConfigError,
  type CredentialsRejectedError,
  type CsdsUnavailableError,
  type DomainNotFoundError,
  type LpApiError,
  type LpAuthError,
  type LpAuthErrorCode,
  type RetryBudgetExceededError,
  type TimeoutError,
  type TokenRequestError,
} from '@lp-auth/core';
import { FLOW_VARIABLES, type Flow } from '../config.js';
import { checkResult, type CheckResult } from './check-result.js';

/** What to check when LivePerson refused a flow's credentials. */
const REJECTED_FIX: Readonly<Record<Flow, string>> = {
  appJwt:
    'Check LP_APP_JWT_CLIENT_ID and LP_APP_JWT_CLIENT_SECRET against the application installed for this ' +
    'account (Conversational Cloud, "API Management" / the app installation), and that LP_ACCOUNT_ID is its account.',
  orchestratorV1:
    'Check LP_ORCHESTRATOR_API_KEY (Conversation Orchestrator, "API Authorization") and LP_ORCHESTRATOR_REGION.',
  orchestratorV2:
    'Check LP_ORCHESTRATOR_USERNAME and LP_ORCHESTRATOR_PASSWORD, and that LP_ORCHESTRATOR_REGION is the ' +
    'region of the account.',
  oauth1:
    'Check the four LP_OAUTH1_* values of the API key, and that it is enabled for this account. OAuth 1.0 ' +
    'ended on 2026-05-31: move to an OAuth 2.0 application (appJwt).',
  login:
    'Check LP_LOGIN_USERNAME with LP_LOGIN_PASSWORD (user), or LP_LOGIN_APP_KEY and LP_LOGIN_SECRET (bot), ' +
    'and that the user is enabled in this account.',
};

/**
 * The report line for `error`, raised while checking `check` (`csds` or a flow). A CSDS failure
 * under a flow is a skip: the csds line already says what to fix.
 */
export function diagnose(
  check: 'csds' | Flow,
  error: unknown,
  context: { csdsUrl: string; accountId: string },
): CheckResult {
  if (is<RetryBudgetExceededError>(error, 'retry_budget_exceeded') && error.cause !== undefined) {
    const inner = diagnose(check, error.cause, context);
    return { ...inner, result: `${inner.result} (after ${error.attempts} attempts)` };
  }
  if (is<CsdsUnavailableError>(error, 'csds_unavailable')) {
    if (check !== 'csds')
      return checkResult(check, 'skip', 'not checked: needs CSDS, which failed', 'Fix the csds check first.');
    const wrongAccount = /answered (401|404)/.test(error.message);
    return checkResult(
      check,
      'fail',
      wrongAccount ? `CSDS does not know account ${context.accountId}` : shortReason(error),
      wrongAccount
        ? `Check LP_ACCOUNT_ID (or --account): ${context.accountId} is not an account CSDS at ${context.csdsUrl} knows.`
        : `Check that CSDS (LP_CSDS_URL, now ${context.csdsUrl}) is reachable from this machine: proxy, firewall, DNS. ` +
            'Or pin the services you use with LP_DOMAINS (service=https://host,…).',
    );
  }
  if (is<DomainNotFoundError>(error, 'domain_not_found')) {
    return checkResult(
      check,
      'fail',
      `CSDS lists no "${error.service}" service for account ${error.accountId}`,
      `Check that the account has ${error.service} enabled (ask LivePerson), or set it in LP_DOMAINS as ${error.service}=https://….`,
    );
  }
  if (check !== 'csds' && is<CredentialsRejectedError>(error, 'credentials_rejected')) {
    return checkResult(
      check,
      'fail',
      `LivePerson rejected the credentials (${error.status ?? 'no status'})`,
      REJECTED_FIX[check],
    );
  }
  if (
    check !== 'csds' &&
    is<LpApiError>(error, 'api_error') &&
    (error.status === 401 || error.status === 403)
  ) {
    return checkResult(
      check,
      'fail',
      `LivePerson answered ${error.status} to a request the ${check} credential authorized`,
      REJECTED_FIX[check],
    );
  }
  if (is<TimeoutError>(error, 'timeout')) {
    return checkResult(
      check,
      'fail',
      `no answer within ${error.timeoutMs} ms`,
      'Check the network path to LivePerson (proxy, firewall), or allow more time with LP_HTTP_TIMEOUT_MS.',
    );
  }
  if (isLpAuthError(error, 'network_error')) {
    return checkResult(
      check,
      'fail',
      shortReason(error),
      'Check that this machine can reach LivePerson: DNS, firewall, and proxy (Node’s fetch ignores HTTPS_PROXY).',
    );
  }
  if (is<TokenRequestError>(error, 'token_request_failed')) {
    return checkResult(
      check,
      'fail',
      `token endpoint answered ${error.status ?? 'badly'}`,
      error.retryable
        ? 'LivePerson failed on its side; try again in a few minutes and check https://status.liveperson.com.'
        : `Check the ${check} configuration (${check === 'csds' ? 'LP_CSDS_URL' : FLOW_VARIABLES[check]}).`,
    );
  }
  if (is<ConfigError>(error, 'config_invalid')) {
    return checkResult(check, 'fail', error.message, `Fix ${error.field}.`);
  }
  if (isLpAuthError(error, 'login_blocked')) {
    return checkResult(
      check,
      'fail',
      'LivePerson blocked this login (451)',
      'Ask LivePerson support; retrying will not help.',
    );
  }
  return checkResult(
    check,
    'fail',
    shortReason(error),
    'Run "lp-auth doctor" again; if it keeps failing, report it with this output (it holds no secret).',
  );
}

/**
 * Whether `error` is the core error with `code`. By brand and code, not class: the errors may come
 * from another copy of `@lp-auth/core` than the one this file imports.
 */
function is<T extends LpAuthError>(error: unknown, code: LpAuthErrorCode): error is T {
  return isLpAuthError(error, code);
}

/** An error's message, which core builds from redacted values only. */
function shortReason(error: unknown): string {
  if (isLpAuthError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
