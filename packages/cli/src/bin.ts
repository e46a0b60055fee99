#!/usr/bin/env node
/**
 * `lp-auth`: the executable. Wires the process (streams, environment, signals) to {@link runCli}.
 *
 * @module
 */
import { text } from 'node:stream/consumers';
import { runCli } from './cli.js';
import type { CliIo } from './io.js';

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  readStdin: () => text(process.stdin),
  stopRequested: () =>
    new Promise((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        // A second signal while closing: stop now.
        process.once('SIGINT', () => process.exit(ExitOnSecondSignal));
        process.once('SIGTERM', () => process.exit(ExitOnSecondSignal));
        resolve(signal);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }),
};

const ExitOnSecondSignal = 1;

// process.exit, not exitCode: a keep-alive socket of fetch's pool must not hold the shell for seconds.
// stdout and stderr are synchronous for files and pipes on POSIX, so nothing written is lost.
runCli(process.argv.slice(2), io).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
