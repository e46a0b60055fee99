export { serveOnLoopback, freeLoopbackPort } from './serve.js';
export { consumerCases } from './consumer-cases.js';
export { loginCases } from './login-cases.js';
export { conformanceCases } from './cases.js';
export {
  CONFORMANCE_AGENT_SESSION_PATH,
  CONFORMANCE_SKILLS_PATH,
  type ConformanceApp,
  type ConformanceCase,
  type ConformanceHarness,
} from './harness.js';
