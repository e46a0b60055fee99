import { ConfigError } from '../errors/index.js';
import type { LpAuthOptions } from './options.js';
import { secret } from '../support/secret.js';

/**
 * The `LP_*` environment variables and the options they set:
 *
 * | variable | option |
 * |---|---|
 * | `LP_ACCOUNT_ID` | `accountId` |
 * | `LP_CSDS_URL` | `csds.baseUrl` |
 * | `LP_DOMAINS` | `domains`, as `service=url,service=url` |
 * | `LP_APP_JWT_CLIENT_ID`, `LP_APP_JWT_CLIENT_SECRET`, `LP_APP_JWT_TOKEN_PATH` | `credentials.appJwt` |
 * | `LP_ORCHESTRATOR_API_KEY`, `LP_ORCHESTRATOR_REGION` | `credentials.orchestratorV1` |
 * | `LP_ORCHESTRATOR_USERNAME`, `LP_ORCHESTRATOR_PASSWORD`, `LP_ORCHESTRATOR_REGION`, `LP_ORCHESTRATOR_ATTACH` | `credentials.orchestratorV2` |
 * | `LP_OAUTH1_CONSUMER_KEY`, `LP_OAUTH1_CONSUMER_SECRET`, `LP_OAUTH1_TOKEN`, `LP_OAUTH1_TOKEN_SECRET` | `credentials.oauth1` |
 * | `LP_LOGIN_USERNAME`, `LP_LOGIN_PASSWORD` (user), or `LP_LOGIN_APP_KEY`, `LP_LOGIN_SECRET`, `LP_LOGIN_ACCESS_TOKEN`, `LP_LOGIN_ACCESS_TOKEN_SECRET` (bot), `LP_LOGIN_KEEPALIVE_MS` | `credentials.login` |
 * | `LP_HTTP_TIMEOUT_MS` | `http.timeoutMs` |
 * | `LP_CONSUMER_ISSUER`, `LP_CONSUMER_JWKS_URI`, `LP_CONSUMER_PUBLIC_KEY` (base64 SPKI or PEM), `LP_CONSUMER_AUDIENCE` (comma-separated), `LP_CONSUMER_MAX_TOKEN_AGE` (seconds or `10m`) | `consumer` |
 *
 * Secret values come back wrapped as `Secret`, so the returned object prints none of them.
 */
export function optionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): Partial<LpAuthOptions> {
  const get = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const out: Partial<LpAuthOptions> = {};
  const accountId = get('LP_ACCOUNT_ID');
  if (accountId) out.accountId = accountId;
  const csds = get('LP_CSDS_URL');
  if (csds) out.csds = { baseUrl: csds };
  const domains = get('LP_DOMAINS');
  if (domains) out.domains = parseDomains(domains);
  const timeout = get('LP_HTTP_TIMEOUT_MS');
  if (timeout) {
    const n = Number(timeout);
    if (!Number.isFinite(n) || n <= 0)
      throw new ConfigError('LP_HTTP_TIMEOUT_MS', 'must be a positive number of milliseconds.');
    out.http = { timeoutMs: n };
  }
  const credentials: NonNullable<LpAuthOptions['credentials']> = {};
  const region = get('LP_ORCHESTRATOR_REGION') as 'us' | 'emea' | 'apac' | undefined;
  const clientId = get('LP_APP_JWT_CLIENT_ID');
  const clientSecret = get('LP_APP_JWT_CLIENT_SECRET');
  if (clientId || clientSecret) {
    const tokenPath = get('LP_APP_JWT_TOKEN_PATH') as 'v1' | 'v2' | undefined;
    credentials.appJwt = {
      clientId: clientId ?? '',
      clientSecret: secret(clientSecret ?? ''),
      ...(tokenPath ? { tokenPath } : {}),
    };
  }
  const apiKey = get('LP_ORCHESTRATOR_API_KEY');
  if (apiKey) credentials.orchestratorV1 = { apiKey: secret(apiKey), ...(region ? { region } : {}) };
  const username = get('LP_ORCHESTRATOR_USERNAME');
  const password = get('LP_ORCHESTRATOR_PASSWORD');
  if (username || password) {
    const attach = get('LP_ORCHESTRATOR_ATTACH') as 'query' | 'bearer' | undefined;
    credentials.orchestratorV2 = {
      username: username ?? '',
      password: secret(password ?? ''),
      ...(region ? { region } : {}),
      ...(attach ? { attach } : {}),
    };
  }
  const consumerKey = get('LP_OAUTH1_CONSUMER_KEY');
  const consumerSecret = get('LP_OAUTH1_CONSUMER_SECRET');
  const oauthToken = get('LP_OAUTH1_TOKEN');
  const tokenSecret = get('LP_OAUTH1_TOKEN_SECRET');
  if (consumerKey || consumerSecret || oauthToken || tokenSecret) {
    credentials.oauth1 = {
      consumerKey: consumerKey ?? '',
      consumerSecret: secret(consumerSecret ?? ''),
      token: oauthToken ?? '',
      tokenSecret: secret(tokenSecret ?? ''),
    };
  }
  const loginUser = get('LP_LOGIN_USERNAME');
  if (loginUser) {
    const login: NonNullable<typeof credentials.login> = { username: loginUser };
    const loginPassword = get('LP_LOGIN_PASSWORD');
    const appKey = get('LP_LOGIN_APP_KEY');
    const appSecret = get('LP_LOGIN_SECRET');
    const accessToken = get('LP_LOGIN_ACCESS_TOKEN');
    const accessTokenSecret = get('LP_LOGIN_ACCESS_TOKEN_SECRET');
    const keepalive = get('LP_LOGIN_KEEPALIVE_MS');
    if (loginPassword) login.password = secret(loginPassword);
    if (appKey) login.appKey = appKey;
    if (appSecret) login.secret = secret(appSecret);
    if (accessToken) login.accessToken = accessToken;
    if (accessTokenSecret) login.accessTokenSecret = secret(accessTokenSecret);
    if (keepalive) {
      const n = Number(keepalive);
      if (!Number.isFinite(n) || n <= 0)
        throw new ConfigError('LP_LOGIN_KEEPALIVE_MS', 'must be a positive number of milliseconds.');
      login.keepaliveIntervalMs = n;
    }
    credentials.login = login;
  }
  if (Object.keys(credentials).length) out.credentials = credentials;
  const consumer = consumerFromEnv(get);
  if (consumer) out.consumer = consumer;
  return out;
}

/**
 * The consumer verifier's options from `LP_CONSUMER_*`. The verifier needs the issuer (the exact
 * `iss` of the tokens); without `LP_CONSUMER_ISSUER` nothing is configured, and the other variables
 * are left to tools that use them alone (`lp-auth doctor` checks that `LP_CONSUMER_JWKS_URI` answers).
 */
function consumerFromEnv(get: (name: string) => string | undefined): LpAuthOptions['consumer'] {
  const issuer = get('LP_CONSUMER_ISSUER');
  const jwksUri = get('LP_CONSUMER_JWKS_URI');
  const key = get('LP_CONSUMER_PUBLIC_KEY');
  const audience = get('LP_CONSUMER_AUDIENCE');
  const maxTokenAge = get('LP_CONSUMER_MAX_TOKEN_AGE');
  if (!issuer) return undefined;
  return {
    issuer,
    ...(jwksUri ? { jwksUri } : {}),
    // Seconds or a duration ('10m'); validated with the other consumer options.
    ...(maxTokenAge ? { maxTokenAge } : {}),
    // A PEM in an environment variable often has its line breaks written as \n.
    ...(key ? { key: key.replaceAll('\\n', '\n') } : {}),
    ...(audience
      ? {
          audience: audience
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean),
        }
      : {}),
  };
}

function parseDomains(text: string): Record<string, string> {
  const domains: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const [service, ...rest] = pair.split('=');
    const url = rest.join('=').trim();
    if (!service?.trim() || !url) {
      throw new ConfigError(
        'LP_DOMAINS',
        'expected "service=url" pairs separated by commas, e.g. "sentinel=https://…".',
      );
    }
    domains[service.trim()] = url;
  }
  return domains;
}
