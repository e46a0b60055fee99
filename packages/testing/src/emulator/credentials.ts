import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EmulatorCredentialOverrides, EmulatorCredentials } from './types.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * Random credentials shaped like LivePerson's: an AppJWT client id is a UUID (the `azp` of the
 * documented sample token), secrets and API keys are 32 lowercase hex characters.
 */
export function makeCredentials(overrides: EmulatorCredentialOverrides = {}): EmulatorCredentials {
  return {
    appJwt: {
      clientId: overrides.appJwt?.clientId ?? randomUUID(),
      clientSecret: overrides.appJwt?.clientSecret ?? hex(16),
    },
    orchestratorV1: { apiKey: overrides.orchestratorV1?.apiKey ?? hex(16) },
    orchestratorV2: {
      username: overrides.orchestratorV2?.username ?? `lp-auth-emulator-${hex(3)}`,
      password: overrides.orchestratorV2?.password ?? randomBytes(18).toString('base64url'),
    },
    oauth1: {
      consumerKey: overrides.oauth1?.consumerKey ?? hex(16),
      consumerSecret: overrides.oauth1?.consumerSecret ?? hex(16),
      token: overrides.oauth1?.token ?? hex(16),
      tokenSecret: overrides.oauth1?.tokenSecret ?? hex(16),
    },
    login: {
      username: overrides.login?.username ?? `agent-${hex(3)}`,
      password: overrides.login?.password ?? randomBytes(18).toString('base64url'),
      userId: overrides.login?.userId ?? String(randomInt(1_000_000, 10_000_000)),
    },
    loginBot: {
      username: overrides.loginBot?.username ?? `bot-${hex(3)}`,
      userId: overrides.loginBot?.userId ?? String(randomInt(1_000_000, 10_000_000)),
    },
    appAuthorization: {
      clientId: overrides.appAuthorization?.clientId ?? randomUUID(),
      clientSecret: overrides.appAuthorization?.clientSecret ?? hex(16),
      redirectUris: [...(overrides.appAuthorization?.redirectUris ?? [])],
    },
  };
}

/** A random LivePerson-like account id: 8 digits, no leading zero. */
export function makeAccountId(): string {
  return String(randomInt(10_000_000, 100_000_000));
}

/** Compares a presented secret with the expected one in constant time (over their digests). */
export function secretEquals(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
