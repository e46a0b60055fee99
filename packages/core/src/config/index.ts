export { resolveOptions, type LpAuthOptions, type ResolvedOptions } from './options.js';
export { optionsFromEnv } from './env.js';
