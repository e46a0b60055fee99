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
  const route = (target: string, min: number, ratio: (r: RouteMetrics) => number | undefined) => {
    const w = worst(m.routes, ratio);
    out.push({
      target,
      measured: w ? `${w.all}${pending(m.routes)}` : `not measured${pending(m.routes)}`,
      met: w ? w.value >= min : undefined,
    });
  };
  route('consumer route ≥ 0.95× bare framework, same token', 0.95, (r) =>
    r.ours ? r.ours.same.reqPerSec / r.bare.reqPerSec : undefined,
  );
  route('consumer route ≥ 2× best peer, same token', 2, (r) =>
    r.ours && r.bestPeerSame ? r.ours.same.reqPerSec / r.bestPeerSame.result.reqPerSec : undefined,
  );
  route('consumer route ≥ 1.3× best peer, distinct tokens', 1.3, (r) =>
    r.ours && r.bestPeerDistinct
      ? r.ours.distinct.reqPerSec / r.bestPeerDistinct.result.reqPerSec
      : undefined,
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
  const lines = ['| target | this run | met |', '|---|---|---|'];
  for (const r of results) {
    lines.push(
      `| ${r.target} | ${r.measured} | ${r.met === undefined ? 'not measured' : r.met ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}
