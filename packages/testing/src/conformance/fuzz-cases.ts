import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startConsumerIdp } from '../consumer-idp/consumer-idp.js';
import { startEmulator } from '../emulator/start.js';
import { FuzzClient, type FuzzAnswer } from './fuzz-client.js';
import { fuzzSurfaces, type FuzzInput, type FuzzSurface, type FuzzTarget } from './fuzz-surfaces.js';
import { Rng } from './fuzz-inputs.js';
import type { ConformanceCase, ConformanceHarness } from './harness.js';
import { cookiesOf, login, startWithLoginRoutes } from './login-cases.js';
import { attackerKeyPair, decryptionKeyPair, jwsParts, signCompact } from './token-forgery.js';

/** How much the fuzzer sends, and from which seed. `FUZZ_ITERATIONS` and `FUZZ_SEED` override. */
export interface FuzzSettings {
  /** Inputs per adapter, across every surface. Default 100 000. */
  iterations: number;
  /** The seed every input derives from (with its index). Default 0x1EE72026. */
  seed: number;
}

export const DEFAULT_FUZZ_ITERATIONS = 100_000;
export const DEFAULT_FUZZ_SEED = 0x1ee72026;
/** The most inputs one case sends. */
const CASE_INPUTS = 12_500;
/** Requests in flight at once, over keep-alive connections. */
const IN_FLIGHT = 32;
/**
 * The event loop's budget is 100 ms (a request that blocks it that long blocks every other), and each
 * case prints the longest block it saw. The assertion allows 1 s unless `FUZZ_STALL_LIMIT_MS` says
 * otherwise: under Jest on a busy 2-core machine one major GC can pass 100 ms, and a timed assertion
 * that fails at random proves nothing, while a runaway input (a regex or a parse that explodes) blocks
 * for seconds. `FUZZ_STALL_LIMIT_MS=100` asserts the budget itself, on a quiet machine.
 */
const STALL_LIMIT_MS = Number(process.env.FUZZ_STALL_LIMIT_MS ?? 1000);
/** What the printed report compares with. */
const STALL_BUDGET_MS = 100;
/** Node's default limit of all request headers together; past it the server answers 431 or hangs up. */
const SERVER_HEADER_LIMIT = 16 * 1024;

const CONSUMER_COOKIE = 'lp_consumer_token';

/** The settings from `FUZZ_ITERATIONS` and `FUZZ_SEED` (decimal or 0x-hex), else the defaults. */
export function fuzzSettings(env: Record<string, string | undefined> = process.env): FuzzSettings {
  const iterations =
    env.FUZZ_ITERATIONS === undefined ? DEFAULT_FUZZ_ITERATIONS : Number(env.FUZZ_ITERATIONS);
  const seed = env.FUZZ_SEED === undefined ? DEFAULT_FUZZ_SEED : Number(env.FUZZ_SEED);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new TypeError('FUZZ_ITERATIONS must be a positive integer');
  if (!Number.isInteger(seed)) throw new TypeError('FUZZ_SEED must be an integer (decimal or 0x-hex)');
  return { iterations, seed: seed >>> 0 };
}

/**
 * The seeded fuzzer as conformance cases over three surfaces (half of `iterations` for
 * `Authorization` headers, a quarter each for cookies — the consumer token cookie, the login state
 * and session cookies — and the OAuth callback's query string), in cases of at most 12 500 inputs.
 * Each case asserts that no input is answered with a 5xx or goes unanswered, that no mutated token
 * or cookie is let in and no forged callback logs in, that the app still serves (and the real
 * session still works) afterwards, and that the event loop of the process (the app runs in it)
 * is never blocked for 100 ms or more. A failure prints the seed, the input's index and the input.
 *
 * @example
 * ```ts
 * // FUZZ_ITERATIONS=1000000 FUZZ_SEED=42 npm test, or in code:
 * for (const c of fuzzCases({ iterations: 10_000, seed: 42 })) test(c.title, () => c.run(harness));
 * ```
 */
export function fuzzCases(settings: FuzzSettings = fuzzSettings()): ConformanceCase[] {
  const surfaces = fuzzSurfaces();
  const cases: ConformanceCase[] = [];
  let left = settings.iterations;
  surfaces.forEach((surface, i) => {
    const count = i === surfaces.length - 1 ? left : Math.ceil(settings.iterations * surface.share);
    left -= count;
    const seed = (settings.seed + Math.imul(i, 0x01000193)) >>> 0;
    // Cases of at most CASE_INPUTS inputs, so that each ends well within a test timeout.
    for (let from = 0; from < count; from += CASE_INPUTS) {
      const to = Math.min(count, from + CASE_INPUTS);
      const range = { from, to, seed, baseSeed: settings.seed };
      cases.push({
        title: `fuzz: ${surface.title}, inputs ${from}–${to - 1} (no 5xx, no stall of ${STALL_LIMIT_MS} ms)`,
        run: (harness: ConformanceHarness) => fuzzSurface(harness, surface, range),
      });
    }
  });
  return cases;
}

const headerBytes = (input: FuzzInput): number =>
  input.path.length +
  Object.entries(input.headers).reduce(
    (sum, [name, value]) => sum + name.length + [value].flat().reduce((n, v) => n + v.length + 4, 0),
    0,
  );

function judge(input: FuzzInput, answer: FuzzAnswer): string | undefined {
  if ('error' in answer) {
    // Past the server's header limit, Node may hang up before (or instead of) its 431.
    if (headerBytes(input) > SERVER_HEADER_LIMIT - 512 && /^E(CONNRESET|PIPE)$/.test(answer.error))
      return undefined;
    return `the request failed: ${answer.error}`;
  }
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.body.slice(0, 300)}`;
  return input.judge(answer);
}

/** Starts the emulator, the consumer IdP and an app with both the consumer verifier and the login routes. */
async function withFuzzApp(
  harness: ConformanceHarness,
  body: (target: FuzzTarget) => Promise<void>,
): Promise<void> {
  const [emu, idp] = await Promise.all([startEmulator(), startConsumerIdp()]);
  const encryption = decryptionKeyPair();
  const decryptionKey = encryption.privateKey.export({ format: 'pem', type: 'pkcs8' });
  let app: Awaited<ReturnType<ConformanceHarness['start']>> | undefined;
  try {
    app = await startWithLoginRoutes(harness, emu, {
      consumer: { issuer: idp.issuer, tokenLocations: { cookie: CONSUMER_COOKIE }, decryptionKey },
    });
    const sub = 'fuzz-consumer';
    const good = await idp.issue({ claims: { sub } });
    const { header, payload } = jwsParts(good);
    const tokens = {
      good,
      goodJwe: await idp.issue({ claims: { sub }, encrypt: encryption.publicKey }),
      expired: await idp.issue({ claims: { sub }, expiresInSeconds: -120 }),
      forged: signCompact(header, payload, attackerKeyPair().privateKey),
    };
    const warm = await fetch(`${app.url}/consumer`, { headers: { authorization: `Bearer ${good}` } });
    assert.equal(warm.status, 200, 'the fuzz app verifies a good token before fuzzing');
    const { cookies } = await login(app, emu);
    const start = await fetch(`${app.url}/auth/login`, { redirect: 'manual' });
    const location = start.headers.get('location')!;
    await body({
      app,
      port: Number(new URL(app.url).port),
      sub,
      consumerCookie: CONSUMER_COOKIE,
      tokens,
      bank: Object.values(tokens),
      sessionId: cookies.lp_auth_session!,
      userId: emu.credentials.login.userId,
      stateCookie: cookiesOf(start).lp_auth_state!,
      state: new URL(location).searchParams.get('state')!,
      authorizePrefix: location.split('?')[0]!,
    });
  } finally {
    await app?.close();
    await Promise.all([idp.close(), emu.close()]);
  }
}

// Linux: how long the main thread has run on a CPU, in nanoseconds (the first field).
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;

function mainThreadRunMs(): number | undefined {
  try {
    return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/**
 * The event loop's stalls, two ways: `monitorEventLoopDelay` (how late timers ran), and the part of
 * each delay during which the main thread was running (its CPU time over the same span, from
 * Linux's schedstat). The second is what the rule is about: on a busy machine the OS may leave
 * the thread waiting for a CPU for 100 ms, which delays timers without anything blocking the loop.
 * Without schedstat (not Linux), every delay counts as blocking.
 */
class StallMonitor {
  readonly #histogram = monitorEventLoopDelay({ resolution: 10 });
  #timer: NodeJS.Timeout | undefined;
  /** Longest delay of a 10 ms tick during which the main thread was running all along, in ms. */
  blockedMaxMs = 0;

  start(): void {
    this.#histogram.enable();
    let last = performance.now();
    let lastRun = mainThreadRunMs();
    this.#timer = setInterval(() => {
      const now = performance.now();
      const run = mainThreadRunMs();
      const lateMs = now - last - 10;
      const blocked = run === undefined || lastRun === undefined ? lateMs : Math.min(lateMs, run - lastRun);
      this.blockedMaxMs = Math.max(this.blockedMaxMs, blocked);
      last = now;
      lastRun = run;
    }, 10);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }

  /** The largest timer delay `monitorEventLoopDelay` saw, in ms. */
  get delayMaxMs(): number {
    return this.#histogram.max / 1e6;
  }
}

async function fuzzSurface(
  harness: ConformanceHarness,
  surface: FuzzSurface,
  range: { from: number; to: number; seed: number; baseSeed: number },
): Promise<void> {
  const { from, to, seed, baseSeed } = range;
  await withFuzzApp(harness, async (target) => {
    const client = new FuzzClient(target.port, IN_FLIGHT);
    const stalls = new StallMonitor();
    const statuses: Record<string, number> = {};
    let failure: string | undefined;
    let next = from;
    const started = performance.now();
    stalls.start();
    const regressions = surface.regressions(target);
    const worker = async () => {
      while (failure === undefined && next < to) {
        const index = next++;
        const input = regressions[index] ?? surface.generate(Rng.forInput(seed, index), target);
        const answer = await client.send(input);
        const problem = judge(input, answer);
        if (problem !== undefined) {
          failure ??= [
            `fuzz ${harness.name} / ${surface.title}: input #${index} (${input.kind}) ${problem}`,
            `replay: FUZZ_SEED=${baseSeed} (surface seed ${seed}), input #${index}`,
            `input: ${JSON.stringify({ method: input.method, path: input.path, headers: input.headers })}`,
          ].join('\n');
        } else if ('status' in answer) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      }
    };
    try {
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    } finally {
      stalls.stop();
      await client.close();
    }
    const seconds = (performance.now() - started) / 1000;
    if (failure !== undefined) assert.fail(failure);
    // Still up, and still right: the good token passes and the real session is still logged in.
    const after = await fetch(`${target.app.url}/consumer`, {
      headers: { authorization: `Bearer ${target.tokens.good}` },
    });
    assert.equal(after.status, 200, `after fuzzing, a good token answered ${after.status}`);
    const me = await fetch(`${target.app.url}/me`, {
      headers: { cookie: `lp_auth_session=${target.sessionId}` },
    });
    assert.deepEqual(
      JSON.parse(await me.text()),
      { user: target.userId },
      'after fuzzing, the real session works',
    );
    const count = to - from;
    console.log(
      `fuzz ${harness.name} / ${surface.title} #${from}–${to - 1}: ${count} inputs in ${seconds.toFixed(1)} s ` +
        `(${Math.round(count / seconds)}/s), seed ${baseSeed} (surface ${seed}); event-loop delay max ` +
        `${stalls.delayMaxMs.toFixed(1)} ms, of it blocked while running ${stalls.blockedMaxMs.toFixed(1)} ms ` +
        `(budget ${STALL_BUDGET_MS} ms${stalls.blockedMaxMs < STALL_BUDGET_MS ? '' : ', OVER'}); ` +
        `statuses ${JSON.stringify(statuses)}`,
    );
    assert.ok(
      stalls.blockedMaxMs < STALL_LIMIT_MS,
      `the event loop was blocked for ${stalls.blockedMaxMs.toFixed(1)} ms (seed ${baseSeed}, inputs ${from}–${to - 1})`,
    );
  });
}
