/**
 * `lp-auth doctor`: checks a configuration end to end and prints what to fix.
 *
 * @module
 */
import { createLpAuth, type LpAuth, type LpAuthOptions, type ResolvedOptions } from '@lp-auth/core';
import { resolveOptions } from '@lp-auth/core/adapter';
import { COMMON_OPTIONS, CONFIG_OPTIONS, parseCommandArgs, type Command } from '../command.js';
import {
  FLOWS,
  FLOW_VARIABLES,
  emptyEnvFile,
  loadEnvironment,
  optionsFromFlags,
  type LoadedEnvironment,
} from '../config.js';
import { checkResult, type CheckResult } from '../doctor/check-result.js';
import { ClockProbe } from '../doctor/clock.js';
import { checkConsumerJwks } from '../doctor/consumer-jwks.js';
import { checkCredential } from '../doctor/credential-check.js';
import { diagnose } from '../doctor/diagnose.js';
import { ExitCode } from '../errors.js';
import { Printer, type CliIo } from '../io.js';
import { cliLogger } from '../logger.js';
import { progress, type Progress } from '../progress.js';
import { renderTable, wrap } from '../table.js';

const usage = `Usage: lp-auth doctor [--json] [--account ID] [--dotenv PATH]

Checks a configuration end to end and prints a table of checks, results and fixes:
  options        the LP_* configuration is valid
  csds           LivePerson's domain API answers and lists the account's services
  <flow>         each configured credential obtains a token and/or signs a request LivePerson accepts
  clock          this machine's clock is within 30 s of LivePerson's (from the Date header)
  consumer jwks  the consumer IdP's JWKS answers, when LP_CONSUMER_JWKS_URI or LP_CONSUMER_ISSUER is set
Nothing it prints contains a secret. Each step is announced on stderr as it starts (a spinner on a
terminal). The table fits the terminal's width (or $COLUMNS when set); in a pipe, one line per check.

Options:
  --json              print { ok, checks: [{ check, status, result, fix }], warnings } for scripts
                      (fix is null when there is nothing to fix)
  --account ID        the account id (wins over LP_ACCOUNT_ID)
  --dotenv PATH       read LP_* variables from this file (default ./.env when present)
  -h, --help

Exit codes: 0 every check passed (warnings allowed), 1 a check failed, 2 usage or configuration error.`;

/** Doctor tries a failing call twice, not four times: it diagnoses, it does not ride out an outage. */
const DOCTOR_RETRY = { maxAttempts: 2, baseDelayMs: 250 };

const STATUS_LABEL = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

/** The report after the options check: validated options, or the line that says what is wrong. */
function checkOptions(
  options: () => LpAuthOptions,
  loaded: LoadedEnvironment,
): { resolved?: ResolvedOptions; line: CheckResult } {
  const { envFile, envFileEmpty } = loaded;
  let resolved: ResolvedOptions;
  try {
    resolved = resolveOptions(options());
  } catch (error) {
    if (envFileEmpty && envFile) {
      // The first missing field would be the wrong lead: the whole file is missing its content.
      const { result, fix } = emptyEnvFile(envFile);
      return { line: checkResult('options', 'fail', result, fix) };
    }
    return { line: optionsFailure(error) };
  }
  const flows = FLOWS.filter((flow) => resolved.credentials[flow]);
  const source = !envFile
    ? ', from the environment'
    : envFileEmpty
      ? `, from the environment (${envFile} is empty)`
      : `, from ${envFile} and the environment`;
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
  steps: Progress,
): Promise<CheckResult[]> {
  const lines: CheckResult[] = [];
  const csdsUrl = resolved.csds.baseUrl;
  steps.step(`checking CSDS: asking ${csdsUrl} for account ${resolved.accountId}`);
  try {
    const domains = await lp.domains.all();
    lines.push(checkResult('csds', 'ok', `${Object.keys(domains).length} services resolved from ${csdsUrl}`));
  } catch (error) {
    lines.push(diagnose('csds', error, { csdsUrl, accountId: resolved.accountId }));
  }
  for (const flow of FLOWS.filter((f) => resolved.credentials[f])) {
    steps.step(`checking the ${flow} credential`);
    lines.push(await checkCredential(lp, flow, csdsUrl));
  }
  lines.push(clock.result());
  if (env.LP_CONSUMER_JWKS_URI?.trim() || env.LP_CONSUMER_ISSUER?.trim())
    steps.step('checking the consumer JWKS');
  const jwks = await checkConsumerJwks(env, resolved.http.timeoutMs);
  if (jwks) lines.push(jwks);
  return lines;
}

/**
 * The width the table must fit: the terminal's, or `$COLUMNS` when set (for a pager or a log of a
 * fixed width); none in a pipe, where one line per check is what grep and a ticket want.
 */
function tableWidth(io: CliIo): number | undefined {
  if (io.stdout.isTTY === true && io.stdout.columns) return io.stdout.columns;
  const columns = Number(io.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
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
    const flags = { account: values.account, envFile: values.dotenv };
    const loaded = await loadEnvironment(flags, io.env, io.cwd);
    const { env } = loaded;
    const printer = new Printer(io, env);
    const warnings: string[] = [];
    const { resolved, line } = checkOptions(() => optionsFromFlags(flags, env), loaded);
    const lines = [line];
    const steps = progress(io.stderr, printer);
    if (resolved) {
      const clock = new ClockProbe(resolved.http.fetch);
      const lp = createLpAuth({
        ...optionsFromFlags(flags, env),
        http: { ...resolved.http, retry: { ...resolved.http.retry, ...DOCTOR_RETRY }, fetch: clock.fetch },
        logger: cliLogger(printer, (warning) => warnings.push(warning)),
      });
      try {
        lines.push(...(await runChecks(lp, resolved, env, clock, steps)));
      } finally {
        steps.step('closing (logging out of sessions)');
        await lp.close();
        steps.stop();
      }
    }
    const failed = lines.filter((l) => l.status === 'fail').length;
    if (values.json) {
      printer.json({ ok: failed === 0, checks: lines, warnings });
    } else {
      const rows = lines.map((l) => [l.check, `${STATUS_LABEL[l.status]}: ${l.result}`, l.fix ?? '']);
      const width = tableWidth(io);
      printer.out(renderTable(['CHECK', 'RESULT', 'FIX'], rows, width));
      for (const warning of warnings) printer.out(width ? wrap(warning, width).join('\n') : warning);
      printer.out();
      printer.out(failed === 0 ? 'All checks passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`);
    }
    if (!resolved) return ExitCode.usage;
    return failed === 0 ? ExitCode.ok : ExitCode.failed;
  },
};
