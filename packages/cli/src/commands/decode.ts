/**
 * `lp-auth decode <jwt>`: a JWT's header and claims, times in words. Verifies nothing.
 *
 * @module
 */
import { COMMON_OPTIONS, parseCommandArgs, type Command } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';
import { Printer, type CliIo } from '../io.js';
import { decodeJwt } from '../jwt.js';
import { describeTimeClaim } from '../relative-time.js';

const NOT_VERIFIED = 'NOT VERIFIED: the signature was not checked; anyone could have written these claims.';

const usage = `Usage: lp-auth decode <jwt | -> [--json]

Shows a JWT's header and claims, with exp, iat and nbf in words ("expires in 59 minutes").
Nothing is verified: not the signature, not the issuer, not the audience.

Arguments:
  <jwt>     the token (a leading "Bearer " is ignored); "-" reads it from standard input

Options:
  --json    print { verified: false, header, claims, times } for scripts
  -h, --help

Exit codes: 0 decoded, 2 not a JWT or a usage error.`;

/** `decode`'s JSON output: the parts, plus each time claim as an ISO date and in words. */
export interface DecodeResult {
  verified: false;
  signed: boolean;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  times: Record<string, { at: string; description: string }>;
}

/** Decodes `token` for display at `now`; throws `jwt_malformed` for anything that is not a JWS. */
export function describeJwt(token: string, now: number = Date.now()): DecodeResult {
  const { header, claims, signed } = decodeJwt(token);
  const times: DecodeResult['times'] = {};
  for (const [claim, value] of Object.entries(claims)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const description = describeTimeClaim(claim, value, now);
    if (description) times[claim] = { at: new Date(value * 1000).toISOString(), description };
  }
  return { verified: false, signed, header, claims, times };
}

function printSection(printer: Printer, title: string, values: Record<string, unknown>, times = {}): void {
  const described = times as DecodeResult['times'];
  printer.out(title);
  const width = Math.max(0, ...Object.keys(values).map((key) => key.length));
  for (const [key, value] of Object.entries(values)) {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    const time = described[key];
    printer.out(`  ${key.padEnd(width)}  ${shown}${time ? `  (${time.at}, ${time.description})` : ''}`);
  }
}

export const decodeCommand: Command = {
  name: 'decode',
  summary: 'show a JWT’s header and claims, times in words (verifies nothing)',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs('decode', args, COMMON_OPTIONS);
    const printer = new Printer(io);
    if (values.help) {
      printer.out(usage);
      return ExitCode.ok;
    }
    if (positionals.length !== 1) {
      throw new UsageError(
        'decode takes one token (or "-" to read it from standard input). See "lp-auth decode --help".',
      );
    }
    const input = positionals[0] === '-' ? await io.readStdin() : positionals[0]!;
    const result = describeJwt(input);
    if (values.json) {
      printer.json(result);
      return ExitCode.ok;
    }
    printer.out(NOT_VERIFIED);
    if (!result.signed) printer.out('This token has no signature at all (alg "none"): never accept it.');
    printer.out();
    printSection(printer, 'Header', result.header);
    printer.out();
    printSection(printer, 'Claims', result.claims, result.times);
    return ExitCode.ok;
  },
};
