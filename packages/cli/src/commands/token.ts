/**
 * `lp-auth token <flow>`: a fresh token of a configured credential, for curl and Postman.
 *
 * @module
 */
import type { LpAuthOptions } from '@lp-auth/core';
import { COMMON_OPTIONS, CONFIG_OPTIONS, parseCommandArgs, type Command } from '../command.js';
import {
  FLOWS,
  explainEmptyEnvFile,
  loadEnvironment,
  optionsFromFlags,
  parseFlow,
  type ConfigFlags,
  type Flow,
} from '../config.js';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { Printer, type CliIo } from '../io.js';
import { cliLogger } from '../logger.js';
import { onlyFlows, tokenManagerOf, withLpAuth } from '../lp-auth-session.js';
import { relativeTime } from '../relative-time.js';

const usage = `Usage: lp-auth token <flow> [--json] [--account ID] [--dotenv PATH]

Prints a fresh token of a configured credential on stdout, for curl and Postman:
  curl -H "Authorization: Bearer $(npx lp-auth token appJwt)" …

Flows with a token:
  appJwt          Sentinel AppJWT (client credentials), valid about an hour
  orchestratorV2  Conversation Orchestrator v2 login token, valid about a day
  login           Login Service bearer (user or bot). The session ends when it is not kept
                  alive (/refresh) for a while; this command does not log it out.
orchestratorV1 (a static API key) and oauth1 (signed requests) have no token.

Options:
  --json              print { flow, token, expiresAt } (expiresAt in ISO 8601)
  --account ID        the account id (wins over LP_ACCOUNT_ID)
  --dotenv PATH       read LP_* variables from this file (default ./.env when present);
                      variables already set in the environment win
  -h, --help

Configuration: the LP_* variables of @lp-auth/core (see the README).
Exit codes: 0 printed, 1 LivePerson refused or could not be reached, 2 usage or configuration error.`;

/** Why a flow has no token, and what to use instead. */
const NO_TOKEN: Readonly<Record<string, string>> = {
  orchestratorV1:
    'orchestratorV1 uses a static API key, sent as the "maven-api-key" header; there is no token to fetch. ' +
    'Use the key from LP_ORCHESTRATOR_API_KEY itself.',
  oauth1:
    'oauth1 signs every request with OAuth 1.0 (HMAC-SHA1, a fresh nonce each time); there is no token to ' +
    'print. Sign requests with @lp-auth/core (lp.clients.oauth1), or Postman’s "OAuth 1.0" authorization.',
};

export const tokenCommand: Command = {
  name: 'token',
  summary: 'print a fresh token of a configured credential (appJwt, orchestratorV2, login)',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs('token', args, { ...COMMON_OPTIONS, ...CONFIG_OPTIONS });
    if (values.help) {
      new Printer(io).out(usage);
      return ExitCode.ok;
    }
    if (positionals.length !== 1) {
      throw new UsageError(`token takes one flow: ${FLOWS.join(', ')}. See "lp-auth token --help".`);
    }
    const flow = parseFlow(positionals[0]!);
    if (!flow) {
      throw new UsageError(`unknown flow "${positionals[0]!}"; use one of ${FLOWS.join(', ')}.`);
    }
    const noToken = NO_TOKEN[flow];
    if (noToken) throw new CliError('flow_has_no_token', noToken);

    const flags = { account: values.account, envFile: values.dotenv };
    const loaded = await loadEnvironment(flags, io.env, io.cwd);
    const printer = new Printer(io, loaded.env);
    const { options, token } = await fetchToken(flow, flags, loaded.env, printer).catch((error: unknown) =>
      Promise.reject(explainEmptyEnvFile(loaded, error)),
    );
    const expiresAt = new Date(token.expiresAt).toISOString();
    if (values.json) {
      printer.unscrubbed(JSON.stringify({ flow, token: token.value, expiresAt }));
    } else {
      printer.unscrubbed(token.value);
      printer.err(
        `# ${flow} token for account ${options.accountId}, expires ${relativeTime(token.expiresAt)} (${expiresAt})`,
      );
    }
    return ExitCode.ok;
  },
};

/** A fresh token of `flow`, from an `LpAuth` that holds that one credential only. */
async function fetchToken(
  flow: Flow,
  flags: ConfigFlags,
  env: Readonly<Record<string, string | undefined>>,
  printer: Printer,
) {
  const configured = optionsFromFlags(flags, env);
  const options: LpAuthOptions = { ...onlyFlows(configured, [flow]), logger: cliLogger(printer) };
  // Logging out on close would end the session whose bearer we are about to hand out.
  if (options.credentials?.login)
    options.credentials.login = { ...options.credentials.login, logoutOnClose: false };
  const token = await withLpAuth(options, async (lp) => {
    const tokens = tokenManagerOf(lp.client(flow));
    if (!tokens) throw new CliError('flow_has_no_token', `${flow} has no token to print.`);
    return tokens.getToken();
  });
  return { options, token };
}
