/**
 * One consumer-route server under load, for profiling what `npm run bench` measures:
 * `BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" node tools/bench/dist/profile-route.js fastify ours [seconds] [distinct]`
 * The server's child process writes its profile when it exits. Prints req/s and p99.
 */
import { startConsumerIdp } from '@lp-auth/testing';
import { loadServer, startServerProcess } from './routes/load.js';
import type { Framework, Variant } from './routes/spec.js';
import { TokenBank } from './token-bank.js';

const [framework = 'express', variant = 'ours', seconds = '5', distinct] = process.argv.slice(2);
const audience = 'lp-bench';
const idp = await startConsumerIdp({ audience });
try {
  const server = await startServerProcess({
    framework: framework as Framework,
    variant: variant as Variant,
    idp: { issuer: idp.issuer, jwksUri: idp.jwksUri, audience },
  });
  if ('pending' in server) throw new Error(server.pending);
  try {
    const tokens = distinct
      ? (await TokenBank.issue(idp, Number(distinct))).strings(0, Number(distinct))
      : [await idp.issue()];
    await loadServer(server, { seconds: 1, tokens: [tokens[0]!] });
    const result = await loadServer(server, { seconds: Number(seconds), tokens });
    console.log(
      `${framework} ${variant}: ${Math.round(result.reqPerSec)} req/s, p99 ${result.p99.toFixed(2)} ms, ${Math.round(result.cpuPerRequest!)} µs CPU/req; JWKS fetched ${idp.stats.jwks}×`,
    );
  } finally {
    await server.stop();
  }
} finally {
  await idp.close();
}
