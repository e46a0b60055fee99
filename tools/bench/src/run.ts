/**
 * `npm run bench`: every measurement in one run on this machine, printed as one table, and with
 * `--write` also written to BENCHMARKS.md. `--quick` shortens every measurement (for a smoke run).
 */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { startEmulator } from '@lp-auth/testing';
import { benchClient } from './client.js';
import { benchOAuth1 } from './oauth1.js';
import { renderTable, type Row } from './table.js';
import { benchVerify, signingSetup } from './verify.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const ms = quick ? 200 : 2000;

async function main(): Promise<void> {
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, ${process.platform}`;
  console.error(`# @lp-auth bench on ${machine}${quick ? ' (quick)' : ''}`);
  const rows: Row[] = [];
  const section = async (name: string, run: () => Promise<Row[]> | Row[]) => {
    const t = performance.now();
    console.error(`- ${name}…`);
    rows.push(...(await run()));
    console.error(`  done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };

  const setup = signingSetup();
  await section('verification without HTTP', async () => (await benchVerify(ms, setup)).rows);
  await section('OAuth 1.0 signing', () => benchOAuth1(ms));
  const emu = await startEmulator();
  try {
    await section('authorized client', () => benchClient(emu, ms, quick ? 1000 : 10_000));
  } finally {
    await emu.close();
  }

  const table = renderTable(rows);
  console.log(table);
  if (args.has('--write')) {
    const file = resolve(import.meta.dirname, '../../../BENCHMARKS.md');
    await writeFile(file, benchmarksMarkdown(table, machine));
    console.error(`wrote ${file}`);
  }
}

function benchmarksMarkdown(table: string, machine: string): string {
  return `# Benchmarks

Written by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)}; \`npm run bench\` prints the same
table without writing it. Machine: ${machine}. Absolute numbers drift from run to run and machine to machine;
compare rows of one run, and read the ratio column.

${table}
`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
