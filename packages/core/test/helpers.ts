import { inspect } from 'node:util';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { createLpAuth, silentLogger, type LpAuth, type LpAuthOptions, type Logger } from './core.js';

/** A logger that keeps every line, so tests can search what was logged for secrets. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string, data?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${data ? inspect(data, { depth: 5 }) : ''}`);
  };
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** An emulator and an LpAuth wired to it with every credential of this walking skeleton. */
export async function emulatorWithAuth(
  extra: Partial<LpAuthOptions> = {},
  emulatorOptions: Parameters<typeof startEmulator>[0] = {},
): Promise<{ emu: Emulator; lp: LpAuth; close: () => Promise<void> }> {
  const emu = await startEmulator(emulatorOptions);
  const base = emu.lpAuthOptions();
  const { appJwt, orchestratorV1, orchestratorV2 } = emu.credentials;
  const lp = createLpAuth({
    ...base,
    logger: silentLogger,
    http: { retry: { baseDelayMs: 20, maxDelayMs: 100 } },
    ...extra,
    credentials: {
      appJwt: { clientId: appJwt.clientId, clientSecret: appJwt.clientSecret },
      orchestratorV1: { apiKey: orchestratorV1.apiKey },
      orchestratorV2: { username: orchestratorV2.username, password: orchestratorV2.password },
      ...extra.credentials,
    },
  });
  return {
    emu,
    lp,
    close: async () => {
      await lp.close();
      await emu.close();
    },
  };
}

export const SKILLS_PATH = '/api/account/{accountId}/configuration/le-users/skills';

/** Every secret the emulator handed out, to search output for. */
export function secretsOf(emu: Emulator): string[] {
  const c = emu.credentials;
  return [c.appJwt.clientSecret, c.orchestratorV1.apiKey, c.orchestratorV2.password];
}

export function expectNoSecret(text: string, secrets: readonly string[]): void {
  for (const s of secrets) {
    if (text.includes(s)) throw new Error(`a secret leaked into: ${text.slice(0, 300)}`);
  }
}

/** All the ways an error can be printed. */
export function printed(error: unknown): string {
  return [String(error), inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns true (or `timeoutMs` passes, then fails with `what`). */
export async function waitFor(probe: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}
