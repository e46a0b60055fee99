/**
 * BENCHMARKS.md: the tables of one `npm run bench -- --write`, how they were measured, and the
 * hand-written analysis of the targets kept in `tools/bench/notes.md` (appended as it is).
 */
import { readFile } from 'node:fs/promises';

export interface WriteInput {
  table: string;
  targets: string;
  machine: string;
  seconds: number;
  /** One-minute load average when the run started and when it ended. */
  load: { start: number; end: number };
}

const NOTES = new URL('../notes.md', import.meta.url);

export async function benchmarksMarkdown({
  table,
  targets,
  machine,
  seconds,
  load,
}: WriteInput): Promise<string> {
  const notes = await readFile(NOTES, 'utf8');
  return `# Benchmarks

Written by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)}; the whole run took
${Math.round(seconds)} s, with a one-minute load average of ${load.start.toFixed(2)} at its start and
${load.end.toFixed(2)} at its end (the run itself keeps the two cores partly busy). \`npm run bench\`
prints the same tables without writing them.

- Machine: ${machine}.
- Command: \`npm run bench\` (builds every package, then \`node --expose-gc tools/bench/dist/run.js\`);
  \`-- --write\` writes this file; \`--quick\` is a short smoke run whose numbers are not for the record.
- Profiling one route: \`BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" node tools/bench/dist/profile-route.js fastify bare,noop,ours 5 [distinct-token count]\`.

Absolute numbers drift from run to run and machine to machine; compare rows of one run, and read the
ratio column.

## How it is measured

- **Consumer route.** Every server runs in a child process of its own (\`tools/bench/src/routes/serve.ts\`)
  and autocannon (10 connections, no pipelining) loads it from the parent process. On two cores an
  in-process server would share one event loop and one core with the load generator, and every row
  would mostly measure autocannon; a child process gives the server a core of its own and the load
  generator the other, as in production, where the clients are elsewhere. With \`taskset\` present,
  each server process (its libuv threadpool included) is pinned to CPU 1 and the load generator to
  CPU 0: unpinned, a peer that verifies in the threadpool (jose's WebCrypto, under
  express-oauth2-jwt-bearer) borrows the load generator's core and seems faster than it is per core. Each server answers
  \`GET /consumer\` with \`{"sub": …}\`; the guarded ones trust the same local IdP
  (\`startConsumerIdp()\` from \`@lp-auth/testing\`), fetch its JWKS, and check the RS256 signature,
  \`iss\`, \`aud\` and \`exp\`. The peers are set up as their READMEs show: express-jwt and koa-jwt with
  jwks-rsa's secret providers (cache and rate limit on), express-oauth2-jwt-bearer with \`jwksUri\`,
  @fastify/jwt with get-jwks, passport-jwt through @nestjs/passport with jwks-rsa. Ours is
  \`lpAuth({ consumer: { issuer, jwksUri, audience } })\` and \`requireConsumer()\` (Nest:
  \`LpAuthModule.forRoot\` and \`ConsumerGuard\`), default options (a 10,000-entry verified-token cache).
  The *no-op guard* app has the same hooks as ours (an app-wide middleware and a route guard, or
  Fastify's onRequest and preHandler, or Nest's middleware and guard) doing nothing: the part of the
  distance to *bare* that any guard built that way pays before it reads a token. The unguarded apps
  answer the same bytes as the guarded ones.
- **Workloads.** *Same token*: one valid token on every request. *Distinct tokens*: 20,000 tokens
  signed beforehand, each sent once to each server, so every request is a signature check and no
  cache can help (ours still pays for putting each one in its cache). All servers of one framework
  run at once and are loaded in turns, five rounds of one second each (the distinct pool split over
  the rounds), the order reversed every other round; req/s is the median round, p99 is over every
  answer, and *µs CPU/req* is the server process's user + system CPU time divided by its requests,
  which stays steadier than req/s when other work shares the machine. Every answer must be a 200,
  or the run fails.
- **Verification, OAuth 1.0, authorized client.** The candidates of a section run in turns (ten
  rounds), each reporting its median round. Verification uses one 2048-bit RSA key and a token with
  \`lp_sdes\`; OAuth 1.0 checks first that ours and oauth-1.0a produce the same signature for the same
  nonce and timestamp; the client rows call the emulator (\`startEmulator()\`) on 127.0.0.1, and the
  cold burst counts the emulator's token and CSDS requests.
- **Memory.** 100,000 distinct tokens, made before the baseline (so the bank of tokens itself is not
  counted), are verified by a verifier with \`cache: { maxEntries: 100000 }\`, each token a fresh
  string as from a request header. Heap and resident set are measured after full collections
  (\`--expose-gc\`) before and after; bytes per entry is the heap delta over the entry count. With the
  cache full, the same verifier answers hits under load (\`tools/bench/src/cache-load.ts\`): every one of
  the 100,000 cached tokens in turn against one token again and again, req/s, p99 and the share of
  time in GC pauses, so that the cost of a big cache to the collector shows. Then the verifier's clock
  (its \`now\` runtime option) moves two hours on, one new token is verified, and the heap is measured
  again.

## Results

${table}

## Targets

The ceiling column is computed from this run's own rows, for the route targets: against bare, the
no-op row (the same framework hooks doing nothing); against the best peer with the same token, the
no-op row over the peer (a guard that costs nothing); with distinct tokens, CPU per request, the
peer's over the no-op's plus one raw RSA check (the verify row's \`crypto.verify\`), since every
distinct token needs its signature checked. Where a target is above its ceiling, no guard code can
meet it on that framework without skipping a check the row requires.

${targets}

${notes.trim()}
`;
}
