/** BENCHMARKS.md: the table and the targets of one `npm run bench -- --write`, and how to read them. */

export interface WriteInput {
  table: string;
  targets: string;
  machine: string;
  seconds: number;
  /** One-minute load average when the run ended. */
  load: number;
}

export function benchmarksMarkdown({ table, targets, machine, seconds, load }: WriteInput): string {
  return `# Benchmarks

Written by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)} (the whole run took
${Math.round(seconds)} s; load average ${load.toFixed(2)} at its end). \`npm run bench\` prints the same
tables without writing them; \`node --expose-gc tools/bench/dist/run.js --quick\` is a short smoke run
after \`npx nx run bench:build\`.

Machine: ${machine}.

Absolute numbers drift from run to run and machine to machine; compare rows of one run, and read the
ratio column.

## Results

${table}

## Targets

${targets}
`;
}
