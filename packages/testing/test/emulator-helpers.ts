import { startEmulator, type Emulator, type EmulatorOptions } from '../src/index.js';

/** Starts an emulator and remembers it, so `closeAll` in `afterEach` stops every one. */
export function emulators() {
  const started: Emulator[] = [];
  return {
    async start(options?: EmulatorOptions): Promise<Emulator> {
      const emu = await startEmulator(options);
      started.push(emu);
      return emu;
    },
    async closeAll(): Promise<void> {
      await Promise.all(started.splice(0).map((e) => e.close()));
    },
  };
}

/** Requests an AppJWT the documented way (form body); returns the parsed response. */
export async function appToken(emu: Emulator): Promise<{ access_token: string; expires_in: string }> {
  const { clientId, clientSecret } = emu.credentials.appJwt;
  const res = await fetch(`${emu.url}/sentinel/api/account/${emu.accountId}/app/token?v=1.0`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: 'client_credentials',
    }),
  });
  if (res.status !== 200) throw new Error(`token request answered ${res.status}`);
  return (await res.json()) as { access_token: string; expires_in: string };
}

/** GETs the sample skills API with `Authorization: Bearer <token>`. */
export function skills(
  emu: Emulator,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${emu.url}/api/account/${emu.accountId}/configuration/le-users/skills`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

/** The Basic authorization header of the Orchestrator v2 login. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Logs in to the Orchestrator v2 and returns the token. */
export async function coLogin(emu: Emulator): Promise<string> {
  const { username, password } = emu.credentials.orchestratorV2;
  const res = await fetch(`${emu.url}/v2/authenticate/login`, {
    method: 'POST',
    headers: { authorization: basic(username, password) },
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
