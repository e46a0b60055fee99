import { fmt, type Row } from '../table.js';
import { combineRuns, loadServer, startServerProcess, type LoadResult, type ServerProcess } from './load.js';
import type { Framework, IdpInfo, Variant } from './spec.js';

/** The consumer route on one framework: the bare app, ours, and the peers a user would pick there. */
export interface FrameworkCase {
  framework: Framework;
  label: string;
  peers: { variant: Variant; label: string }[];
}

export const FRAMEWORKS: readonly FrameworkCase[] = [
  {
    framework: 'express',
    label: 'Express',
    peers: [
      { variant: 'express-jwt', label: 'express-jwt + jwks-rsa' },
      { variant: 'express-oauth2-jwt-bearer', label: 'express-oauth2-jwt-bearer' },
    ],
  },
  { framework: 'koa', label: 'Koa', peers: [{ variant: 'koa-jwt', label: 'koa-jwt + jwks-rsa' }] },
  {
    framework: 'fastify',
    label: 'Fastify',
    peers: [{ variant: 'fastify-jwt', label: '@fastify/jwt + get-jwks' }],
  },
  {
    framework: 'nest',
    label: 'NestJS',
    peers: [{ variant: 'passport-jwt', label: 'passport-jwt via @nestjs/passport' }],
  },
];

const NOOP_HOOKS: Record<Framework, string> = {
  express: 'an app.use middleware and a route middleware',
  koa: 'an app.use middleware and a router middleware',
  fastify: 'an onRequest hook and a preHandler',
  nest: 'a middleware for every route and a guard',
};

export interface RouteLoad {
  /** Seconds of same-token load per server, split over the rounds (after a warm-up of a third of that). */
  seconds: number;
  /** Rounds of turns; the distinct pool is split over them too. */
  rounds: number;
  /** One valid token, sent on every request of the same-token runs. */
  token: string;
  /** Distinct tokens for the warm-up of a distinct-token run. */
  warmPool: readonly string[];
  /** Distinct tokens, one per request of a distinct-token run. */
  pool: readonly string[];
}

/** Numbers of one framework, for the targets. */
export interface RouteMetrics {
  framework: string;
  bare: LoadResult;
  noop: LoadResult;
  ours?: { same: LoadResult; distinct: LoadResult };
  bestPeerSame?: { label: string; result: LoadResult };
  bestPeerDistinct?: { label: string; result: LoadResult };
}

type Measured = { same: LoadResult; distinct?: LoadResult } | { pending: string };

/** The apps without authentication get the same-token load only (any token is ignored). */
const unguarded = (variant: Variant) => variant === 'bare' || variant === 'noop';

/**
 * Every variant of one framework, their servers all started at once and loaded in turns (round
 * after round, the order reversed every other round): a slow spell of the machine then hits them
 * alike, and the ratios between them hold up better than their absolute numbers.
 */
export async function measureFramework(
  framework: Framework,
  variants: readonly Variant[],
  idp: IdpInfo,
  work: RouteLoad,
): Promise<Map<Variant, Measured>> {
  const out = new Map<Variant, Measured>();
  const servers = new Map<Variant, ServerProcess>();
  try {
    for (const variant of variants) {
      const server = await startServerProcess({ framework, variant, idp });
      if ('pending' in server) out.set(variant, server);
      else servers.set(variant, server);
    }
    const order = [...servers.keys()];
    const inTurns = async (
      run: (variant: Variant, server: ServerProcess, round: number) => Promise<void>,
    ) => {
      for (let r = 0; r < work.rounds; r++) {
        for (const variant of r % 2 === 0 ? order : [...order].reverse()) {
          await run(variant, servers.get(variant)!, r);
        }
      }
    };
    const warm = Math.max(1, Math.round(work.seconds / 3));
    for (const [variant, server] of servers) {
      await loadServer(server, { seconds: warm, tokens: [work.token] });
      if (!unguarded(variant) && work.warmPool.length > 0) {
        await loadServer(server, { seconds: 0, tokens: work.warmPool, eachOnce: true });
      }
    }
    const same = new Map<Variant, LoadResult[]>(order.map((v) => [v, []]));
    await inTurns(async (variant, server) => {
      const seconds = work.seconds / work.rounds;
      same.get(variant)!.push(await loadServer(server, { seconds, tokens: [work.token] }));
    });
    // Each round sends its own slice of the pool, so every server sees each token once.
    const distinct = new Map<Variant, LoadResult[]>(order.map((v) => [v, []]));
    const chunk = Math.ceil(work.pool.length / work.rounds);
    await inTurns(async (variant, server, round) => {
      const tokens = work.pool.slice(round * chunk, (round + 1) * chunk);
      if (unguarded(variant) || tokens.length === 0) return;
      distinct.get(variant)!.push(await loadServer(server, { seconds: 0, tokens, eachOnce: true }));
    });
    for (const variant of order) {
      const runs = distinct.get(variant)!;
      out.set(variant, {
        same: combineRuns(same.get(variant)!),
        ...(runs.length ? { distinct: combineRuns(runs) } : {}),
      });
    }
    return out;
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
  }
}

const perf = (r: LoadResult) =>
  `${fmt.req(r.reqPerSec)}, p99 ${fmt.ms(r.p99)}, ${Math.round(r.cpuPerRequest ?? Number.NaN)} µs CPU/req`;
const best = (entries: { label: string; result: LoadResult }[]) =>
  entries.reduce<{ label: string; result: LoadResult } | undefined>(
    (a, b) => (a && a.result.reqPerSec >= b.result.reqPerSec ? a : b),
    undefined,
  );

/**
 * The consumer-token route on every framework, each server in a child process of its own, under
 * autocannon (10 connections) from this process: the same token on every request, then a distinct
 * token on every request (each sent once, so no verified-token cache can help).
 */
export async function benchRoutes(
  idp: IdpInfo,
  work: RouteLoad,
  onProgress: (line: string) => void,
): Promise<{ rows: Row[]; metrics: RouteMetrics[] }> {
  const rows: Row[] = [];
  const metrics: RouteMetrics[] = [];
  for (const fw of FRAMEWORKS) {
    const section = `route: ${fw.label}`;
    onProgress(`  ${fw.label}: bare, no-op, ours, ${fw.peers.map((p) => p.label).join(', ')}`);
    const variants: Variant[] = ['bare', 'noop', 'ours', ...fw.peers.map((p) => p.variant)];
    const measured = await measureFramework(fw.framework, variants, idp, work);
    const bare = measured.get('bare')!;
    const noop = measured.get('noop')!;
    if ('pending' in bare || 'pending' in noop)
      throw new Error('an app without our adapter cannot be pending');
    const ours = measured.get('ours')!;
    const peers: { label: string; same: LoadResult; distinct: LoadResult }[] = [];
    for (const peer of fw.peers) {
      const m = measured.get(peer.variant)!;
      if ('pending' in m) throw new Error(`${peer.label} cannot be pending`);
      peers.push({ label: peer.label, same: m.same, distinct: m.distinct! });
    }
    const bestSame = best(peers.map((p) => ({ label: p.label, result: p.same })));
    const bestDistinct = best(peers.map((p) => ({ label: p.label, result: p.distinct })));
    const vsBare = (r: LoadResult) => `${fmt.x(r.reqPerSec / bare.same.reqPerSec)} bare`;
    const vsPeer = (r: LoadResult, peer = bestSame) =>
      peer ? `${fmt.x(r.reqPerSec / peer.result.reqPerSec)} best peer (${peer.label})` : '';

    rows.push({
      section,
      name: 'bare hello world',
      value: perf(bare.same),
      meaning: `${fw.label} answering JSON with no authentication: the ceiling`,
    });
    rows.push({
      section,
      name: 'no-op guard',
      value: perf(noop.same),
      ratio: vsBare(noop.same),
      meaning: `the hooks ours uses on ${fw.label} (${NOOP_HOOKS[fw.framework]}) doing nothing: what any such guard costs before it reads a token`,
    });
    const m: RouteMetrics = { framework: fw.label, bare: bare.same, noop: noop.same };
    if (bestSame) m.bestPeerSame = bestSame;
    if (bestDistinct) m.bestPeerDistinct = bestDistinct;
    if ('pending' in ours) {
      for (const workload of ['same token', 'distinct tokens']) {
        rows.push({
          section,
          name: `@lp-auth requireConsumer(), ${workload}`,
          value: 'adapter pending',
          meaning: ours.pending,
        });
      }
    } else {
      m.ours = { same: ours.same, distinct: ours.distinct! };
      rows.push({
        section,
        name: '@lp-auth requireConsumer(), same token',
        value: perf(ours.same),
        ratio: `${vsBare(ours.same)}, ${fmt.x(ours.same.reqPerSec / noop.same.reqPerSec)} no-op, ${vsPeer(ours.same)}`,
        meaning: 'the same valid token on every request: verified once, then from the verified-token cache',
      });
    }
    for (const peer of peers) {
      rows.push({
        section,
        name: `${peer.label}, same token`,
        value: perf(peer.same),
        ratio: vsBare(peer.same),
        meaning: 'the peer as its README sets it up (JWKS from the IdP, iss, aud and RS256 checked)',
      });
    }
    if (!('pending' in ours)) {
      rows.push({
        section,
        name: '@lp-auth requireConsumer(), distinct tokens',
        value: perf(ours.distinct!),
        ratio: `${vsBare(ours.distinct!)}, ${vsPeer(ours.distinct!, bestDistinct)}`,
        meaning: `${work.pool.length.toLocaleString('en-US')} distinct tokens, each sent once: a signature check on every request`,
      });
    }
    for (const peer of peers) {
      rows.push({
        section,
        name: `${peer.label}, distinct tokens`,
        value: perf(peer.distinct),
        ratio: vsBare(peer.distinct),
        meaning: 'the same distinct tokens, each sent once',
      });
    }
    metrics.push(m);
  }
  return { rows, metrics };
}
