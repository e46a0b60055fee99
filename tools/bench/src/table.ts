/** The bench's result rows and their Markdown rendering (printed, and written to BENCHMARKS.md). */

export interface Row {
  section: string;
  name: string;
  /** The measured value, already formatted (`12,345 ops/s`, `3.1 ms`). */
  value: string;
  /** Ratios to the baselines of the section, e.g. `1.02× bare, 1.6× best peer`. */
  ratio?: string;
  /** One line saying what the row means. */
  meaning: string;
}

export const fmt = {
  ops: (n: number) => `${Math.round(n).toLocaleString('en-US')} ops/s`,
  req: (n: number) => `${Math.round(n).toLocaleString('en-US')} req/s`,
  ms: (n: number) => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`,
  mb: (n: number) => `${n.toFixed(1)} MB`,
  /** A change in MB, with its sign. */
  deltaMb: (n: number) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(1)} MB`,
  x: (n: number) => `${n.toFixed(2)}×`,
};

export function renderTable(rows: readonly Row[]): string {
  const lines = ['| section | what | result | ratio | meaning |', '|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.section} | ${r.name} | ${r.value} | ${r.ratio ?? ''} | ${r.meaning} |`);
  }
  return lines.join('\n');
}
