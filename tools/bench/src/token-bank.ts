import type { ConsumerIdp } from '@lp-auth/testing';

/**
 * Many distinct consumer id_tokens from the IdP, kept in one Buffer outside the JS heap: the memory
 * rows then count only what the verifier keeps, and each `at(i)` is a fresh string, as a token read
 * from a request header is.
 */
export class TokenBank {
  readonly #bytes: Buffer;
  readonly #ends: Uint32Array;

  private constructor(bytes: Buffer, ends: Uint32Array) {
    this.#bytes = bytes;
    this.#ends = ends;
  }

  /** Issues `count` tokens (distinct `sub`, so distinct signatures), `parallel` signatures at a time. */
  static async issue(idp: ConsumerIdp, count: number, parallel = 64): Promise<TokenBank> {
    const chunks: Buffer[] = [];
    const ends = new Uint32Array(count);
    let length = 0;
    for (let i = 0; i < count; i += parallel) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(parallel, count - i) }, (_, j) =>
          idp.issue({ claims: { sub: `consumer-${i + j}` } }),
        ),
      );
      for (const [j, token] of batch.entries()) {
        const bytes = Buffer.from(token, 'latin1');
        chunks.push(bytes);
        length += bytes.length;
        ends[i + j] = length;
      }
    }
    return new TokenBank(Buffer.concat(chunks, length), ends);
  }

  get size(): number {
    return this.#ends.length;
  }

  /** Token `i`, as a new string. */
  at(i: number): string {
    return this.#bytes.toString('latin1', i === 0 ? 0 : this.#ends[i - 1], this.#ends[i]);
  }

  /** Tokens `from` to `to` (exclusive) as strings. */
  strings(from: number, to: number): string[] {
    return Array.from({ length: to - from }, (_, k) => this.at(from + k));
  }
}
