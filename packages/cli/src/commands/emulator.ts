/**
 * `lp-auth emulator`: runs the LivePerson emulator of `@lp-auth/testing` until SIGINT/SIGTERM and
 * prints `LP_*` lines that `lp-auth doctor` and `lp-auth token` (and `createLpAuth()`) accept.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Emulator } from '@lp-auth/testing';
import { COMMON_OPTIONS, parseCommandArgs, type Command } from '../command.js';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { Printer, type CliIo } from '../io.js';

const usage = `Usage: lp-auth emulator [--write-env FILE] [--port N] [--host 127.0.0.1] [--account ID] [--json]

Starts a local emulator of LivePerson's authentication endpoints (CSDS, Sentinel, Login Service,
Conversation Orchestrator, OAuth 1.0) and prints LP_* lines that point @lp-auth at it:
  npx lp-auth emulator --write-env .env &    # then, once it printed its banner: npx lp-auth doctor
Runs until Ctrl+C (SIGINT) or SIGTERM. The credentials are throwaway values made up at start.

Options:
  --write-env F   write the LP_* lines to file F (replacing it whole, in one step: a reader sees
                  the old file or the complete new one, never a half-written one) and print only
                  a banner; the file is written before the banner is printed
  --port N        TCP port (default a random free port)
  --host H        interface to listen on (default 127.0.0.1)
  --account ID    the account id it serves (default a random 8-digit id)
  --json          print one line { url, accountId, env[, envFile] } instead of LP_* lines
  -h, --help

Exit codes: 0 stopped by a signal, 1 could not start, 2 usage error.`;

/** The `LP_*` variables that configure `@lp-auth/core` for every credential the emulator accepts. */
export function emulatorEnvironment(emu: Emulator): Record<string, string> {
  const options = emu.lpAuthOptions();
  const { appJwt, orchestratorV1, orchestratorV2, oauth1, login } = emu.lpAuthCredentials();
  return {
    LP_ACCOUNT_ID: options.accountId,
    LP_CSDS_URL: options.csds.baseUrl,
    LP_DOMAINS: Object.entries(options.domains)
      .map(([service, url]) => `${service}=${url}`)
      .join(','),
    LP_APP_JWT_CLIENT_ID: appJwt.clientId,
    LP_APP_JWT_CLIENT_SECRET: appJwt.clientSecret,
    LP_ORCHESTRATOR_API_KEY: orchestratorV1.apiKey,
    LP_ORCHESTRATOR_USERNAME: orchestratorV2.username,
    LP_ORCHESTRATOR_PASSWORD: orchestratorV2.password,
    LP_OAUTH1_CONSUMER_KEY: oauth1.consumerKey,
    LP_OAUTH1_CONSUMER_SECRET: oauth1.consumerSecret,
    LP_OAUTH1_TOKEN: oauth1.token,
    LP_OAUTH1_TOKEN_SECRET: oauth1.tokenSecret,
    LP_LOGIN_USERNAME: login.username,
    LP_LOGIN_PASSWORD: login.password,
  };
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`invalid --port "${text}": expected an integer between 0 and 65535.`);
  }
  return port;
}

/**
 * Writes `env` as `NAME=value` lines to `path` atomically: a temporary file in the same directory
 * (so that the rename stays on one file system, where it is atomic), then a rename over `path`. A
 * `doctor` started meanwhile reads the old file or the whole new one; `> .env` instead empties the
 * file at once and fills it later. Owner-only (0600): the values are throwaway, but they are
 * credentials, and the file may replace one that held real ones. Resolves with the path written.
 */
async function writeEnvFile(path: string, env: Record<string, string>): Promise<string> {
  const text = Object.entries(env)
    .map(([name, value]) => `${name}=${value}\n`)
    .join('');
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new CliError(
      'env_file_unwritable',
      `cannot write ${path} (${code}). Check --write-env.`,
      ExitCode.usage,
    );
  }
  return path;
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'run the LivePerson emulator and print LP_* lines for it',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs('emulator', args, {
      ...COMMON_OPTIONS,
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      account: { type: 'string' },
      'write-env': { type: 'string' },
    });
    // The credentials printed here are the emulator's own throwaway values: printing them is the
    // point, so this printer has nothing to scrub.
    const printer = new Printer(io, {});
    if (values.help) {
      printer.out(usage);
      return ExitCode.ok;
    }
    if (positionals.length) throw new UsageError(`emulator takes no arguments, got "${positionals[0]!}".`);
    const port = parsePort(values.port);
    // Loaded here, not at the top: the other commands need none of the emulator.
    const { startEmulator } = await import('@lp-auth/testing');
    let emu: Emulator;
    try {
      emu = await startEmulator({
        ...(port !== undefined ? { port } : {}),
        ...(values.host ? { host: values.host } : {}),
        ...(values.account !== undefined ? { accountId: values.account } : {}),
      });
    } catch (error) {
      // startEmulator rejects bad options with a TypeError that names them.
      if (error instanceof TypeError) throw new UsageError(error.message);
      throw error;
    }
    // Listen before printing: a caller may signal as soon as it has read the lines.
    const stopped = io.stopRequested();
    const env = emulatorEnvironment(emu);
    const target = values['write-env'];
    let envFile: string | undefined;
    if (target !== undefined) {
      try {
        envFile = await writeEnvFile(resolve(io.cwd, target), env);
      } catch (error) {
        await emu.close();
        throw error;
      }
    }
    if (values.json) {
      printer.json({ url: emu.url, accountId: emu.accountId, env, ...(envFile ? { envFile } : {}) });
    } else {
      printer.out(`# LivePerson emulator listening on ${emu.url} (account ${emu.accountId})`);
      if (envFile) {
        printer.out(
          `# Wrote its LP_* variables to ${envFile}; "lp-auth doctor" and "lp-auth token" read it.`,
        );
      } else {
        printer.out(
          '# Paste these lines into your shell or .env; "lp-auth doctor" and "lp-auth token" accept them:',
        );
        for (const [name, value] of Object.entries(env)) printer.out(`${name}=${value}`);
      }
      printer.out('# Ctrl+C to stop.');
    }
    const signal = await stopped;
    if (!values.json) printer.err(`# ${signal}: stopping the emulator`);
    await emu.close();
    return ExitCode.ok;
  },
};
