/**
 * `npm run bench`: every measurement in one run on this machine, printed as one table with the
 * issue's targets, and with `--write` also written to BENCHMARKS.md. `--quick` shortens every
 * measurement (for a smoke run); its numbers are not for the record.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { startConsumerIdp, startEmulator } from '@lp-auth/testing';
import { benchClient, type ClientMetrics } from './client.js';
import { benchMemory, type MemoryMetrics } from './memory.js';
import { benchOAuth1 } from './oauth1.js';
import { LOAD_CPU, pinSelf, SERVER_CPU, unpinSelf } from './routes/cpus.js';
import { benchRoutes, type RouteMetrics } from './routes/section.js';
import { SAME_TOKEN_SUB } from './routes/spec.js';
import { renderTable, type Row } from './table.js';
import { judgeTargets, renderTargets, type RunMetrics } from './targets.js';
import { TokenBank } from './token-bank.js';
import { benchVerify, signingSetup } from './verify.js';
import { benchmarksMarkdown } from './write.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const ms = quick ? 200 : 2000;
const sizes = quick
  ? { routeSeconds: 1, rounds: 2, pool: 3000, warmPool: 500, memory: 10_000, burst: 1000 }
  : { routeSeconds: 5, rounds: 5, pool: 20_000, warmPool: 2000, memory: 100_000, burst: 10_000 };
const AUDIENCE = 'lp-bench';

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, ${process.platform}`;
  console.error(`# @lp-auth bench on ${machine}${quick ? ' (quick)' : ''}, load ${loadavg()[0]!.toFixed(2)}`);
  const rows: Row[] = [];
  const section = async <T>(
    name: string,
    run: () => Promise<T & { rows: Row[] }> | (T & { rows: Row[] }),
  ) => {
    const t = performance.now();
    console.error(`- ${name}…`);
    const result = await run();
    rows.push(...result.rows);
    console.error(`  done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return result;
  };

  const setup = signingSetup();
  const verify = await section('verification without HTTP', () => benchVerify(ms, setup));
  const oauth1 = await section('OAuth 1.0 signing', () => benchOAuth1(ms));
  const emu = await startEmulator();
  let client: ClientMetrics;
  try {
    client = (await section('authorized client', () => benchClient(emu, ms, sizes.burst))).metrics;
  } finally {
    await emu.close();
  }

  const idp = await startConsumerIdp({ audience: AUDIENCE });
  let routes: RouteMetrics[];
  let memory: MemoryMetrics;
  try {
    const issuing = performance.now();
    const count = Math.max(sizes.memory, sizes.pool + sizes.warmPool);
    const bank = await TokenBank.issue(idp, count);
    console.error(
      `- ${count.toLocaleString('en-US')} tokens issued in ${((performance.now() - issuing) / 1000).toFixed(1)} s`,
    );
    memory = (await section('memory', () => benchMemory(idp, AUDIENCE, bank, sizes.memory))).metrics;
    const work = {
      seconds: sizes.routeSeconds,
      rounds: sizes.rounds,
      token: await idp.issue({ claims: { sub: SAME_TOKEN_SUB } }),
      pool: bank.strings(0, sizes.pool),
      warmPool: bank.strings(sizes.pool, sizes.pool + sizes.warmPool),
    };
    const idpInfo = { issuer: idp.issuer, jwksUri: idp.jwksUri, audience: AUDIENCE };
    const pinned = pinSelf(LOAD_CPU);
    console.error(
      pinned
        ? `  load generator pinned to CPU ${LOAD_CPU}, every server to CPU ${SERVER_CPU}`
        : '  not pinned (needs 2 CPUs and taskset)',
    );
    try {
      routes = (
        await section('consumer route', () => benchRoutes(idpInfo, work, (line) => console.error(line)))
      ).metrics;
    } finally {
      unpinSelf();
    }
  } finally {
    await idp.close();
  }

  const metrics: RunMetrics = {
    routes,
    verify: { rawOps: verify.rawOps, oursColdOps: verify.oursColdOps },
    oauth1VsPeer: oauth1.oursVsPeer,
    client,
    memory,
  };
  const table = renderTable(rows);
  const targets = renderTargets(judgeTargets(metrics));
  console.log(`${table}\n\n${targets}`);
  const took = (performance.now() - started) / 1000;
  console.error(`# whole run: ${took.toFixed(0)} s`);
  if (args.has('--write')) {
    const file = resolve(import.meta.dirname, '../../../BENCHMARKS.md');
    await writeFile(
      file,
      await benchmarksMarkdown({
        table,
        targets,
        machine,
        seconds: took,
        load: { start: loadAtStart, end: loadavg()[0]! },
      }),
    );
    console.error(`wrote ${file}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
