#!/usr/bin/env node
/**
 * `lp-auth-emulator`: runs the LivePerson emulator until SIGINT/SIGTERM and prints the `LP_*`
 * environment lines that point `@lp-auth/core` at it.
 *
 * Usage: `lp-auth-emulator [--port N] [--host H] [--account ID]` (or `LP_EMULATOR_PORT=N`).
 */
import { parseArgs } from 'node:util';
import { startEmulator, type Emulator } from '../emulator/index.js';

/** The `LP_*` lines a user can paste into a shell or an `.env` file. */
function environmentLines(emu: Emulator): string[] {
  const { appJwt, orchestratorV1, orchestratorV2 } = emu.credentials;
  const domains = emu.lpAuthOptions().domains;
  return [
    `LP_ACCOUNT_ID=${emu.accountId}`,
    `LP_CSDS_URL=${emu.url}`,
    `LP_APP_JWT_CLIENT_ID=${appJwt.clientId}`,
    `LP_APP_JWT_CLIENT_SECRET=${appJwt.clientSecret}`,
    `LP_ORCHESTRATOR_API_KEY=${orchestratorV1.apiKey}`,
    `LP_ORCHESTRATOR_USERNAME=${orchestratorV2.username}`,
    `LP_ORCHESTRATOR_PASSWORD=${orchestratorV2.password}`,
    `LP_DOMAINS=${Object.entries(domains)
      .map(([service, url]) => `${service}=${url}`)
      .join(',')}`,
  ];
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid port "${text}": expected an integer between 0 and 65535`);
  }
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      account: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('Usage: lp-auth-emulator [--port N] [--host 127.0.0.1] [--account 12345678]');
    console.log('       The port may also come from LP_EMULATOR_PORT; default a random free port.');
    return;
  }
  const port = parsePort(values.port ?? process.env.LP_EMULATOR_PORT);
  const emu = await startEmulator({
    ...(port !== undefined ? { port } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(values.account ? { accountId: values.account } : {}),
  });
  // Handlers first: a caller may send a signal as soon as it reads the ready line.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second signal: stop now
    stopping = true;
    console.log(`# ${signal}: stopping the emulator`);
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // These credentials are throwaway values the emulator made up; printing them is the point.
  console.log(`# LivePerson emulator listening on ${emu.url} (account ${emu.accountId})`);
  console.log('# Paste these lines into your shell or .env to point @lp-auth at it:');
  for (const line of environmentLines(emu)) console.log(line);
  console.log('# Ctrl+C to stop.');
}

main().catch((error: unknown) => {
  console.error(`lp-auth-emulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
