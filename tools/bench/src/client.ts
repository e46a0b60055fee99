import { createLpAuth, silentLogger, type AppJwtCredential } from '@lp-auth/core';
import type { Emulator } from '@lp-auth/testing';
import { request as undiciRequest } from 'undici';
import { measureLatencyInTurns, percentile } from './measure.js';
import { fmt, type Row } from './table.js';

const SKILLS = '/api/account/{accountId}/configuration/le-users/skills';
/** Requests in flight at most during the cold burst. */
const POOL = 512;

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function lpFor(emu: Emulator, fetchFn?: Fetch) {
  const { appJwt } = emu.lpAuthCredentials();
  const options = emu.lpAuthOptions();
  return createLpAuth({
    ...options,
    ...(fetchFn ? { http: { fetch: fetchFn } } : {}),
    logger: silentLogger,
    credentials: { appJwt },
  });
}

/**
 * The global fetch with at most `max` requests in flight, as a connection pool would allow: ten
 * thousand sockets at once would need twenty thousand file descriptors here (client and emulator
 * share the process), past this machine's limit.
 */
function pooledFetch(max: number): Fetch {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  return async (input, init) => {
    if (inFlight >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight++;
    try {
      return await fetch(input, init);
    } finally {
      inFlight--;
      waiting.shift()?.();
    }
  };
}

/**
 * The authorized client against a plain `fetch` of the same loopback endpoint with the same token,
 * then a cold-cache burst: many concurrent first calls, counting upstream token and CSDS calls.
 */
export interface ClientMetrics {
  /** How much slower than plain fetch, in percent. */
  overheadPercent: number;
  burstTokenCalls: number;
}

export async function benchClient(
  emu: Emulator,
  ms: number,
  burst: number,
): Promise<{ rows: Row[]; metrics: ClientMetrics }> {
  const lp = lpFor(emu);
  const client = lp.client('appJwt');
  try {
    await client.request({ service: 'accountConfigReadOnly', path: SKILLS });
    const token = (client.credential as AppJwtCredential).tokens.peek()!.value;
    const url = `${emu.url}${SKILLS.replace('{accountId}', emu.accountId)}`;

    const { plain, undici, ours } = await measureLatencyInTurns(
      {
        plain: async () => {
          const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
          if (!res.ok) throw new Error(`plain fetch: ${res.status}`);
          await res.json();
        },
        // The transport request() uses (when http.fetch is not set), bare: no deadline, no limit.
        undici: async () => {
          const res = await undiciRequest(url, { headers: { authorization: `Bearer ${token}` } });
          if (res.statusCode !== 200) throw new Error(`plain undici request: ${res.statusCode}`);
          await res.body.json();
        },
        ours: () => client.request({ service: 'accountConfigReadOnly', path: SKILLS }),
      },
      ms,
    );
    const overhead = (plain.reqPerSec / ours.reqPerSec - 1) * 100;
    const overUndici = (undici.reqPerSec / ours.reqPerSec - 1) * 100;
    const rows: Row[] = [
      {
        section: 'authorized client',
        name: 'plain fetch, token in hand (16 in flight)',
        value: `${fmt.req(plain.reqPerSec)}, p99 ${fmt.ms(plain.p99)}`,
        meaning: 'the baseline: fetch to the emulator with a bearer header, JSON parsed',
      },
      {
        section: 'authorized client',
        name: 'plain undici request, token in hand (16 in flight)',
        value: `${fmt.req(undici.reqPerSec)}, p99 ${fmt.ms(undici.p99)}`,
        ratio: `${fmt.x(undici.reqPerSec / plain.reqPerSec)} fetch; ours ${overUndici.toFixed(1)} % over it`,
        meaning:
          "informational: undici's request() (the transport LpClient.request uses unless http.fetch is set), same call, no deadline or byte limit",
      },
      {
        section: 'authorized client',
        name: 'LpClient.request, cached token (16 in flight)',
        value: `${fmt.req(ours.reqPerSec)}, p99 ${fmt.ms(ours.p99)}`,
        ratio: `${fmt.x(ours.reqPerSec / plain.reqPerSec)} fetch (${overhead.toFixed(1)} % overhead)`,
        meaning: 'domain lookup from cache, token from cache, header, JSON parse, request id',
      },
    ];
    const cold = await coldBurst(emu, burst);
    rows.push(cold.row);
    return { rows, metrics: { overheadPercent: overhead, burstTokenCalls: cold.tokenCalls } };
  } finally {
    await lp.close();
  }
}

async function coldBurst(emu: Emulator, burst: number): Promise<{ row: Row; tokenCalls: number }> {
  const before = { token: emu.stats.count('sentinel.token'), csds: emu.stats.count('csds.all') };
  // A configured fetch, so request() runs over it (not undici's dispatcher), with its pool limit.
  const lp = lpFor(emu, pooledFetch(POOL));
  const client = lp.client('appJwt');
  try {
    const latencies: number[] = [];
    const start = performance.now();
    await Promise.all(
      Array.from({ length: burst }, async () => {
        const t = performance.now();
        await client.request({ service: 'accountConfigReadOnly', path: SKILLS });
        latencies.push(performance.now() - t);
      }),
    );
    const took = performance.now() - start;
    const tokenCalls = emu.stats.count('sentinel.token') - before.token;
    const csdsCalls = emu.stats.count('csds.all') - before.csds;
    const row: Row = {
      section: 'authorized client',
      name: `cold burst: ${burst.toLocaleString('en-US')} concurrent first calls`,
      value: `${tokenCalls} token call, ${csdsCalls} CSDS call; p99 ${fmt.ms(percentile(latencies, 99))}, all in ${fmt.ms(took)}`,
      meaning: `single-flight: every caller waits for the same token and the same CSDS answer (at most ${POOL} requests in flight, as a connection pool allows)`,
    };
    return { row, tokenCalls };
  } finally {
    await lp.close();
  }
}
