/**
 * Variants of one framework's consumer route, loaded in turns as `npm run bench` does, for
 * comparing and profiling them alone:
 * `node tools/bench/dist/profile-route.js express bare,ours [seconds] [distinct-token count]`.
 * With `BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof"` every server process
 * writes a CPU profile when it exits.
 */
import { startConsumerIdp } from '@lp-auth/testing';
import { LOAD_CPU, pinSelf } from './routes/cpus.js';
import { measureFramework } from './routes/section.js';
import { SAME_TOKEN_SUB, type Framework, type Variant } from './routes/spec.js';
import { fmt } from './table.js';
import { TokenBank } from './token-bank.js';

const [framework = 'express', list = 'bare,ours', seconds = '5', distinct = '0'] = process.argv.slice(2);
const audience = 'lp-bench';
const idp = await startConsumerIdp({ audience });
try {
  const count = Number(distinct);
  const pool = count > 0 ? (await TokenBank.issue(idp, count + 500)).strings(0, count + 500) : [];
  const variants = list.split(',') as Variant[];
  pinSelf(LOAD_CPU);
  const measured = await measureFramework(
    framework as Framework,
    variants,
    { issuer: idp.issuer, jwksUri: idp.jwksUri, audience },
    {
      seconds: Number(seconds),
      rounds: 5,
      token: await idp.issue({ claims: { sub: SAME_TOKEN_SUB } }),
      pool: pool.slice(500),
      warmPool: pool.slice(0, 500),
    },
  );
  for (const [variant, m] of measured) {
    if ('pending' in m) {
      console.log(`${variant}: ${m.pending}`);
      continue;
    }
    for (const [workload, r] of [
      ['same', m.same],
      ['distinct', m.distinct],
    ] as const) {
      if (!r || r.requests === 0) continue;
      console.log(
        `${framework} ${variant} ${workload}: ${fmt.req(r.reqPerSec)}, p99 ${fmt.ms(r.p99)}, ${Math.round(r.cpuPerRequest!)} µs CPU/req`,
      );
    }
  }
  console.log(`JWKS fetched ${idp.stats.jwks}×`);
} finally {
  await idp.close();
}
