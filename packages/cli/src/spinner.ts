/**
 * A one-line progress spinner on stderr, drawn only when stderr is a terminal: in a pipe, a CI log
 * or a test, carriage returns would only garble the output.
 *
 * @module
 */
import type { TextSink } from './io.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const INTERVAL_MS = 80;
/** Erases the current terminal line. */
const CLEAR_LINE = '\r\x1b[2K';

export class Spinner {
  readonly #stream: TextSink;
  readonly #enabled: boolean;
  #text = '';
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: TextSink) {
    this.#stream = stream;
    this.#enabled = stream.isTTY === true;
  }

  /** Starts spinning (or changes the text of a running spinner). */
  update(text: string): void {
    if (!this.#enabled) return;
    this.#text = text;
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#draw(), INTERVAL_MS);
      // A forgotten spinner must not keep the process alive.
      this.#timer.unref();
    }
    this.#draw();
  }

  /** Stops and erases the spinner line. */
  stop(): void {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stream.write(CLEAR_LINE);
  }

  #draw(): void {
    this.#frame = (this.#frame + 1) % FRAMES.length;
    this.#stream.write(`${CLEAR_LINE}${FRAMES[this.#frame]!} ${this.#text}`);
  }
}
