/**
 * Instructions per request of one framework's consumer-route variants, counted by valgrind's
 * callgrind in the server process:
 * `node tools/bench/dist/count-route.js express noop,ours [warm-up requests] [counted requests] [distinct]`.
 *
 * req/s and CPU time per request move by ±20 % from run to run on two shared cores; instruction
 * counts do not depend on what else the machine runs, so an A/B of a few thousand instructions per
 * request shows. Each server (the same apps as `npm run bench`, `routes/serve.ts`) runs under
 * `valgrind --tool=callgrind` with node's `--single-threaded` (the collector's work is then counted
 * on the main thread, and no compiler thread runs beside it); one keep-alive connection sends the
 * same-token request, first `warm-up` times (the JIT settles), then the counters are zeroed and
 * `counted` requests are counted. With `distinct` (any fourth argument), every request carries a
 * token of its own, as in the bench's distinct-token rows: each one is a signature check. Run-to-run spread seen: about ±5,000 instructions per request
 * (where the collector's major cycles fall). Needs valgrind (`callgrind_control` included).
 *
 * With `COUNT_ROUTE_BREAKDOWN=1`, the server also runs with node's `--perf-basic-prof` (V8 writes
 * `/tmp/perf-<pid>.map`, naming its JIT code; its log goes to the dump's directory), and each
 * variant's line is followed by where its instructions went, per request (`callgrind.ts`): the self
 * cost by group (JIT-compiled JavaScript, V8 builtins, garbage collection, the rest of V8, node's
 * C++, llhttp, other), and our JavaScript functions (file under `/packages/` or `/tools/bench/`) with
 * inclusive and self cost, calls and largest callees; ours whose inclusive cost is over a quarter of
 * the request (the framework runs the route inside them) are listed apart with their self cost only.
 * Functions still interpreted have no code of their own (their cost is in the bytecode handlers).
 * Writing the map costs a little when code is compiled during the counted requests; a compile that
 * lands in them shows, e.g., as a `Builtins_CEntry_*` callee with thousands of instructions and
 * 0.00 calls per request. The map is read through a hard link in the dump's directory (another run
 * may clean /tmp of perf maps meanwhile), and removed with the dump unless `COUNT_ROUTE_KEEP=1`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startConsumerIdp } from '@lp-auth/testing';
import { breakdown, readCallgrind, readPerfMap, renderBreakdown, type Breakdown } from './callgrind.js';
import { TokenBank } from './token-bank.js';
import {
  ROUTE,
  SAME_TOKEN_SUB,
  type Framework,
  type ServerReady,
  type ServerSpec,
  type Variant,
} from './routes/spec.js';

/** With `COUNT_ROUTE_KEEP=1`, the dumps stay on disk for `callgrind_annotate --inclusive=yes`. */
const keep = process.env.COUNT_ROUTE_KEEP === '1';
/** With `COUNT_ROUTE_BREAKDOWN=1`, where the instructions went (above). */
const wantBreakdown = process.env.COUNT_ROUTE_BREAKDOWN === '1';
/** The repository, cut from the paths of JavaScript functions. */
const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const SERVE = fileURLToPath(new URL('./routes/serve.js', import.meta.url));
const [framework = 'express', list = 'noop,ours', warm = '4000', counted = '3000', distinct] =
  process.argv.slice(2);

const audience = 'lp-bench';
const idp = await startConsumerIdp({ audience });
try {
  const same = await idp.issue({ claims: { sub: SAME_TOKEN_SUB } });
  const total = Number(warm) + Number(counted);
  const bank = distinct ? await TokenBank.issue(idp, total) : undefined;
  const tokens = (from: number, to: number): string[] =>
    bank ? bank.strings(from, to) : Array.from({ length: to - from }, () => same);
  for (const variant of list.split(',') as Variant[]) {
    const spec: ServerSpec = {
      framework: framework as Framework,
      variant,
      idp: { issuer: idp.issuer, jwksUri: idp.jwksUri, audience },
    };
    const count = await countVariant(spec, tokens(0, Number(warm)), tokens(Number(warm), total));
    const workload = bank ? 'distinct tokens' : 'same token';
    console.log(
      `${framework} ${variant}, ${workload}: ${(count.perRequest / 1000).toFixed(1)} k instructions per request`,
    );
    if (count.breakdown) console.log(`${renderBreakdown(count.breakdown)}\n`);
  }
} finally {
  await idp.close();
}

async function countVariant(
  spec: ServerSpec,
  warmUp: string[],
  counted: string[],
): Promise<{ perRequest: number; breakdown?: Breakdown }> {
  const dir = mkdtempSync(join(tmpdir(), 'lp-count-route-'));
  let perfMap: string | undefined;
  try {
    const child = spawn(
      'valgrind',
      [
        '--tool=callgrind',
        '--quiet',
        `--callgrind-out-file=${join(dir, 'callgrind.%p')}`,
        '--dump-instr=no',
        process.execPath,
        '--single-threaded',
        // V8 names its JIT code in /tmp/perf-<pid>.map; the log this opens goes with the dump.
        ...(wantBreakdown
          ? ['--perf-basic-prof', `--logfile=${join(dir, 'v8.log')}`, '--no-logfile-per-isolate']
          : []),
        SERVE,
        JSON.stringify(spec),
      ],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    // valgrind runs node in the process it was started as: node's pid (the map's name) is the child's.
    if (wantBreakdown && child.pid !== undefined) perfMap = `/tmp/perf-${child.pid}.map`;
    const ready = await new Promise<ServerReady>((resolve, reject) => {
      child.once('message', (message) => resolve(message as ServerReady));
      child.once('exit', (code) =>
        reject(new Error(`${spec.framework}/${spec.variant} server exited (${code})`)),
      );
    });
    if ('pending' in ready) throw new Error(`${spec.framework}/${spec.variant}: ${ready.pending}`);
    // A second name for the map (V8 keeps appending to the same file) in the dump's directory: what
    // else cleans /tmp of perf maps meanwhile (another run) leaves it whole.
    const mapLink = join(dir, 'perf.map');
    if (perfMap && existsSync(perfMap)) {
      try {
        linkSync(perfMap, mapLink);
      } catch {
        // another file system than /tmp's: read the map where V8 writes it
      }
    }
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = async (tokens: string[]) => {
      for (const token of tokens) await request(ready.port, token, agent);
    };
    await send(warmUp);
    execFileSync('callgrind_control', ['--zero', String(child.pid)], { stdio: 'ignore' });
    await send(counted);
    execFileSync('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' });
    agent.destroy();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
    // The dump asked for is part 1; the file without a part number is what ran after it.
    const dump = readdirSync(dir).find((name) => name.endsWith('.1'));
    if (!dump) throw new Error(`no callgrind dump in ${dir}`);
    const total = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'));
    if (!total) throw new Error(`no instruction total in ${dump}`);
    if (keep) console.log(`${spec.framework} ${spec.variant}: callgrind dump kept in ${join(dir, dump)}`);
    const perRequest = Number(total[1]) / counted.length;
    if (!perfMap) return { perRequest };
    const mapFile = existsSync(mapLink) ? mapLink : perfMap;
    if (keep) console.log(`${spec.framework} ${spec.variant}: perf map kept in ${mapFile}`);
    const parsed = await readCallgrind(join(dir, dump));
    const map = readPerfMap(mapFile);
    return { perRequest, breakdown: breakdown(parsed, map, { requests: counted.length, root: ROOT }) };
  } finally {
    if (!keep) {
      rmSync(dir, { recursive: true, force: true });
      if (perfMap) rmSync(perfMap, { force: true });
    }
  }
}

function request(port: number, token: string, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    get(
      { host: '127.0.0.1', port, path: ROUTE, agent, headers: { authorization: `Bearer ${token}` } },
      (response) => {
        if (response.statusCode !== 200) reject(new Error(`status ${response.statusCode}`));
        response.resume();
        response.on('end', resolve);
      },
    ).on('error', reject);
  });
}
