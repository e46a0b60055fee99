/**
 * `npm run soak`: ten minutes (or `--minutes N`) of mixed traffic through every credential against
 * the emulator, with tokens expiring every 30 s and 5 % of calls failing, sampling RSS and heap every
 * 10 s. Prints the samples and the growth between the first and the last minute. Not part of
 * `npm test`: it measures, it does not assert.
 */
import { parseArgs } from 'node:util';
import { createLpAuth, LpAuthError, silentLogger, type LpAuth } from '@lp-auth/core';
import { startEmulator } from '@lp-auth/testing';
import { heapMb } from './measure.js';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, 'in-flight': { type: 'string', default: '32' } },
});
const minutes = Number(values.minutes);
const inFlight = Number(values['in-flight']);
if (!(minutes > 0) || !(inFlight > 0))
  throw new TypeError('--minutes and --in-flight must be positive numbers');

function traffic(lp: LpAuth): (() => Promise<unknown>)[] {
  return [
    () =>
      lp.client('appJwt').request({
        service: 'accountConfigReadOnly',
        path: '/api/account/{accountId}/configuration/le-users/skills',
      }),
    () =>
      lp.client('appJwt').request({
        service: 'asyncMessagingEnt',
        path: '/api/account/{accountId}/messaging/consumer/conversation',
        method: 'POST',
        query: { v: 3 },
        onBehalfOf: `soak-${Math.floor(Math.random() * 5000)}`,
        json: [
          { kind: 'req', id: '1,', type: 'userprofile.SetUserProfile', body: { authenticatedData: {} } },
        ],
      }),
    () =>
      lp
        .client('orchestratorV1')
        .request({ service: 'orchestratorContext', path: '/v1/account/{accountId}/soak/s/properties' }),
    () =>
      lp
        .client('orchestratorV2')
        .request({ service: 'orchestratorCcs', path: '/v2/context/document/{accountId}/soak/s' }),
    () =>
      lp.client('oauth1').request({
        service: 'accountConfigReadOnly',
        path: '/api/account/{accountId}/configuration/le-users/users',
      }),
    () =>
      lp.client('login').request({
        service: 'agentVep',
        path: '/api/account/{accountId}/agentSession',
        method: 'POST',
        query: { v: 1, NC: true },
      }),
  ];
}

async function main(): Promise<void> {
  const emu = await startEmulator({ tokenLifetimeSeconds: 30 });
  emu.faults.chaos({ rate: 0.05, seed: 11, kinds: ['status5xx', 'rateLimited', 'drop', 'malformedJson'] });
  const lp = createLpAuth({
    ...emu.lpAuthOptions(),
    logger: silentLogger,
    http: { retry: { baseDelayMs: 20, maxDelayMs: 500 } },
    credentials: emu.lpAuthCredentials(),
  });
  const calls = traffic(lp);
  const end = Date.now() + minutes * 60_000;
  let ok = 0;
  let failed = 0;
  let untyped = 0;
  let i = 0;
  const samples: { s: number; rssMb: number; heapMb: number; ok: number }[] = [];
  const started = Date.now();
  const sample = async () => {
    const heap = await heapMb();
    const row = {
      s: Math.round((Date.now() - started) / 1000),
      rssMb: process.memoryUsage().rss / 1048576,
      heapMb: heap,
      ok,
    };
    samples.push(row);
    console.error(
      `${String(row.s).padStart(5)} s  rss ${row.rssMb.toFixed(1)} MB  heap ${row.heapMb.toFixed(1)} MB  ok ${ok}  failed ${failed}`,
    );
  };
  const timer = setInterval(() => void sample(), 10_000);
  await sample();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < end) {
        try {
          await calls[i++ % calls.length]!();
          ok++;
        } catch (error) {
          if (error instanceof LpAuthError) failed++;
          else untyped++;
        }
      }
    }),
  );
  clearInterval(timer);
  await sample();
  await lp.close();
  await emu.close();

  const firstMinute = samples.filter((s) => s.s <= 60);
  const lastMinute = samples.filter((s) => s.s >= samples.at(-1)!.s - 60);
  const avg = (rows: typeof samples, key: 'rssMb' | 'heapMb') =>
    rows.reduce((a, r) => a + r[key], 0) / rows.length;
  const report = {
    minutes,
    requests: ok + failed + untyped,
    ok,
    typedFailures: failed,
    untypedFailures: untyped,
    tokenCalls: emu.stats.count('sentinel.token') + emu.stats.count('co.v2.login'),
    rssMb: { firstMinute: avg(firstMinute, 'rssMb'), lastMinute: avg(lastMinute, 'rssMb') },
    heapMb: { firstMinute: avg(firstMinute, 'heapMb'), lastMinute: avg(lastMinute, 'heapMb') },
  };
  console.log(JSON.stringify(report, null, 2));
  if (untyped > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
