import type { ClientMetrics } from './client.js';
import type { MemoryMetrics } from './memory.js';
import type { RouteMetrics } from './routes/section.js';
import { fmt } from './table.js';

/** Everything a target is judged on, gathered from the sections of one run. */
export interface RunMetrics {
  routes: RouteMetrics[];
  verify: { rawOps: number; oursColdOps: number };
  oauth1VsPeer: number;
  client: ClientMetrics;
  memory: MemoryMetrics;
}

export interface TargetResult {
  target: string;
  measured: string;
  met: boolean | undefined;
  /**
   * For a route target: the most any guard could reach in this run while doing the work the row
   * requires (see {@link routeCeilings}), per framework. A target above its ceiling cannot be met
   * by the guard's own code.
   */
  ceiling?: string;
}

/** CPU microseconds per request of a load, or undefined when the server's CPU was not measured. */
const cpu = (r: { cpuPerRequest?: number } | undefined) =>
  r?.cpuPerRequest !== undefined && Number.isFinite(r.cpuPerRequest) ? r.cpuPerRequest : undefined;

/**
 * What a guard could reach at best on each route row, from the same run's numbers:
 * - vs bare: the no-op row (the same framework hooks doing nothing), over bare;
 * - vs best peer, same token: the no-op row over the peer (a guard that costs nothing);
 * - vs best peer, distinct tokens: CPU per request, the peer's over the no-op's plus one raw RSA
 *   check (`rawVerifyUs`), since each distinct token needs its signature checked once.
 */
export function routeCeilings(r: RouteMetrics, rawVerifyUs: number) {
  const peerDistinctCpu = cpu(r.bestPeerDistinct?.result);
  const noopCpu = cpu(r.noop);
  return {
    bare: r.noop.reqPerSec / r.bare.reqPerSec,
    peerSame: r.bestPeerSame ? r.noop.reqPerSec / r.bestPeerSame.result.reqPerSec : undefined,
    peerDistinct:
      peerDistinctCpu !== undefined && noopCpu !== undefined
        ? peerDistinctCpu / (noopCpu + rawVerifyUs)
        : undefined,
  };
}

/** A frameworks' worst ratio (and where), or undefined when no framework could be measured. */
function worst(
  routes: RouteMetrics[],
  ratio: (m: RouteMetrics) => number | undefined,
): { value: number; where: string; all: string } | undefined {
  const each = routes.flatMap((m) => {
    const r = ratio(m);
    return r === undefined ? [] : [{ value: r, where: m.framework }];
  });
  if (each.length === 0) return undefined;
  const low = each.reduce((a, b) => (b.value < a.value ? b : a));
  const all = each.map((e) => `${e.where} ${fmt.x(e.value)}`).join(', ');
  return { ...low, all };
}

function pending(routes: RouteMetrics[]): string {
  const missing = routes.filter((m) => !m.ours).map((m) => m.framework);
  return missing.length ? `; adapter pending: ${missing.join(', ')}` : '';
}

/** The issue's targets, each with what this run measured and whether it is met. */
export function judgeTargets(m: RunMetrics): TargetResult[] {
  const out: TargetResult[] = [];
  const rawVerifyUs = 1e6 / m.verify.rawOps;
  type Ceiling = keyof ReturnType<typeof routeCeilings>;
  const route = (
    target: string,
    min: number,
    ratio: (r: RouteMetrics) => number | undefined,
    ceilingOf: Ceiling,
  ) => {
    const w = worst(m.routes, ratio);
    const ceilings = m.routes.flatMap((r) => {
      const c = routeCeilings(r, rawVerifyUs)[ceilingOf];
      return c === undefined ? [] : [`${r.framework} ${fmt.x(c)}`];
    });
    out.push({
      target,
      measured: w ? `${w.all}${pending(m.routes)}` : `not measured${pending(m.routes)}`,
      met: w ? w.value >= min : undefined,
      ...(ceilings.length ? { ceiling: ceilings.join(', ') } : {}),
    });
  };
  route(
    'consumer route ≥ 0.95× bare framework, same token',
    0.95,
    (r) => (r.ours ? r.ours.same.reqPerSec / r.bare.reqPerSec : undefined),
    'bare',
  );
  route(
    'consumer route ≥ 2× best peer, same token',
    2,
    (r) => (r.ours && r.bestPeerSame ? r.ours.same.reqPerSec / r.bestPeerSame.result.reqPerSec : undefined),
    'peerSame',
  );
  route(
    'consumer route ≥ 1.3× best peer, distinct tokens',
    1.3,
    (r) =>
      r.ours && r.bestPeerDistinct
        ? r.ours.distinct.reqPerSec / r.bestPeerDistinct.result.reqPerSec
        : undefined,
    'peerDistinct',
  );
  const verify = m.verify.oursColdOps / m.verify.rawOps;
  out.push({
    target: 'uncached verification ≥ 0.85× raw crypto.verify',
    measured: fmt.x(verify),
    met: verify >= 0.85,
  });
  out.push({
    target: 'OAuth 1.0 signing ≥ 2× oauth-1.0a',
    measured: fmt.x(m.oauth1VsPeer),
    met: m.oauth1VsPeer >= 2,
  });
  out.push({
    target: 'authorized client overhead ≤ 5 % over plain fetch',
    measured: `${m.client.overheadPercent.toFixed(1)} %`,
    met: m.client.overheadPercent <= 5,
  });
  out.push({
    target: 'one upstream token call per cold burst',
    measured: `${m.client.burstTokenCalls}`,
    met: m.client.burstTokenCalls === 1,
  });
  const n = m.memory.identities.toLocaleString('en-US');
  // The target is for 100,000; a --quick run caches fewer, so it is scaled.
  const budgetMb = (64 * m.memory.identities) / 100_000;
  out.push({
    target: `100,000 cached identities ≤ 64 MB${m.memory.identities === 100_000 ? '' : ` (scaled: ${n} ≤ ${budgetMb.toFixed(1)} MB)`}`,
    measured: fmt.deltaMb(m.memory.cachedMb),
    met: m.memory.cachedMb <= budgetMb,
  });
  // "Near": within a tenth of what the full cache held, and at most 4 MB.
  const near = Math.min(4, m.memory.cachedMb / 10);
  out.push({
    target: 'back near baseline after expiry',
    measured: `${fmt.deltaMb(m.memory.afterExpiryMb)}, ${m.memory.cachedAfterExpiry.toLocaleString('en-US')} entries left`,
    met: m.memory.afterExpiryMb <= near,
  });
  return out;
}

export function renderTargets(results: readonly TargetResult[]): string {
  const lines = [
    '| target | this run | ceiling in this run (route rows: the best a guard doing the required work could reach) | met |',
    '|---|---|---|---|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.target} | ${r.measured} | ${r.ceiling ?? ''} | ${r.met === undefined ? 'not measured' : r.met ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}
