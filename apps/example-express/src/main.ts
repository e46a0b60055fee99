/**
 * `npm start`: the example app against the embedded LivePerson emulator (no account needed), or
 * against real LivePerson when `LP_ACCOUNT_ID` and credentials are set in the environment.
 * It calls one LivePerson API through each configured client, prints what happened, and exits;
 * with `--serve` it keeps serving on PORT (default 3000).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLpAuth, optionsFromEnv, stderrLogger, type LpAuth, type LpAuthOptions } from '@lp-auth/core';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { createApp } from './app.js';

interface Step {
  client: string;
  method: string;
  route: string;
  body?: unknown;
}

const STEPS: Step[] = [
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
];

async function configure(): Promise<{ lp: LpAuth; emulator?: Emulator }> {
  if (process.env.LP_ACCOUNT_ID) {
    console.log(`Using real LivePerson for account ${process.env.LP_ACCOUNT_ID} (from LP_* variables).`);
    return { lp: createLpAuth({ ...(optionsFromEnv() as LpAuthOptions), logger: stderrLogger }) };
  }
  const emulator = await startEmulator();
  console.log(
    `LivePerson emulator on ${emulator.url}, account ${emulator.accountId} (set LP_ACCOUNT_ID to use real LivePerson).`,
  );
  const lp = createLpAuth({ ...emulator.lpAuthOptions(), credentials: emulator.lpAuthCredentials() });
  return { lp, emulator };
}

async function main(): Promise<number> {
  const serve = process.argv.includes('--serve');
  const { lp, emulator } = await configure();
  const { app } = createApp(lp);
  const port = serve ? Number(process.env.PORT ?? 3000) : 0;
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  console.log(`Example app on ${base}\n`);

  let failures = 0;
  for (const step of STEPS) {
    if (!(step.client in lp.clients)) {
      console.log(`- ${step.client.padEnd(15)} skipped: not configured`);
      continue;
    }
    const res = await fetch(`${base}${step.route}`, {
      method: step.method,
      headers: { 'content-type': 'application/json' },
      ...(step.body ? { body: JSON.stringify(step.body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) failures++;
    console.log(
      `- ${step.client.padEnd(15)} ${step.method} ${step.route} → ${res.status} ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`,
    );
  }
  if (emulator) {
    console.log(`\nWhat the emulator saw (calls per route): ${JSON.stringify(emulator.stats.snapshot())}`);
  }

  if (serve) {
    console.log(`\nServing on ${base}; press Ctrl+C to stop.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
  await new Promise((resolve) => server.close(resolve));
  await lp.close();
  await emulator?.close();
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  },
);
