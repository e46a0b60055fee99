export * from './emulator/index.js';
export * from './conformance/index.js';
export * from './consumer-idp/index.js';
