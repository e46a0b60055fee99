export {
  serveOnLoopback,
  freeLoopbackPort,
  onFreeLoopbackPort,
  isAddressInUse,
  FREE_PORT_ATTEMPTS,
} from './serve.js';
export { consumerCases } from './consumer-cases.js';
export { consumerHookCases, CONFORMANCE_TOKEN_HEADER } from './consumer-hook-cases.js';
export { loginCases } from './login-cases.js';
export { OPEN_REDIRECT_CORPUS } from './open-redirect-corpus.js';
export { attackCases, attackClasses, CORPUS_AUDIENCE, type AttackClass } from './attack-cases.js';
export type { AttackCorpus, AttackVariant, ExpectedAnswer } from './attack-corpus.js';
export { rotationCases } from './rotation-cases.js';
export {
  fuzzCases,
  fuzzSettings,
  DEFAULT_FUZZ_ITERATIONS,
  DEFAULT_FUZZ_SEED,
  type FuzzSettings,
} from './fuzz-cases.js';
export { conformanceCases } from './cases.js';
export { expectSecondCopyAnswered } from './second-copy.js';
export {
  CONFORMANCE_AGENT_SESSION_PATH,
  CONFORMANCE_SKILLS_PATH,
  type ConformanceApp,
  type ConformanceCase,
  type ConformanceHarness,
} from './harness.js';
