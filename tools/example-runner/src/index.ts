/**
 * The shared body of every example app's `main.ts`: configure `@lp-auth` for the embedded emulator
 * (or real LivePerson when `LP_ACCOUNT_ID` is set), start the framework's app, call each route whose
 * client is configured, print what happened and exit (or keep serving with `--serve`).
 */
import {
  createLpAuth,
  optionsFromEnv,
  randomToken,
  stderrLogger,
  type LpAuth,
  type LpAuthOptions,
} from '@lp-auth/core';
import {
  isAddressInUse,
  onFreeLoopbackPort,
  startConsumerIdp,
  startEmulator,
  type ConsumerIdp,
  type Emulator,
} from '@lp-auth/testing';
import { demonstrateLogin } from './login-demo.js';
export { exampleCalls, type ExampleCalls } from './calls.js';

/** One call the runner makes against the example app. */
export interface ExampleStep {
  /**
   * The client the route uses; the step is skipped when it is not configured. `consumer`: the route
   * is behind `requireConsumer()`, called with a consumer id_token (skipped without a verifier).
   */
  client: string;
  method: string;
  route: string;
  body?: unknown;
}

/** The protected route every example serves: `requireConsumer()`, answering `{ sub }`. */
export const CONSUMER_ROUTE = '/orders';

/** The routes every example app serves, the same in every framework. */
export const EXAMPLE_STEPS: readonly ExampleStep[] = [
  { client: 'appJwt', method: 'GET', route: '/skills' },
  {
    client: 'orchestratorV1',
    method: 'PUT',
    route: '/context/v1/lp-auth-example/session-1',
    body: { tier: 'gold' },
  },
  { client: 'orchestratorV2', method: 'GET', route: '/context/v2/lp-auth-example/session-1' },
  { client: 'oauth1', method: 'GET', route: '/users' },
  { client: 'login', method: 'POST', route: '/agent-session' },
  {
    client: 'appJwt',
    method: 'POST',
    route: '/consumers/consumer-1/messages',
    body: { text: 'Hello from @lp-auth' },
  },
  { client: 'consumer', method: 'GET', route: CONSUMER_ROUTE },
];

/** A started example app. */
export interface RunningExample {
  url: string;
  close(): Promise<void>;
}

export interface RunExampleOptions {
  /** The framework's name, for the report. */
  framework: string;
  /** Starts the app on 127.0.0.1:`port` (0 = random) with `lp`; resolves when it listens. */
  start(lp: LpAuth, port: number): Promise<RunningExample>;
  steps?: readonly ExampleStep[];
  /**
   * The app serves application authorization's routes (`/auth/login`, `/auth/callback`,
   * `/auth/logout`, `/me`): against the emulator the runner configures them and walks the login.
   */
  appAuthorization?: boolean;
}

/** The emulator's application-authorization client, with the app's redirect URI on `port`. */
function appAuthorizationOn(port: number) {
  const redirectUri = `http://127.0.0.1:${port}/auth/callback`;
  return {
    redirectUri,
    // A fresh cookie secret per run: state cookies of an earlier run must not verify.
    cookieSecret: randomToken(32),
  };
}

async function configure(
  appAuthorizationPort?: number,
): Promise<{ lp: LpAuth; emulator?: Emulator; idp?: ConsumerIdp }> {
  if (process.env.LP_ACCOUNT_ID) {
    console.log(`Using real LivePerson for account ${process.env.LP_ACCOUNT_ID} (from LP_* variables).`);
    return { lp: createLpAuth({ ...(optionsFromEnv() as LpAuthOptions), logger: stderrLogger }) };
  }
  const login = appAuthorizationPort === undefined ? undefined : appAuthorizationOn(appAuthorizationPort);
  const [emulator, idp] = await Promise.all([
    startEmulator(login ? { credentials: { appAuthorization: { redirectUris: [login.redirectUri] } } } : {}),
    // The brand's own identity provider, whose consumer id_tokens the /orders route trusts.
    startConsumerIdp(),
  ]);
  console.log(
    `LivePerson emulator on ${emulator.url}, account ${emulator.accountId} (set LP_ACCOUNT_ID to use real LivePerson).`,
  );
  console.log(`Consumer identity provider on ${idp.issuer}.`);
  const { clientId, clientSecret } = emulator.credentials.appAuthorization;
  const lp = createLpAuth({
    ...emulator.lpAuthOptions(),
    credentials: emulator.lpAuthCredentials(),
    ...(login ? { appAuthorization: { clientId, clientSecret, ...login } } : {}),
    consumer: { issuer: idp.issuer },
  });
  return { lp, emulator, idp };
}

/** What one step got: the status and body, or no status when its client is not configured. */
export interface ExampleResult {
  step: ExampleStep;
  status?: number;
  text: string;
}

/** Calls every step whose client `lp` has against the app at `url` (the example tests use it too). */
export async function callExample(
  url: string,
  lp: Pick<LpAuth, 'clients' | 'consumer'>,
  steps: readonly ExampleStep[] = EXAMPLE_STEPS,
  consumerToken?: string,
): Promise<ExampleResult[]> {
  const results: ExampleResult[] = [];
  for (const step of steps) {
    const configured =
      step.client === 'consumer' ? !!lp.consumer && consumerToken !== undefined : step.client in lp.clients;
    if (!configured) {
      results.push({ step, text: '' });
      continue;
    }
    const headers: Record<string, string> = {};
    if (step.body) headers['content-type'] = 'application/json';
    if (step.client === 'consumer') headers.authorization = `Bearer ${consumerToken}`;
    const res = await fetch(`${url}${step.route}`, {
      method: step.method,
      headers,
      ...(step.body ? { body: JSON.stringify(step.body) } : {}),
    });
    results.push({ step, status: res.status, text: await res.text() });
  }
  return results;
}

/**
 * Configures `@lp-auth` and starts the app. With login routes the port must be known before the app
 * is built: it is in the redirect URI. `--serve` takes `PORT` (3000); otherwise a free loopback port,
 * and when another process takes it before the app listens, everything is built again for another.
 */
async function startExample(options: RunExampleOptions, serve: boolean) {
  const on = async (port: number) => {
    const configured = await configure(options.appAuthorization ? port : undefined);
    try {
      return { ...configured, app: await options.start(configured.lp, port) };
    } catch (error) {
      await configured.lp.close();
      await Promise.all([configured.emulator?.close(), configured.idp?.close()]);
      throw error;
    }
  };
  if (serve) return on(Number(process.env.PORT ?? 3000));
  return options.appAuthorization ? onFreeLoopbackPort(on) : on(0);
}

/** Runs the example; resolves with the process exit code (0 when every call succeeded). */
export async function runExample(options: RunExampleOptions): Promise<number> {
  const serve = process.argv.includes('--serve');
  const { lp, emulator, idp, app } = await startExample(options, serve);
  console.log(`Example ${options.framework} app on ${app.url}\n`);

  let failures = 0;
  const consumerToken = idp ? await idp.issue({ claims: { sub: 'consumer-42' } }) : undefined;
  for (const result of await callExample(app.url, lp, options.steps, consumerToken)) {
    const { step, status, text } = result;
    if (status === undefined) {
      console.log(`- ${step.client.padEnd(15)} skipped: not configured`);
      continue;
    }
    if (step.client === 'consumer') {
      // The same route without a token: what a request that is not a signed-in consumer gets.
      const refused = await fetch(`${app.url}${step.route}`);
      void refused.body?.cancel();
      if (refused.status !== 401) failures++;
      console.log(
        `- ${'consumer'.padEnd(15)} ${step.method} ${step.route} without a token → ${refused.status} (${refused.headers.get('www-authenticate')})`,
      );
    }
    if (status >= 400) failures++;
    const shown = text.length > 160 ? `${text.slice(0, 160)}…` : text;
    console.log(`- ${step.client.padEnd(15)} ${step.method} ${step.route} → ${status} ${shown}`);
  }
  if (options.appAuthorization && lp.appAuthorization) {
    failures += await demonstrateLogin(app.url, emulator, serve);
    if (serve && emulator) {
      const { username, password } = emulator.credentials.login;
      console.log(`  (the local emulator's throwaway user: ${username} / ${password})`);
    }
  }
  if (emulator) {
    console.log(`\nWhat the emulator saw (calls per route): ${JSON.stringify(emulator.stats.snapshot())}`);
  }
  if (serve) {
    console.log(`\nServing on ${app.url}; press Ctrl+C to stop.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
  await app.close();
  await lp.close();
  await Promise.all([emulator?.close(), idp?.close()]);
  return failures === 0 ? 0 : 1;
}

/** `runExample` as a script's entry point: sets the exit code, prints a failure without a stack. */
export function main(options: RunExampleOptions): void {
  runExample(options).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
      if (isAddressInUse(error) && process.argv.includes('--serve')) {
        console.error('Another program uses that port: set PORT to a free one.');
      }
      process.exitCode = 1;
    },
  );
}
