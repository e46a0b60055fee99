/**
 * What the `request()` path reads of an answer's headers: one value by name. A WHATWG `Headers`
 * (the fetch transport) and a {@link PlainHeaders} (the undici transport) both fit.
 */
export interface HeaderReader {
  get(name: string): string | null;
}

/** Response headers as undici's dispatcher API gives them: lower-case names, repeated ones as arrays. */
export type RawHeaders = Record<string, string | string[] | undefined>;

/**
 * Response headers kept as the plain object undici gave, read by name without building a WHATWG
 * `Headers` for each answer; {@link PlainHeaders.toHeaders} builds one, once, for whoever asks
 * (`LpResponse.headers`, a credential reading a 401).
 */
export class PlainHeaders implements HeaderReader {
  readonly #raw: RawHeaders;
  #web: Headers | undefined;

  constructor(raw: RawHeaders) {
    this.#raw = raw;
  }

  /** The value of a header named in lower case; repeated headers joined by ", " as `Headers.get` does. */
  get(name: string): string | null {
    const value = this.#raw[name];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : value.join(', ');
  }

  /** The same headers as a WHATWG `Headers`, built on the first call. */
  toHeaders(): Headers {
    if (this.#web) return this.#web;
    const headers = new Headers();
    for (const [name, value] of Object.entries(this.#raw)) {
      if (value === undefined) continue;
      try {
        if (typeof value === 'string') headers.append(name, value);
        else for (const one of value) headers.append(name, one);
      } catch {
        // A name or value Headers refuses (a server's malformed header) is left out, as fetch would fail on it.
      }
    }
    this.#web = headers;
    return headers;
  }
}

/** The answer's headers as a WHATWG `Headers`, whichever transport read them. */
export function webHeaders(headers: Headers | PlainHeaders): Headers {
  return headers instanceof PlainHeaders ? headers.toHeaders() : headers;
}
