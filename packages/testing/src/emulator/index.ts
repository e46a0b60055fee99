export { startEmulator } from './start.js';
export { COMMON_SERVICES } from './routes/csds.js';
export {
  loginThroughEmulator,
  type EmulatorLoginUser,
  type LoginThroughEmulatorOptions,
} from './browser-login.js';
export type {
  Emulator,
  EmulatorAppAuthorization,
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
