export { startEmulator } from './start.js';
export { COMMON_SERVICES } from './routes/csds.js';
export type {
  Emulator,
  EmulatorCredentialOverrides,
  EmulatorCredentials,
  EmulatorFaults,
  ChaosKind,
  ChaosOptions,
  EmulatorLpAuthOptions,
  EmulatorLpAuthCredentials,
  EmulatorOptions,
  EmulatorStats,
  Fault,
  KnownRouteName,
  RotateSigningKeyOptions,
  RouteName,
  TokenRouteName,
} from './types.js';
