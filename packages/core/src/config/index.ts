export {
  resolveOptions,
  type LpAuthOptions,
  type ResolvedOptions,
  type CredentialsOptions,
} from './options.js';
export { optionsFromEnv } from './env.js';
