/**
 * `lp-auth doctor`: checks a configuration end to end and prints what to fix.
 *
 * @module
 */
import {
  createLpAuth,
  resolveOptions,
  type LpAuth,
  type LpAuthOptions,
  type ResolvedOptions,
} from '@lp-auth/core';
import { COMMON_OPTIONS, CONFIG_OPTIONS, parseCommandArgs, type Command } from '../command.js';
import { FLOWS, FLOW_VARIABLES, loadEnvironment, optionsFromFlags } from '../config.js';
import { checkResult, type CheckResult } from '../doctor/check-result.js';
import { ClockProbe } from '../doctor/clock.js';
import { checkConsumerJwks } from '../doctor/consumer-jwks.js';
import { checkCredential } from '../doctor/credential-check.js';
import { diagnose } from '../doctor/diagnose.js';
import { ExitCode } from '../errors.js';
import { Printer, type CliIo } from '../io.js';
import { cliLogger } from '../logger.js';
import { Spinner } from '../spinner.js';
import { renderTable } from '../table.js';

const usage = `Usage: lp-auth doctor [--json] [--account ID] [--env-file PATH]

Checks a configuration end to end and prints a table of checks, results and fixes:
  options        the LP_* configuration is valid
  csds           LivePerson's domain API answers and lists the account's services
  <flow>         each configured credential obtains a token and/or signs a request LivePerson accepts
  clock          this machine's clock is within 30 s of LivePerson's (from the Date header)
  consumer jwks  the consumer IdP's JWKS answers, when LP_CONSUMER_JWKS_URI or LP_CONSUMER_ISSUER is set
Nothing it prints contains a secret.

Options:
  --json              print { ok, checks: [{ check, status, result, fix }], warnings } for scripts
  --account ID        the account id (wins over LP_ACCOUNT_ID)
  --env-file PATH     read LP_* variables from this file (default ./.env when present)
  -h, --help

Exit codes: 0 every check passed (warnings allowed), 1 a check failed, 2 usage or configuration error.`;

/** Doctor tries a failing call twice, not four times: it diagnoses, it does not ride out an outage. */
const DOCTOR_RETRY = { maxAttempts: 2, baseDelayMs: 250 };

const STATUS_LABEL = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

/** The report after the options check: validated options, or the line that says what is wrong. */
function checkOptions(
  options: () => LpAuthOptions,
  envFile: string | undefined,
): { resolved?: ResolvedOptions; line: CheckResult } {
  let resolved: ResolvedOptions;
  try {
    resolved = resolveOptions(options());
  } catch (error) {
    return { line: optionsFailure(error) };
  }
  const flows = FLOWS.filter((flow) => resolved.credentials[flow]);
  const source = envFile ? `, from ${envFile} and the environment` : ', from the environment';
  if (flows.length === 0) {
    return {
      resolved,
      line: checkResult(
        'options',
        'warn',
        `account ${resolved.accountId}, no credential configured${source}`,
        `Configure at least one credential, e.g. ${FLOW_VARIABLES.appJwt}.`,
      ),
    };
  }
  return {
    resolved,
    line: checkResult(
      'options',
      'ok',
      `account ${resolved.accountId}, credentials: ${flows.join(', ')}${source}`,
    ),
  };
}

function optionsFailure(error: unknown): CheckResult {
  const message = error instanceof Error ? error.message : String(error);
  const field = (error as { field?: unknown }).field;
  return checkResult(
    'options',
    'fail',
    message,
    typeof field === 'string'
      ? `Fix ${field} (see "lp-auth doctor --help" and the LP_* variables in the README).`
      : 'Fix the configuration.',
  );
}

async function runChecks(
  lp: LpAuth,
  resolved: ResolvedOptions,
  env: Readonly<Record<string, string | undefined>>,
  clock: ClockProbe,
  spinner: Spinner,
): Promise<CheckResult[]> {
  const lines: CheckResult[] = [];
  const csdsUrl = resolved.csds.baseUrl;
  spinner.update(`asking CSDS at ${csdsUrl} for account ${resolved.accountId}…`);
  try {
    const domains = await lp.domains.all();
    lines.push(checkResult('csds', 'ok', `${Object.keys(domains).length} services resolved from ${csdsUrl}`));
  } catch (error) {
    lines.push(diagnose('csds', error, { csdsUrl, accountId: resolved.accountId }));
  }
  for (const flow of FLOWS.filter((f) => resolved.credentials[f])) {
    spinner.update(`checking the ${flow} credential…`);
    lines.push(await checkCredential(lp, flow, csdsUrl));
  }
  lines.push(clock.result());
  spinner.update('fetching the consumer JWKS…');
  const jwks = await checkConsumerJwks(env, resolved.http.timeoutMs);
  if (jwks) lines.push(jwks);
  return lines;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check a configuration end to end: options, CSDS, credentials, clock, consumer JWKS',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('doctor', args, { ...COMMON_OPTIONS, ...CONFIG_OPTIONS });
    if (values.help) {
      new Printer(io).out(usage);
      return ExitCode.ok;
    }
    const flags = { account: values.account, envFile: values['env-file'] };
    const { env, envFile } = await loadEnvironment(flags, io.env, io.cwd);
    const printer = new Printer(io, env);
    const warnings: string[] = [];
    const { resolved, line } = checkOptions(() => optionsFromFlags(flags, env), envFile);
    const lines = [line];
    const spinner = new Spinner(io.stderr);
    if (resolved) {
      const clock = new ClockProbe(resolved.http.fetch);
      const lp = createLpAuth({
        ...optionsFromFlags(flags, env),
        http: { ...resolved.http, retry: { ...resolved.http.retry, ...DOCTOR_RETRY }, fetch: clock.fetch },
        logger: cliLogger(printer, (warning) => warnings.push(warning)),
      });
      try {
        lines.push(...(await runChecks(lp, resolved, env, clock, spinner)));
      } finally {
        spinner.update('closing (logging out of sessions)…');
        await lp.close();
        spinner.stop();
      }
    }
    const failed = lines.filter((l) => l.status === 'fail').length;
    if (values.json) {
      printer.json({ ok: failed === 0, checks: lines, warnings });
    } else {
      const rows = lines.map((l) => [l.check, `${STATUS_LABEL[l.status]}: ${l.result}`, l.fix ?? '']);
      printer.out(renderTable(['CHECK', 'RESULT', 'FIX'], rows));
      for (const warning of warnings) printer.out(warning);
      printer.out();
      printer.out(failed === 0 ? 'All checks passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`);
    }
    if (!resolved) return ExitCode.usage;
    return failed === 0 ? ExitCode.ok : ExitCode.failed;
  },
};
