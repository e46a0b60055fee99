import { afterEach, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { CsdsUnavailableError, DomainNotFoundError, DomainResolver, silentLogger } from './core.js';
import { sleep, waitFor } from './helpers.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function resolver(e: Emulator, extra: Partial<ConstructorParameters<typeof DomainResolver>[0]> = {}) {
  return new DomainResolver({ accountId: e.accountId, csdsUrl: e.url, logger: silentLogger, ...extra });
}

describe('CSDS domain resolution against the emulator', () => {
  test('one call resolves every service; loopback hosts keep http', async () => {
    emu = await startEmulator();
    const domains = resolver(emu);
    const [sentinel, agentVep, idp] = await Promise.all([
      domains.resolve('sentinel'),
      domains.resolve('agentVep'),
      domains.resolve('idp'),
    ]);
    expect(sentinel).toBe(emu.url);
    expect(agentVep).toBe(emu.url);
    expect(idp).toBe(emu.url);
    expect(emu.stats.count('csds.all')).toBe(1);
  });

  test('an absent service is a typed error naming service and account', async () => {
    emu = await startEmulator({ services: { msgHist: null } });
    const error = await resolver(emu)
      .resolve('msgHist')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainNotFoundError);
    expect((error as DomainNotFoundError).code).toBe('domain_not_found');
    expect((error as Error).message).toContain('msgHist');
    expect((error as Error).message).toContain(emu.accountId);
  });

  test('service names are case-sensitive', async () => {
    emu = await startEmulator();
    await expect(resolver(emu).resolve('Sentinel')).rejects.toBeInstanceOf(DomainNotFoundError);
  });

  test('an unknown account is csds_unavailable with a hint', async () => {
    emu = await startEmulator();
    const domains = new DomainResolver({ accountId: '99999999', csdsUrl: emu.url, logger: silentLogger });
    const error = await domains.resolve('sentinel').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsdsUnavailableError);
    expect((error as Error).message).toMatch(/account/i);
  });

  test('serves the last good answer while CSDS fails, within the stale window only', async () => {
    emu = await startEmulator();
    const domains = resolver(emu, { ttlMs: 100, staleIfErrorMs: 60_000 });
    expect(await domains.resolve('sentinel')).toBe(emu.url);
    emu.faults.inject('csds.all', { status: 500, times: Infinity });
    await sleep(150);
    expect(await domains.resolve('sentinel')).toBe(emu.url);
    expect(emu.stats.count('csds.all')).toBe(2);

    const strict = resolver(emu, { ttlMs: 100, staleIfErrorMs: 0 });
    emu.faults.clear();
    await strict.resolve('sentinel');
    emu.faults.inject('csds.all', { status: 500, times: Infinity });
    await sleep(150);
    await expect(strict.resolve('sentinel')).rejects.toBeInstanceOf(CsdsUnavailableError);
  });

  test('refreshes in the background before the answer goes stale', async () => {
    emu = await startEmulator();
    // The resolver's clock, moved by hand: past 80 % of the TTL and short of 100 % however slow the
    // machine (a real sleep left a 60 ms window).
    let clock = Date.now();
    const domains = resolver(emu, { ttlMs: 400, now: () => clock });
    await domains.resolve('sentinel');
    clock += 340; // past 80 % of the TTL
    emu.faults.inject('csds.all', { latencyMs: 500 });
    const started = Date.now();
    expect(await domains.resolve('sentinel')).toBe(emu.url);
    const waited = Date.now() - started;
    // The refresh was started in the background and reaches CSDS; the caller did not wait for it.
    await waitFor(() => emu!.stats.count('csds.all') === 2, 'the background CSDS refresh');
    expect(waited).toBeLessThan(500);
  });

  test('concurrent cold callers share one CSDS call', async () => {
    emu = await startEmulator();
    const domains = resolver(emu);
    await Promise.all(Array.from({ length: 200 }, () => domains.resolve('sentinel')));
    expect(emu.stats.count('csds.all')).toBe(1);
  });

  test('overrides win over CSDS and Orchestrator regions map to regional hosts', async () => {
    emu = await startEmulator();
    const domains = resolver(emu, { overrides: { sentinel: 'https://sentinel.example.test' } });
    expect(await domains.resolve('sentinel')).toBe('https://sentinel.example.test');
    expect(await domains.resolve('orchestratorContext', 'emea')).toBe('https://z2.context.liveperson.net');
    expect(await domains.resolve('orchestratorCcs', 'apac')).toBe('https://z3.ccs.liveperson.net');
    expect(emu.stats.count('csds.all')).toBe(0);
  });
});
