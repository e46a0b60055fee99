/**
 * What `doctor` says while it works. A person at a terminal gets a spinner (erased when done);
 * anything else (CI, a pipe, `2> log`) gets one line on stderr as each step starts, so that a step
 * that hangs (a CSDS that never answers) shows which one it is instead of seconds of silence.
 * stderr is written synchronously for files and pipes, so each line is out before the step begins.
 *
 * @module
 */
import type { Printer, TextSink } from './io.js';
import { Spinner } from './spinner.js';

export interface Progress {
  /** A step starts; `text` says what it does. */
  step(text: string): void;
  /** Work is over (erases the spinner). */
  stop(): void;
}

export function progress(stderr: TextSink, printer: Printer): Progress {
  if (stderr.isTTY === true) {
    const spinner = new Spinner(stderr);
    return { step: (text) => spinner.update(`${text}…`), stop: () => spinner.stop() };
  }
  return { step: (text) => printer.err(`… ${text}`), stop() {} };
}
