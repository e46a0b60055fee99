/**
 * Where the command line's configuration comes from: `--dotenv` (or `./.env` when present), the
 * process environment, and `--account`. Variables already set in the environment win over the file,
 * as with `node --env-file` and dotenv, so that a one-off `LP_ACCOUNT_ID=… lp-auth doctor` works.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import {
  CREDENTIAL_KINDS,
  isLpAuthError,
  optionsFromEnv,
  type CredentialKind,
  type LpAuthOptions,
} from '@lp-auth/core';
import { CliError, ExitCode } from './errors.js';

/** The flags every configured command (`token`, `doctor`) takes. */
export interface ConfigFlags {
  /** `--account`: wins over `LP_ACCOUNT_ID`. */
  account?: string;
  /** `--dotenv`: a file that must exist; without it `./.env` is read when present. */
  envFile?: string;
}

/** The environment a command works with, and where it came from (for `doctor`'s report). */
export interface LoadedEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  /** The env file read, or undefined when none was. */
  envFile?: string;
  /**
   * The env file exists but defines no variable. Said instead of the first missing option: a file
   * still being written (`lp-auth emulator > .env &`, which truncates it first) is empty.
   */
  envFileEmpty?: boolean;
}

/**
 * The process environment merged over the variables of the env file. A missing default `./.env` is
 * fine; a missing or unreadable `--env-file` is a usage error, since the user asked for it.
 */
export async function loadEnvironment(
  flags: ConfigFlags,
  processEnv: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<LoadedEnvironment> {
  const explicit = flags.envFile !== undefined;
  const path = resolve(cwd, flags.envFile ?? '.env');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!explicit && code === 'ENOENT') return { env: processEnv };
    throw new CliError(
      'env_file_unreadable',
      `cannot read the env file ${path} (${code ?? 'unknown error'}). Check the path given to --dotenv.`,
    );
  }
  const fromFile = parseEnv(text);
  const env: Record<string, string | undefined> = { ...fromFile };
  for (const [name, value] of Object.entries(processEnv)) if (value !== undefined) env[name] = value;
  const empty = Object.keys(fromFile).length === 0;
  return { env, envFile: path, ...(empty ? { envFileEmpty: true } : {}) };
}

/** What to say when the env file is empty: the finding and the fix. */
export function emptyEnvFile(path: string): { result: string; fix: string } {
  return {
    result: `${path} is empty: it defines no LP_* variable`,
    fix:
      'Fill it, or let the emulator write it whole: "lp-auth emulator --write-env .env" (not "> .env &", ' +
      'which empties the file first), and run this once the emulator printed its banner.',
  };
}

/**
 * A configuration error that an empty env file explains better: "accountId is required" or "no
 * appJwt credential" is only the first symptom of a file that defines nothing. An empty file next
 * to a complete environment is harmless, and other errors are returned as they are.
 */
export function explainEmptyEnvFile(loaded: LoadedEnvironment, error: unknown): unknown {
  const unconfigured =
    isLpAuthError(error, 'config_invalid') ||
    (error instanceof CliError && error.code === 'flow_not_configured');
  if (!loaded.envFileEmpty || !loaded.envFile || !unconfigured) return error;
  const { result, fix } = emptyEnvFile(loaded.envFile);
  return new CliError('env_file_empty', `${result}. ${fix}`, ExitCode.usage);
}

/**
 * `createLpAuth` options from the environment (core's `optionsFromEnv`, so the variable names are
 * the library's own) with `--account` applied. Throws core's `ConfigError` for a malformed variable.
 */
export function optionsFromFlags(
  flags: ConfigFlags,
  env: Readonly<Record<string, string | undefined>>,
): LpAuthOptions {
  const options = optionsFromEnv({ ...env }) as LpAuthOptions;
  if (flags.account !== undefined) options.accountId = flags.account;
  return options;
}

/** The credential kinds `createLpAuth` knows, in the order `doctor` checks them. */
export const FLOWS = CREDENTIAL_KINDS;
export type Flow = CredentialKind;

/** The variables that configure each flow, for messages that tell a user what to set. */
export const FLOW_VARIABLES: Readonly<Record<Flow, string>> = {
  appJwt: 'LP_APP_JWT_CLIENT_ID and LP_APP_JWT_CLIENT_SECRET',
  orchestratorV1: 'LP_ORCHESTRATOR_API_KEY (and LP_ORCHESTRATOR_REGION)',
  orchestratorV2: 'LP_ORCHESTRATOR_USERNAME and LP_ORCHESTRATOR_PASSWORD (and LP_ORCHESTRATOR_REGION)',
  oauth1: 'LP_OAUTH1_CONSUMER_KEY, LP_OAUTH1_CONSUMER_SECRET, LP_OAUTH1_TOKEN and LP_OAUTH1_TOKEN_SECRET',
  login: 'LP_LOGIN_USERNAME with LP_LOGIN_PASSWORD (user) or LP_LOGIN_APP_KEY and LP_LOGIN_SECRET (bot)',
};

/** The flow named `name`, matched without regard to case or dashes (`app-jwt`, `appjwt`). */
export function parseFlow(name: string): Flow | undefined {
  const key = name.replaceAll(/[-_]/g, '').toLowerCase();
  return FLOWS.find((flow) => flow.toLowerCase() === key);
}
