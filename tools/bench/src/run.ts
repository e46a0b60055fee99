/**
 * `npm run bench`: every measurement in one run on this machine, printed as one table with the
 * issue's targets, and with `--write` also written to BENCHMARKS.md. `--quick` shortens every
 * measurement (for a smoke run); its numbers are not for the record. `--only memory` (or a
 * comma-separated list of sections: verify, oauth1, client, memory, routes) runs those alone and
 * prints their rows without the targets: memory needs no quiet machine, the speed rows do.
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

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
const SECTIONS = ['verify', 'oauth1', 'client', 'memory', 'routes'] as const;
type SectionName = (typeof SECTIONS)[number];
const onlyAt = argv.indexOf('--only');
const only = onlyAt < 0 ? undefined : new Set((argv[onlyAt + 1] ?? '').split(','));
for (const name of only ?? []) {
  if (!SECTIONS.includes(name as SectionName))
    throw new Error(`--only: no section "${name}" (${SECTIONS.join(', ')})`);
}
if (only && args.has('--write')) throw new Error('--write needs every section: drop --only');
const wanted = (name: SectionName) => !only || only.has(name);
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

  const verify = wanted('verify')
    ? await section('verification without HTTP', () => benchVerify(ms, signingSetup()))
    : undefined;
  const oauth1 = wanted('oauth1') ? await section('OAuth 1.0 signing', () => benchOAuth1(ms)) : undefined;
  let client: ClientMetrics | undefined;
  if (wanted('client')) {
    const emu = await startEmulator();
    try {
      client = (await section('authorized client', () => benchClient(emu, ms, sizes.burst))).metrics;
    } finally {
      await emu.close();
    }
  }

  const { memory, routes } = await consumerSections(section);
  const table = renderTable(rows);
  if (!routes || !verify || !oauth1 || !client || !memory) {
    console.log(table);
    return;
  }
  const metrics: RunMetrics = {
    routes,
    verify: { rawOps: verify.rawOps, oursColdOps: verify.oursColdOps },
    oauth1VsPeer: oauth1.oursVsPeer,
    client,
    memory,
  };
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

type Section = <T>(name: string, run: () => Promise<T & { rows: Row[] }>) => Promise<T & { rows: Row[] }>;

/** The sections that need the consumer IdP and its bank of distinct tokens. */
async function consumerSections(
  section: Section,
): Promise<{ memory?: MemoryMetrics; routes?: RouteMetrics[] }> {
  if (!wanted('memory') && !wanted('routes')) return {};
  const idp = await startConsumerIdp({ audience: AUDIENCE });
  try {
    const issuing = performance.now();
    const count = Math.max(
      wanted('memory') ? sizes.memory : 0,
      wanted('routes') ? sizes.pool + sizes.warmPool : 0,
    );
    const bank = await TokenBank.issue(idp, count);
    console.error(
      `- ${count.toLocaleString('en-US')} tokens issued in ${((performance.now() - issuing) / 1000).toFixed(1)} s`,
    );
    const memory = wanted('memory')
      ? (await section('memory', () => benchMemory(idp, AUDIENCE, bank, sizes.memory, ms))).metrics
      : undefined;
    if (!wanted('routes')) return { memory };
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
      const routes = (
        await section('consumer route', () => benchRoutes(idpInfo, work, (line) => console.error(line)))
      ).metrics;
      return { memory, routes };
    } finally {
      unpinSelf();
    }
  } finally {
    await idp.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
